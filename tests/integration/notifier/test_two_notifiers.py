"""Several notifier processes: each consumes on a queue of its own, so each delivers every
event to its own sockets."""

from __future__ import annotations

from tests.integration.notifier.conftest import Stack, order_socket, running_notifier, seller_socket


async def test_two_notifiers_each_deliver_every_event_to_their_own_sockets(stack: Stack) -> None:
    account = await stack.seller()
    placed = await stack.place_order(account)
    order_id, key = placed["order"]["id"], placed["customer_key"]
    async with (
        running_notifier(stack) as first,
        running_notifier(stack) as second,
        seller_socket(first, account, last_seq=1) as dashboard_1,
        seller_socket(second, account, last_seq=1) as dashboard_2,
        order_socket(first, order_id, key) as (tracker_1, _),
        order_socket(second, order_id, key) as (tracker_2, _),
    ):
        await stack.change_status(account, order_id, "accepted")
        for _ in range(3):
            await stack.place_order(account)
        await stack.change_status(account, order_id, "preparing")

        for dashboard in (dashboard_1, dashboard_2):
            frames = await dashboard.next_events(5)
            assert [f["seq"] for f in frames] == [2, 3, 4, 5, 6]
            await dashboard.nothing_within(0.2)
        for tracker in (tracker_1, tracker_2):
            statuses = [(await tracker.next())["order"]["status"] for _ in range(2)]
            assert statuses == ["accepted", "preparing"]
