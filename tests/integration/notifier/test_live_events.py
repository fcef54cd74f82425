"""Live events: an order placed or changed reaches the seller's dashboards and the customer."""

from __future__ import annotations

from shared.contract import CustomerOrder, Order
from tests.integration.notifier.conftest import Stack, order_socket, seller_socket


async def test_an_order_placed_reaches_the_dashboard_with_the_full_order(stack: Stack, notifier: str) -> None:
    account = await stack.seller()
    async with seller_socket(notifier, account) as dashboard:
        assert dashboard.head_seq == 0
        placed = await stack.place_order(account, quantity=2)
        frame = await dashboard.next()
    assert frame["type"] == "order.created"
    assert frame["seq"] == 1
    order = Order.model_validate(frame["order"])
    assert order.seller_id == account.id
    assert order.total_cents == 900
    assert frame["order"] == await stack.seller_order(account, placed["order"]["id"])


async def test_a_dashboard_authenticated_by_the_gateway_gets_events(stack: Stack, notifier: str) -> None:
    account = await stack.seller()
    async with seller_socket(notifier, account, by_cookie=True) as dashboard:
        await stack.place_order(account)
        frame = await dashboard.next()
    assert (frame["type"], frame["seq"]) == ("order.created", 1)


async def test_a_status_change_reaches_the_customer_and_the_dashboard(stack: Stack, notifier: str) -> None:
    account = await stack.seller()
    placed = await stack.place_order(account)
    order_id = placed["order"]["id"]
    async with (
        seller_socket(notifier, account, last_seq=1) as dashboard,
        order_socket(notifier, order_id, placed["customer_key"]) as (tracker, first),
    ):
        assert first == placed["order"]
        await stack.change_status(account, order_id, "accepted")
        update = await tracker.next()
        dashboard_update = await dashboard.next()
        await stack.change_status(account, order_id, "preparing")
        second_update = await tracker.next()

    assert update["type"] == "order.updated"
    view = CustomerOrder.model_validate(update["order"])
    assert (view.status, view.version) == ("accepted", 2)
    assert "seller_id" not in update["order"]
    assert view.payment_instructions.amount_cents == placed["order"]["total_cents"]
    response = await stack.checkout.get(f"/api/orders/{order_id}", params={"key": placed["customer_key"]})
    assert second_update["order"] == response.json()
    assert second_update["order"]["status"] == "preparing"

    assert (dashboard_update["type"], dashboard_update["seq"]) == ("order.updated", 2)
    assert dashboard_update["order"]["status"] == "accepted"


async def test_dashboards_hear_only_their_own_sellers_events(stack: Stack, notifier: str) -> None:
    mine, theirs = await stack.seller(), await stack.seller()
    async with seller_socket(notifier, mine) as dashboard:
        await stack.place_order(theirs)
        await stack.place_order(mine)
        frame = await dashboard.next()
        assert frame["order"]["seller_id"] == mine.id
        await dashboard.nothing_within(0.3)


async def test_a_tracker_hears_only_its_own_order(stack: Stack, notifier: str) -> None:
    account = await stack.seller()
    mine, other = await stack.place_order(account), await stack.place_order(account)
    async with order_socket(notifier, mine["order"]["id"], mine["customer_key"]) as (tracker, _):
        await stack.change_status(account, other["order"]["id"], "accepted")
        await stack.change_status(account, mine["order"]["id"], "rejected")
        update = await tracker.next()
        assert (update["order"]["id"], update["order"]["status"]) == (mine["order"]["id"], "rejected")
        await tracker.nothing_within(0.3)
