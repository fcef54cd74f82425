"""Everything a customer or seller typed is shown as text: no HTML from input ever renders."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from scripts.system import System
from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    PageProblems,
    create_seller,
    log_in,
    order_card,
    place_order,
)

pytestmark = pytest.mark.browser

NAME = "<img src=x onerror=alert(1)>"
LINE1 = '<script>alert("address")</script>'
INSTRUCTIONS = '"><svg onload=alert(2)>'
NOTE = "<b>bold</b> & <i>co</i>"
PRODUCT = "<img src=x onerror=alert('menu')> Dosa"
MARKUP = "img, script:not([type]), svg, b, i, iframe"


def assert_no_markup(page: Page, root: str) -> None:
    expect(page.locator(root).locator(MARKUP)).to_have_count(0)


def test_customer_text_that_looks_like_html_appears_as_text(
    system: System, browser: Browser, problems: PageProblems
) -> None:
    seller = create_seller(system.gateway_url)
    with seller.api() as client:
        response = client.patch(
            f"/api/seller/products/{seller.products['Masala Dosa']}", json={"name": PRODUCT}
        )
        assert response.status_code == 200, response.text

    context = browser.new_context(base_url=system.gateway_url, **DESKTOP)
    dashboard = problems.watch(log_in(context, seller, "/seller/live"))
    expect(dashboard.locator("#connection-label")).to_have_text("WebSocket Connected")
    placed = place_order(
        seller,
        name=NAME,
        address={"line1": LINE1, "city": "Springfield", "instructions": INSTRUCTIONS},
        items=[
            {
                "product_id": seller.products["Masala Dosa"],
                "quantity": 1,
                "custom_fields": {"spice": "Hot", "note": NOTE},
            }
        ],
    )
    token = placed["order"]["token_number"]

    card = order_card(dashboard, token)
    expect(card.locator(".customer-name")).to_have_text(NAME)
    expect(card.locator(".card-address")).to_contain_text(LINE1)
    expect(card.locator(".card-address")).to_contain_text(INSTRUCTIONS)
    expect(card.locator(".item-name")).to_have_text(PRODUCT)
    expect(card.locator(".field-value").last).to_have_text(NOTE)
    expect(dashboard.locator("#announcer")).to_contain_text(NAME)
    assert_no_markup(dashboard, "#orders")
    dashboard.get_by_role("button", name="List View").click()
    row = dashboard.locator("tr.order-row")
    expect(row.locator(".customer-name")).to_have_text(NAME)
    expect(row.locator(".row-items")).to_contain_text(NOTE)
    assert_no_markup(dashboard, "#orders")

    orders = problems.watch(context.new_page())
    orders.goto("/seller/orders")
    expect(orders.locator("tr.order-row .customer-name")).to_have_text(NAME)
    assert_no_markup(orders, "#orders-table")

    phone = problems.watch(browser.new_context(base_url=system.gateway_url, **PHONE).new_page())
    phone.goto(placed["tracking_url"])
    expect(phone.locator("#address")).to_contain_text(LINE1)
    expect(phone.locator("#items .item-name")).to_have_text(PRODUCT)
    expect(phone.locator("#items .field-value").last).to_have_text(NOTE)
    assert_no_markup(phone, "#order-view")

    phone.goto(f"/s/{seller.slug}")
    expect(phone.locator(".product-name").first).to_have_text(PRODUCT)
    assert_no_markup(phone, "#products")
    # An alert() from any of this text would have been recorded by `problems` as a dialog.
    context.close()
