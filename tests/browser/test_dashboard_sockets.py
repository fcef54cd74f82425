"""The dashboard's connection: a notifier that dies and comes back, several dashboards of one
seller, a stale card answered with 409, and real-time orders turned off (4403)."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, WebSocketRoute, expect

from scripts.system import System
from tests.browser.conftest import (
    DESKTOP,
    PASSWORD,
    PageProblems,
    create_seller,
    log_in,
    order_card,
    place_order,
    poll,
)

pytestmark = pytest.mark.browser
CONNECTED = "WebSocket Connected"


def stored_last_seq(page: Page, seller_id: str) -> Any:
    return page.evaluate("key => JSON.parse(localStorage.getItem(key))", f"santhai.lastSeq.{seller_id}")


def test_orders_placed_while_the_notifier_is_down_appear_once_when_it_is_back(
    system: System, browser: Browser, problems: PageProblems
) -> None:
    seller = create_seller(system.gateway_url)
    context = browser.new_context(base_url=system.gateway_url, **DESKTOP)
    dashboard = problems.watch(log_in(context, seller, "/seller/live"))
    label = dashboard.locator("#connection-label")
    expect(label).to_have_text(CONNECTED)
    first = place_order(seller, name="Before the outage")["order"]["token_number"]
    expect(order_card(dashboard, first)).to_be_visible()

    system["notifier"].kill()
    killed_at = time.monotonic()
    expect(label).not_to_have_text(CONNECTED, timeout=5000)
    assert time.monotonic() - killed_at < 5
    expect(dashboard.locator("#connection")).not_to_have_attribute("data-state", "connected")

    during = [place_order(seller, name=f"During outage {i}")["order"]["token_number"] for i in range(3)]
    expect(dashboard.locator("article.order-card")).to_have_count(1)

    system["notifier"].start()
    system["notifier"].wait_ready(30)
    expect(label).to_have_text(CONNECTED, timeout=15_000)
    for token in during:
        expect(order_card(dashboard, token)).to_have_count(1)
    expect(dashboard.locator("article.order-card")).to_have_count(4)
    expect(dashboard.locator("#announcer")).to_contain_text("New order")
    poll(lambda: stored_last_seq(dashboard, seller.id) == 4, message="last_seq 4 in localStorage")

    # The last seq survives a reload; resuming from it shows each order once.
    dashboard.reload()
    expect(label).to_have_text(CONNECTED)
    expect(dashboard.locator("article.order-card")).to_have_count(4)
    later = place_order(seller, name="After the reload")["order"]["token_number"]
    expect(order_card(dashboard, later)).to_have_count(1)
    expect(dashboard.locator("article.order-card")).to_have_count(5)
    assert stored_last_seq(dashboard, seller.id) == 5
    context.close()


def test_an_action_on_one_dashboard_shows_on_the_other(
    system: System, browser: Browser, problems: PageProblems
) -> None:
    seller = create_seller(system.gateway_url)
    counter = browser.new_context(base_url=system.gateway_url, **DESKTOP)
    kitchen = browser.new_context(base_url=system.gateway_url, **DESKTOP)
    front = problems.watch(log_in(counter, seller, "/seller/live"))
    back = problems.watch(log_in(kitchen, seller, "/seller/live"))
    for page in (front, back):
        expect(page.locator("#connection-label")).to_have_text(CONNECTED)

    token = place_order(seller, name="Two screens")["order"]["token_number"]
    front_card, back_card = order_card(front, token), order_card(back, token)
    expect(front_card).to_be_visible()
    expect(back_card).to_be_visible()

    front_card.get_by_role("button", name="Accept Order").click()
    expect(back_card.locator(".badge.status")).to_have_text("Accepted")
    expect(back_card.get_by_role("button", name="Accept Order")).to_have_count(0)

    back_card.get_by_role("button", name="Preparing").click()
    expect(front_card.locator(".badge.status")).to_have_text("Preparing")
    back_card.get_by_role("button", name="Mark Payment Received").click()
    expect(front_card.locator(".badge.payment")).to_have_text("Paid")
    expect(front_card.get_by_role("button", name="Mark Payment Received")).to_have_count(0)

    # List View on one screen still follows the other.
    back.get_by_role("button", name="List View").click()
    front_card.get_by_role("button", name="Out for Delivery").click()
    back_row = back.locator("tr.order-row").filter(has=back.get_by_text(token, exact=True))
    expect(back_row.locator(".badge.status")).to_have_text("Out for Delivery")
    back_row.get_by_role("button", name="Mark as Delivered").click()
    expect(front_card.locator(".badge.status")).to_have_text("Delivered")
    expect(front_card.locator(".actions button")).to_have_count(0)
    counter.close()
    kitchen.close()


def test_a_stale_card_gets_the_current_order_from_the_409(
    system: System, browser: Browser, problems: PageProblems
) -> None:
    seller = create_seller(system.gateway_url)
    counter = browser.new_context(base_url=system.gateway_url, **DESKTOP)
    kitchen = browser.new_context(base_url=system.gateway_url, **DESKTOP)
    held: list[str | bytes] = []
    frozen = {"on": False}
    routes: list[WebSocketRoute] = []

    def hold_events(ws: WebSocketRoute) -> None:
        """Sit between the kitchen's page and the server, and hold the server's frames on demand."""
        routes.append(ws)
        server = ws.connect_to_server()
        ws.on_message(server.send)
        server.on_message(lambda message: held.append(message) if frozen["on"] else ws.send(message))

    kitchen.route_web_socket(re.compile(r"/ws/seller$"), hold_events)
    front = problems.watch(log_in(counter, seller, "/seller/live"))
    back = problems.watch(log_in(kitchen, seller, "/seller/live"))
    for page in (front, back):
        expect(page.locator("#connection-label")).to_have_text(CONNECTED)
    token = place_order(seller, name="Raced")["order"]["token_number"]
    expect(order_card(back, token)).to_be_visible()

    frozen["on"] = True
    order_card(front, token).get_by_role("button", name="Accept Order").click()
    expect(order_card(front, token).locator(".badge.status")).to_have_text("Accepted")
    poll(lambda: held, page=back, message="the kitchen's held event")
    stale = order_card(back, token)
    expect(stale.locator(".badge.status")).to_have_text("Pending")

    stale.get_by_role("button", name="Reject").click()
    stale.get_by_label("Reason for rejecting").fill("Out of dosa batter")
    stale.get_by_role("button", name="Confirm reject").click()
    expect(stale.locator(".badge.status")).to_have_text("Accepted")
    expect(back.locator("#notices")).to_contain_text("already changed on another device")
    expect(stale.get_by_role("button", name="Preparing")).to_be_visible()

    # The held event arrives late: it is applied once and changes nothing.
    frozen["on"] = False
    for message in held:
        routes[-1].send(message)
    poll(lambda: stored_last_seq(back, seller.id) == 2, message="the late event applied")
    expect(back.locator("article.order-card")).to_have_count(1)
    expect(stale.locator(".badge.status")).to_have_text("Accepted")
    counter.close()
    kitchen.close()


def test_real_time_orders_disabled_shows_a_message_instead_of_reconnecting(
    system: System, browser: Browser, problems: PageProblems
) -> None:
    seller = create_seller(system.gateway_url, realtime=False)
    context = browser.new_context(base_url=system.gateway_url, **DESKTOP)
    sockets: list[str] = []
    context.on("page", lambda page: page.on("websocket", lambda ws: sockets.append(ws.url)))
    dashboard = problems.watch(log_in(context, seller, "/seller/live"))
    message = dashboard.locator("#disabled-message")
    expect(message).to_be_visible()
    expect(message.get_by_role("link", name="Seller Information")).to_have_attribute("href", "/seller")
    expect(dashboard.locator("#connection-label")).to_have_text("Disconnected")
    opened = len(sockets)
    # No reconnect loop: nothing new is opened for longer than the longest backoff.
    deadline = time.monotonic() + 6
    while time.monotonic() < deadline:
        dashboard.wait_for_timeout(250)
        assert len(sockets) == opened, "the dashboard kept reconnecting after 4403"

    # Turn it on from Seller Information, and the dashboard connects.
    message.get_by_role("link", name="Seller Information").click()
    switch = dashboard.get_by_role("switch", name="Enable Real-Time Orders")
    expect(switch).not_to_be_checked()
    switch.check()
    dashboard.get_by_role("button", name="Save changes").click()
    expect(dashboard.locator("#save-status")).to_have_text("Changes saved.")
    dashboard.get_by_role("link", name="Open Real-Time Orders Dashboard").click()
    expect(dashboard.locator("#connection-label")).to_have_text(CONNECTED)
    expect(dashboard.locator("#disabled-message")).to_be_hidden()

    # Turned off while open: the socket is closed with 4403 and the message comes back.
    with seller.api() as client:
        assert client.patch("/api/seller", json={"realtime_enabled": False}).status_code == 200
    expect(dashboard.locator("#disabled-message")).to_be_visible(timeout=5000)
    expect(dashboard.locator("#connection-label")).to_have_text("Disconnected")
    context.close()


# Counts the tones the dashboard plays (two per beep), without changing how they are made.
COUNT_TONES = """
(() => {
  window.__tones = 0;
  const create = AudioContext.prototype.createOscillator;
  AudioContext.prototype.createOscillator = function () { window.__tones += 1; return create.call(this); };
})();
"""


def test_a_new_order_alerts_until_someone_acts_and_is_highlighted_after_five_minutes(
    system: System, browser: Browser, problems: PageProblems
) -> None:
    seller = create_seller(system.gateway_url)
    context = browser.new_context(base_url=system.gateway_url, **DESKTOP)
    context.add_init_script(script=COUNT_TONES)
    login = context.request.post("/api/auth/login", data={"email": seller.email, "password": PASSWORD})
    assert login.status == 200, login.text()
    dashboard = problems.watch(context.new_page())
    dashboard.clock.install()
    dashboard.goto("/seller/live")
    expect(dashboard.locator("#connection-label")).to_have_text(CONNECTED)
    # No gesture yet, so the browser keeps audio suspended: "Test sound" is the seller's gesture.
    dashboard.get_by_role("button", name="Test sound").click()
    expect(dashboard.locator("#sound-warning")).to_be_hidden()
    poll(lambda: dashboard.evaluate("window.__tones") == 2, message="the test sound")

    token = place_order(seller, name="Hungry Hari")["order"]["token_number"]
    card = order_card(dashboard, token)
    expect(card).to_be_visible()
    expect(dashboard).to_have_title(re.compile(r"^\(1\) "))
    poll(lambda: dashboard.evaluate("window.__tones") == 4, message="the new-order beep")
    dashboard.clock.run_for(17_000)  # the alert repeats while the order waits
    assert dashboard.evaluate("window.__tones") == 8
    expect(card).not_to_have_class(re.compile(r"\boverdue\b"))

    dashboard.clock.fast_forward("05:30")
    expect(card).to_have_class(re.compile(r"\boverdue\b"))
    expect(card.locator(".age")).to_have_text(re.compile(r"^5 min ago$"))
    expect(card.locator(".overdue-note")).to_be_visible()

    # Acting on it (from another device, through the API) stops the alert everywhere.
    with seller.api() as client:
        order_id = card.get_attribute("data-order-id")
        assert (
            client.post(f"/api/seller/orders/{order_id}/status", json={"status": "accepted"}).status_code
            == 200
        )
    expect(card.locator(".badge.status")).to_have_text("Accepted")
    expect(card).not_to_have_class(re.compile(r"\boverdue\b"))
    expect(dashboard).to_have_title(re.compile(r"^Real-Time Orders Dashboard"))
    tones = dashboard.evaluate("window.__tones")
    dashboard.clock.run_for(30_000)
    assert dashboard.evaluate("window.__tones") == tones

    # Keyboard: the next action can be reached and pressed without a mouse.
    card.get_by_role("button", name="Preparing").focus()
    dashboard.keyboard.press("Enter")
    expect(card.locator(".badge.status")).to_have_text("Preparing")
    focused = dashboard.evaluate("document.activeElement?.closest('article')?.dataset.orderId ?? null")
    assert focused == order_id, "focus left the card after the action"
    context.close()


def test_a_reset_reloads_the_list_and_continues_from_its_head_seq(
    system: System, browser: Browser, problems: PageProblems
) -> None:
    seller = create_seller(system.gateway_url)
    first = place_order(seller, name="Before the reset")["order"]["token_number"]
    context = browser.new_context(base_url=system.gateway_url, **DESKTOP)
    tampered: list[int] = []

    def ask_for_the_impossible(ws: WebSocketRoute) -> None:
        """The first subscribe claims a last_seq beyond head_seq, which the server answers with reset."""
        server = ws.connect_to_server()
        server.on_message(ws.send)

        def forward(message: str | bytes) -> None:
            frame = json.loads(message)
            if frame.get("type") == "subscribe" and not tampered:
                tampered.append(frame.get("last_seq"))
                frame["last_seq"] = 1_000_000
            server.send(json.dumps(frame))

        ws.on_message(forward)

    context.route_web_socket(re.compile(r"/ws/seller$"), ask_for_the_impossible)
    list_loads: list[str] = []
    context.on(
        "request",
        lambda request: list_loads.append(request.url) if "/api/seller/orders?" in request.url else None,
    )
    dashboard = problems.watch(log_in(context, seller, "/seller/live"))
    expect(dashboard.locator("#connection-label")).to_have_text(CONNECTED)
    poll(lambda: len(list_loads) == 2, page=dashboard, message="the list loaded again after reset")
    assert tampered == [1]
    expect(order_card(dashboard, first)).to_have_count(1)
    assert stored_last_seq(dashboard, seller.id) == 1

    later = place_order(seller, name="After the reset")["order"]["token_number"]
    expect(order_card(dashboard, later)).to_have_count(1)
    expect(dashboard.locator("article.order-card")).to_have_count(2)
    poll(lambda: stored_last_seq(dashboard, seller.id) == 2, message="last_seq 2")
    context.close()
