"""A customer orders on a phone; the seller's dashboard shows it at once and accepts it; the
customer's tracking page follows without a reload."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from scripts.system import System
from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    PageProblems,
    create_seller,
    log_in,
    order_card,
    place_order,
    screenshot,
    set_status,
)

pytestmark = pytest.mark.browser


def cart_line(page: Page, product: str) -> Any:
    return page.locator("li.cart-line").filter(
        has=page.locator(".line-name").get_by_text(product, exact=True)
    )


def add_dosa(phone: Page) -> None:
    phone.get_by_role("button", name="Add Masala Dosa").click()
    dialog = phone.locator("dialog#options-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Spice level")).to_have_attribute("aria-required", "true")
    dialog.get_by_role("button", name="Add to cart").click()
    # The required field is checked before the item goes into the cart.
    expect(dialog.locator(".field-error").first).to_have_text("Required.")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Spice level").select_option("Hot")
    dialog.get_by_label("Note for the kitchen").fill("No onions, please")
    dialog.get_by_label("Quantity").fill("2")
    dialog.get_by_role("button", name="Add to cart").click()
    expect(dialog).to_be_hidden()


def test_customer_orders_on_a_phone_and_the_seller_accepts_live(
    system: System, browser: Browser, problems: PageProblems
) -> None:
    seller = create_seller(system.gateway_url)
    # Two earlier orders, one accepted, so the dashboard looks like a working evening.
    earlier = place_order(seller, name="Meera K.", payment_method="zelle")
    set_status(seller, earlier["order"]["id"], "accepted")
    place_order(
        seller,
        name="Tom B.",
        items=[
            {"product_id": seller.products["Mango Lassi"], "quantity": 2, "custom_fields": {"sugar": 1}},
            {"product_id": seller.products["Filter Coffee"], "quantity": 1},
        ],
    )

    desk = browser.new_context(base_url=system.gateway_url, **DESKTOP)
    dashboard = problems.watch(log_in(desk, seller, "/seller/live"))
    expect(dashboard.locator("#connection-label")).to_have_text("WebSocket Connected")
    expect(dashboard.locator("article.order-card")).to_have_count(2)

    # --- the customer, on a 360 px wide phone ------------------------------------------
    mobile = browser.new_context(base_url=system.gateway_url, **PHONE)
    phone = problems.watch(mobile.new_page())
    phone.goto(f"/s/{seller.slug}")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Dosa Corner")
    expect(phone.locator("#store-contact")).to_contain_text("+1 555 0199")
    idli = phone.locator("li.product-card").filter(has_text="Idli (2 pcs)")
    expect(idli.locator(".badge-soldout")).to_have_text("Sold out")
    expect(idli.get_by_role("button")).to_be_disabled()
    expect(phone.locator("li.product-card").filter(has_text="Masala Dosa")).to_contain_text("$4.50")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360, (
        "the page scrolls sideways on a phone"
    )

    add_dosa(phone)
    phone.get_by_role("button", name="Add Filter Coffee").click()
    phone.get_by_role("button", name="Add Mango Lassi").click()
    phone.locator("dialog#options-dialog").get_by_label("Extra ice").check()
    phone.locator("dialog#options-dialog").get_by_role("button", name="Add to cart").click()
    expect(phone.locator("li.cart-line")).to_have_count(3)

    # Edit the cart inline: quantity, a custom-field value, and remove a line.
    coffee = cart_line(phone, "Filter Coffee")
    coffee.get_by_role("button", name="Increase quantity of Filter Coffee").click()
    expect(coffee.get_by_label("Quantity of Filter Coffee", exact=True)).to_have_value("2")
    dosa = cart_line(phone, "Masala Dosa")
    dosa.get_by_label("Spice level").select_option("Medium")
    cart_line(phone, "Mango Lassi").get_by_role("button", name="Remove Mango Lassi from cart").click()
    expect(phone.locator("li.cart-line")).to_have_count(2)
    expect(phone.locator("#cart-total")).to_have_text("$13.00")

    # The cart survives a reload.
    phone.reload()
    expect(phone.locator("li.cart-line")).to_have_count(2)
    dosa = cart_line(phone, "Masala Dosa")
    expect(dosa.get_by_label("Quantity of Masala Dosa", exact=True)).to_have_value("2")
    expect(dosa.get_by_label("Spice level")).to_have_value("Medium")
    expect(dosa.get_by_label("Note for the kitchen")).to_have_value("No onions, please")
    expect(
        cart_line(phone, "Filter Coffee").get_by_label("Quantity of Filter Coffee", exact=True)
    ).to_have_value("2")
    phone.evaluate("window.scrollTo(0, 0)")
    expect(phone.locator("#cart-bar")).to_contain_text("4 items · $13.00")
    screenshot(phone, "storefront-phone.png")

    # Checkout with a phone number the server refuses: its 422 shows beside the field.
    phone.get_by_label("Name").fill("Asha Rao")
    phone.get_by_label("Phone").fill("12")
    phone.get_by_label("Address").fill("12 Main St")
    phone.get_by_label("Apartment, suite, floor").fill("Apt 4")
    phone.get_by_label("City").fill("Springfield")
    phone.get_by_label("Postal code").fill("12345")
    phone.get_by_label("Delivery instructions").fill("Ring twice")
    phone.get_by_label("Zelle").check()
    expect(phone.locator("#zelle-info")).to_contain_text("$13.00")
    expect(phone.locator("#zelle-info")).to_contain_text("pay@dosacorner.example")
    expect(phone.get_by_label("Cash on delivery")).to_be_visible()
    phone.get_by_role("button", name="Place order").click()
    expect(phone.locator("#customer-phone-error")).to_contain_text("digits")
    expect(phone.get_by_label("Phone")).to_have_attribute("aria-invalid", "true")
    assert "/s/" in phone.url

    phone.get_by_label("Phone").fill("+1 555 0100")
    with phone.expect_response(re.compile(r"/api/storefronts/.+/orders$")) as answer:
        phone.get_by_role("button", name="Place order").click()
    assert answer.value.status == 201
    answered_at = time.monotonic()

    # --- the seller's dashboard shows the card within a second ---------------------------
    card = dashboard.locator("article.order-card").filter(has_text="Asha Rao")
    expect(card).to_be_visible(timeout=1000)
    assert time.monotonic() - answered_at < 1.5
    token = card.locator(".token").inner_text()
    phone.wait_for_url(re.compile(r"/o/[^/?]+\?key="))
    order_id = phone.url.split("/o/")[1].split("?")[0]
    assert card.get_attribute("data-order-id") == order_id
    expect(card.locator(".customer-name")).to_have_text("Asha Rao")
    expect(card.locator(".customer-phone")).to_have_text("+1 555 0100")
    expect(card.locator(".card-address")).to_contain_text("12 Main St")
    expect(card.locator(".card-address")).to_contain_text("Apt 4")
    expect(card.locator(".card-address")).to_contain_text("Springfield 12345")
    expect(card.locator(".card-address")).to_contain_text("Ring twice")
    dosa_item = card.locator(".card-item").filter(has_text="Masala Dosa")
    expect(dosa_item.locator(".item-qty")).to_have_text("2 ×")
    expect(dosa_item).to_contain_text("Spice level: Medium")
    expect(dosa_item).to_contain_text("Note for the kitchen: No onions, please")
    expect(dosa_item.locator(".item-total")).to_have_text("$9.00")
    expect(card.locator(".card-item").filter(has_text="Filter Coffee").locator(".item-qty")).to_have_text(
        "2 ×"
    )
    expect(card.locator(".payment-method")).to_have_text("Zelle")
    expect(card.locator(".badge.payment")).to_have_text("Unpaid")
    expect(card.locator(".total")).to_have_text("$13.00")
    expect(card.locator(".badge.status")).to_have_text("Pending")
    expect(card.locator("time").first).to_be_visible()
    expect(card.locator(".age")).to_have_text("just now")
    actions = card.locator(".actions button")
    expect(actions).to_have_text(["Accept Order", "Reject", "Mark Payment Received"])
    expect(dashboard.locator("article.order-card")).to_have_count(3)
    expect(dashboard).to_have_title(re.compile(r"^\(2\) Real-Time Orders Dashboard"))
    expect(dashboard.locator("#announcer")).to_contain_text(f"New order {token} from Asha Rao")
    screenshot(dashboard, "dashboard-cards.png")

    # --- list view, remembered across a reload, and back ----------------------------------
    dashboard.get_by_role("button", name="List View").click()
    expect(dashboard.get_by_role("button", name="List View")).to_have_attribute("aria-pressed", "true")
    row = dashboard.locator("tr.order-row").filter(has=dashboard.get_by_text(token, exact=True))
    expect(row).to_contain_text("Asha Rao")
    expect(row).to_contain_text(
        "2 × Masala Dosa (Spice level: Medium, Note for the kitchen: No onions, please)"
    )
    expect(row.locator(".total")).to_have_text("$13.00")
    expect(dashboard.locator("tr.order-row")).to_have_count(3)
    screenshot(dashboard, "dashboard-list.png")
    dashboard.reload()
    expect(dashboard.locator("tr.order-row")).to_have_count(3)
    expect(dashboard.locator("#connection-label")).to_have_text("WebSocket Connected")
    dashboard.get_by_role("button", name="Card View").click()
    card = order_card(dashboard, token)
    expect(card).to_be_visible()

    # --- the customer's tracking page ----------------------------------------------------
    expect(phone.locator("#token")).to_have_text(token)
    expect(phone.locator("#live-state")).to_have_text("Live: this page updates by itself.")
    expect(phone.locator('[aria-current="step"]')).to_contain_text("Order placed")
    expect(phone.locator("#pay-how")).to_have_text("Pay $13.00 with Zelle to pay@dosacorner.example.")
    expect(phone.locator("#contact")).to_contain_text("+1 555 0199")
    expect(phone.locator("#keep-link")).to_have_value(phone.url)
    phone.evaluate("window.__sameDocument = true")

    # --- the seller accepts; the customer sees it without a reload ------------------------
    card.get_by_role("button", name="Accept Order").click()
    expect(card.locator(".badge.status")).to_have_text("Accepted")
    expect(card.locator(".actions button")).to_have_text(
        ["Preparing", "Out for Delivery", "Mark as Delivered", "Mark Payment Received", "Cancel Order"]
    )
    expect(phone.locator('[aria-current="step"]')).to_contain_text("Accepted")
    expect(phone.locator(".step-done").first).to_contain_text("Order placed")
    assert phone.evaluate("window.__sameDocument === true"), "the tracking page reloaded"
    expect(dashboard).to_have_title(re.compile(r"^\(1\) Real-Time Orders Dashboard"))

    card.get_by_role("button", name="Mark Payment Received").click()
    expect(card.locator(".badge.payment")).to_have_text("Paid")
    expect(phone.locator("#pay-status")).to_contain_text("Payment received")
    desk.close()
    mobile.close()


def test_checkout_makes_one_order_across_a_lost_response_and_a_double_tap(
    system: System, browser: Browser, problems: PageProblems
) -> None:
    seller = create_seller(system.gateway_url)
    mobile = browser.new_context(base_url=system.gateway_url, **PHONE)
    phone = problems.watch(mobile.new_page())
    sent: list[str | None] = []
    lost = {"first": True}

    def lose_the_first_answer(route: Route) -> None:
        """The request reaches the server and the order is made, but its answer never arrives."""
        sent.append(route.request.headers.get("idempotency-key"))
        response = route.fetch()
        if lost["first"]:
            lost["first"] = False
            assert response.status == 201
            route.abort("connectionreset")
        else:
            route.fulfill(response=response)

    phone.route(re.compile(r"/api/storefronts/[^/]+/orders$"), lose_the_first_answer)
    phone.goto(f"/s/{seller.slug}")
    phone.get_by_role("button", name="Add Filter Coffee").click()
    phone.get_by_label("Name").fill("Double Tapper")
    phone.get_by_label("Phone").fill("+1 555 0177")
    phone.get_by_label("Address").fill("3 Oak Ave")
    phone.get_by_label("City").fill("Springfield")
    phone.get_by_label("Cash on delivery").check()
    phone.get_by_role("button", name="Place order").dblclick()
    phone.wait_for_url(re.compile(r"/o/[^/?]+\?key="))
    expect(phone.locator("#token")).to_have_text(re.compile(r"\S"))

    assert len(sent) == 2, f"expected the lost attempt and one retry, saw {len(sent)} requests"
    assert sent[0] is not None and sent[0] == sent[1], "the retry must reuse the attempt's Idempotency-Key"
    with seller.api() as client:
        orders = client.get("/api/seller/orders").json()["orders"]
    assert [order["customer"]["name"] for order in orders] == ["Double Tapper"]
    assert phone.url.split("/o/")[1].split("?")[0] == orders[0]["id"]

    # A new attempt (another order from the same phone) gets a new key.
    phone.goto(f"/s/{seller.slug}")
    expect(phone.locator("#recent-orders")).to_contain_text(orders[0]["token_number"])
    phone.get_by_role("button", name="Add Filter Coffee").click()
    phone.get_by_label("Name").fill("Double Tapper")
    phone.get_by_label("Phone").fill("+1 555 0177")
    phone.get_by_label("Address").fill("3 Oak Ave")
    phone.get_by_label("City").fill("Springfield")
    phone.get_by_label("Cash on delivery").check()
    phone.get_by_role("button", name="Place order").click()
    phone.wait_for_url(re.compile(r"/o/[^/?]+\?key="))
    assert len(sent) == 3 and sent[2] != sent[0]
    mobile.close()


def test_a_store_that_is_not_accepting_orders_says_so(
    system: System, browser: Browser, problems: PageProblems
) -> None:
    seller = create_seller(system.gateway_url)
    mobile = browser.new_context(base_url=system.gateway_url, **PHONE)
    phone = problems.watch(mobile.new_page())
    phone.goto(f"/s/{seller.slug}")
    phone.get_by_role("button", name="Add Filter Coffee").click()
    expect(phone.locator("li.cart-line")).to_have_count(1)

    with seller.api() as client:
        assert client.patch("/api/seller", json={"accepting_orders": False}).status_code == 200
    # Checking out in a page loaded before the store closed: the 409 is explained.
    phone.get_by_label("Name").fill("Late Larry")
    phone.get_by_label("Phone").fill("+1 555 0188")
    phone.get_by_label("Address").fill("9 Pine Rd")
    phone.get_by_label("City").fill("Springfield")
    phone.get_by_label("Cash on delivery").check()
    phone.get_by_role("button", name="Place order").click()
    expect(phone.locator("#form-error")).to_contain_text("not accepting orders right now")
    expect(phone.locator("#closed-banner")).to_be_visible()

    phone.reload()
    expect(phone.locator("#closed-banner")).to_contain_text("Not accepting orders right now")
    expect(phone.get_by_role("button", name="Add Masala Dosa")).to_be_disabled()
    expect(phone.get_by_role("button", name="Place order")).to_be_disabled()
    expect(phone.locator("li.cart-line")).to_have_count(1)  # the cart waits for the store to open
    mobile.close()
