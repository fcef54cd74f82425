"""The seller's pages: sign-up, Seller Information, products with custom fields, the regular
order list, logging out, the security headers, and the blocked-sound warning."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from scripts.system import System
from tests.browser.conftest import DESKTOP, PASSWORD, PageProblems, create_seller, poll

pytestmark = pytest.mark.browser


def public_order(context: BrowserContext, slug: str, product_id: str, name: str) -> dict[str, Any]:
    body = {
        "customer": {"name": name, "phone": "+1 555 0123"},
        "delivery_address": {"line1": "1 Elm St", "city": "Shelbyville"},
        "payment_method": "cod",
        "items": [{"product_id": product_id, "quantity": 1, "custom_fields": {"filling": "Potato"}}],
    }
    response = context.request.post(
        f"/api/storefronts/{slug}/orders", data=body, headers={"Idempotency-Key": uuid.uuid4().hex}
    )
    assert response.status == 201, response.text()
    return response.json()  # type: ignore[no-any-return]


def sign_up(page: Page) -> str:
    page.goto("/seller")
    expect(page).to_have_url(re.compile(r"/login\?next=/seller$"))
    page.get_by_role("link", name="Create a seller account").click()
    email = f"chai-{uuid.uuid4().hex[:8]}@example.com"
    page.get_by_label("Business name").fill("Chai & <Co>")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("#password-error")).to_have_text("Use at least 8 characters.")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(re.compile(r"/seller$"))
    return email


def fill_seller_information(page: Page) -> str:
    expect(page.get_by_label("Business name")).to_have_value("Chai & <Co>")
    switch = page.get_by_role("switch", name="Enable Real-Time Orders")
    expect(switch).not_to_be_checked()
    page.get_by_label("Zelle", exact=True).check()
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#zelle_handle-error")).to_contain_text("Zelle needs the handle")
    page.get_by_label("Zelle handle (email or phone)").fill("chai@example.com")
    page.get_by_label("Phone (optional)").fill("+1 555 0142")
    switch.check()
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#save-status")).to_have_text("Changes saved.")
    page.reload()
    expect(page.get_by_role("switch", name="Enable Real-Time Orders")).to_be_checked()
    expect(page.get_by_label("Zelle handle (email or phone)")).to_have_value("chai@example.com")

    # The QR poster and its downloads.
    url = page.locator("#poster-url").inner_text()
    slug = url.rsplit("/s/", 1)[1]
    expect(page.locator("#poster-name")).to_have_text("Chai & <Co>")
    expect(page.locator("#qr-image")).to_have_attribute("src", f"/api/storefronts/{slug}/qr.svg")
    image_loaded = "(img => img.complete && img.naturalWidth > 0)(document.getElementById('qr-image'))"
    poll(lambda: page.evaluate(image_loaded), page=page, message="the QR code image to load")
    expect(page.get_by_role("link", name="Download PNG")).to_have_attribute(
        "href", f"/api/storefronts/{slug}/qr.png"
    )
    expect(page.get_by_role("link", name="Download SVG")).to_have_attribute(
        "href", f"/api/storefronts/{slug}/qr.svg"
    )
    expect(page.get_by_role("link", name="Open Real-Time Orders Dashboard")).to_have_attribute(
        "href", "/seller/live"
    )
    page.emulate_media(media="print")  # the printed page is the poster alone
    expect(page.locator("#poster")).to_be_visible()
    expect(page.locator("#seller-form")).to_be_hidden()
    expect(page.locator(".topbar")).to_be_hidden()
    expect(page.get_by_role("button", name="Print poster")).to_be_hidden()
    page.emulate_media(media="screen")
    return slug


def manage_products(page: Page) -> None:
    page.get_by_role("navigation", name="Seller").get_by_role("link", name="Products").click()
    expect(page.locator("#no-products")).to_be_visible()
    page.get_by_label("Name").fill("Samosa")
    page.get_by_label("Price").fill("2.5")
    page.get_by_role("button", name="Add custom field").click()
    row = page.locator("li.field-row").first
    row.get_by_label("Question shown to the customer").fill("Filling")
    expect(row.get_by_label("Key")).to_have_value("filling")
    row.get_by_label("Type").select_option("select")
    row.get_by_label("Options, one per line").fill("Potato\nPaneer")
    row.get_by_label("Required").check()
    page.get_by_role("button", name="Save product").click()
    samosa = page.locator("li.product-admin").filter(has_text="Samosa")
    expect(samosa).to_contain_text("$2.50")
    expect(samosa).to_contain_text("1 custom field")

    samosa.get_by_role("button", name="Edit Samosa").click()
    expect(page.get_by_label("Price")).to_have_value("2.50")
    expect(page.locator("li.field-row").first.get_by_label("Options, one per line")).to_have_value(
        "Potato\nPaneer"
    )
    page.get_by_label("Price").fill("3")
    page.get_by_role("button", name="Save product").click()
    expect(samosa).to_contain_text("$3.00")

    samosa.get_by_role("button", name="Mark Samosa sold out").click()
    expect(samosa.locator(".badge")).to_have_text("Sold out")
    samosa.get_by_role("button", name="Mark Samosa available").click()
    expect(samosa.locator(".badge")).to_have_text("Available")

    page.get_by_label("Name").fill("Masala Tea")
    page.get_by_label("Price").fill("1")
    page.get_by_role("button", name="Save product").click()
    tea = page.locator("li.product-admin").filter(has_text="Masala Tea")
    tea.get_by_role("button", name="Delete Masala Tea").click()
    tea.get_by_role("button", name="Confirm delete Masala Tea").click()
    expect(tea).to_have_count(0)
    expect(page.locator("li.product-admin")).to_have_count(1)


def test_a_seller_signs_up_sets_up_the_store_and_works_the_order_list(
    system: System, browser: Browser, problems: PageProblems
) -> None:
    context = browser.new_context(base_url=system.gateway_url, **DESKTOP)
    page = problems.watch(context.new_page())
    sign_up(page)
    slug = fill_seller_information(page)
    manage_products(page)

    # The customer sees the new product and its required field.
    shop = problems.watch(context.new_page())
    shop.goto(f"/s/{slug}")
    expect(shop.get_by_role("heading", level=1)).to_have_text("Chai & <Co>")
    shop.get_by_role("button", name="Add Samosa").click()
    expect(shop.locator("dialog").get_by_label("Filling")).to_have_attribute("aria-required", "true")
    shop.close()

    # The regular order list: pages, filter, details and actions, no WebSocket needed.
    product_id = context.request.get("/api/seller/products").json()["products"][0]["id"]
    orders = [public_order(context, slug, product_id, f"Guest {i}") for i in range(27)]
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.get_by_role("navigation", name="Seller").get_by_role("link", name="Orders", exact=True).click()
    expect(page.locator("tr.order-row")).to_have_count(25)
    expect(page.locator("tr.order-row").first).to_contain_text("Guest 26")
    page.get_by_role("button", name="Older orders").click()
    expect(page.locator("tr.order-row")).to_have_count(2)
    expect(page.locator("#page-label")).to_have_text("Page 2")
    expect(page.get_by_role("button", name="Older orders")).to_be_disabled()
    page.get_by_role("button", name="Newer orders").click()
    expect(page.locator("tr.order-row")).to_have_count(25)

    newest = orders[-1]["order"]["token_number"]
    page.get_by_role("button", name=newest, exact=True).click()
    detail = page.locator("#detail")
    expect(detail.get_by_role("heading", name=f"Order {newest}")).to_be_visible()
    expect(detail.locator(".history")).to_contain_text("Pending")
    expect(detail.locator(".card-item")).to_contain_text("Filling: Potato")
    detail.get_by_role("button", name="Accept Order").click()
    expect(detail.locator(".badge.status")).to_have_text("Accepted")
    expect(detail.locator(".history")).to_contain_text("Accepted")
    row = page.locator("tr.order-row").filter(has=page.get_by_role("button", name=newest, exact=True))
    expect(row.locator(".badge.status")).to_have_text("Accepted")

    page.get_by_label("Status").select_option("pending")
    expect(page).to_have_url(re.compile(r"status=pending"))
    expect(page.locator("tr.order-row")).to_have_count(25)
    page.get_by_role("button", name="Older orders").click()
    expect(page.locator("tr.order-row")).to_have_count(1)
    page.get_by_label("Status").select_option("accepted")
    expect(page.locator("tr.order-row")).to_have_count(1)
    assert sockets == [], "the regular order list opened a WebSocket"

    # Log out: the seller pages send the browser back to the login page.
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    page.goto("/seller/orders")
    expect(page).to_have_url(re.compile(r"/login\?next=/seller/orders$"))
    context.close()


def test_pages_carry_the_security_headers(system: System, browser: Browser, problems: PageProblems) -> None:
    seller = create_seller(system.gateway_url)
    context = browser.new_context(base_url=system.gateway_url, **DESKTOP)
    page = problems.watch(context.new_page())
    for path in (f"/s/{seller.slug}", "/login", "/signup", "/o/unknown-order?key=nope"):
        response = page.goto(path)
        assert response is not None and response.status == 200
        headers = response.headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "same-origin"
    expect(page.locator("#load-error")).to_contain_text("could not find this order")
    page.goto("/s/no-such-store")
    expect(page.locator("#load-error")).to_contain_text("no store at this address")
    context.close()


def test_blocked_sound_shows_a_warning_with_a_test_button(
    system: System, browser: Browser, problems: PageProblems
) -> None:
    seller = create_seller(system.gateway_url)
    context = browser.new_context(base_url=system.gateway_url, **DESKTOP)
    # Log in without touching any page, so the dashboard opens with no user gesture on the site:
    # the browser's autoplay policy then keeps its AudioContext suspended.
    login = context.request.post("/api/auth/login", data={"email": seller.email, "password": PASSWORD})
    assert login.status == 200, login.text()
    page = problems.watch(context.new_page())
    page.goto("/seller/live")
    warning = page.locator("#sound-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("blocking sound")
    warning.get_by_role("button", name="Test sound").click()
    expect(warning).to_be_hidden()
    context.close()
