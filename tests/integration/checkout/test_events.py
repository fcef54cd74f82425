"""Order events: one per change, the seller's gapless seq, on RabbitMQ in order, and replayable."""

from __future__ import annotations

import asyncio
import re

from shared.events import OrderPaymentReceived, OrderPlaced, OrderStatusChanged

from .conftest import Stack, as_seller, listening, running_checkout


async def test_every_change_makes_one_event_on_the_broker_in_seq_order(stack: Stack) -> None:
    async with listening(stack.backing.amqp_url) as inbox:
        shop = await stack.catalog.open_shop(
            payment_methods=["cod", "zelle"], zelle_handle="pay@dosa.example"
        )
        placed = await stack.checkout.placed(shop, shop.cart(payment_method="zelle"))
        order_id = placed["order"]["id"]
        accepted = (await stack.checkout.change(shop, order_id, "status", status="accepted")).json()
        paid = (await stack.checkout.change(shop, order_id, "payment", status="received")).json()
        refused = await stack.checkout.change(shop, order_id, "status", status="pending")
        assert refused.status_code == 409  # a refusal makes no event

        events = await inbox.take(3)
        assert [(type(e), e.seq) for e in events] == [
            (OrderPlaced, 1),
            (OrderStatusChanged, 2),
            (OrderPaymentReceived, 3),
        ]
        assert all(e.seller_id == shop.seller_id and e.order_id == order_id for e in events)
        assert events[1].order == accepted
        assert events[2].order == paid
        assert isinstance(events[1], OrderStatusChanged) and events[1].previous_status == "pending"
        assert events[0].order["version"] == 1 and events[0].order["status"] == "pending"
        assert events[0].seller == placed["order"]["seller"]
        assert events[0].zelle_handle == "pay@dosa.example"
        assert [e.socket_type for e in events] == ["order.created", "order.updated", "order.updated"]
        await asyncio.sleep(0)
        assert inbox.empty()


async def test_fifty_concurrent_checkouts_get_gapless_seqs_and_distinct_tokens(stack: Stack) -> None:
    async with listening(stack.backing.amqp_url) as inbox:
        shop = await stack.catalog.open_shop()
        other = await stack.catalog.open_shop()
        responses = await asyncio.gather(
            *(stack.checkout.place(shop) for _ in range(50)),
            *(stack.checkout.place(other) for _ in range(10)),
        )
        assert [r.status_code for r in responses] == [201] * 60
        tokens = {r.json()["order"]["token_number"] for r in responses[:50]}
        assert tokens == {f"A-{n:03d}" for n in range(1, 51)}

        log = await stack.checkout.events(shop.seller_id, after=0, limit=5000)
        assert log["head_seq"] == 50
        assert [e["seq"] for e in log["events"]] == list(range(1, 51))
        assert {e["order_id"] for e in log["events"]} == {r.json()["order"]["id"] for r in responses[:50]}
        # Seqs are handed out in commit order, and so are token numbers and creation times.
        by_seq = [e["order"] for e in log["events"]]
        assert [o["token_number"] for o in by_seq] == [f"A-{n:03d}" for n in range(1, 51)]
        assert [o["created_at"] for o in by_seq] == sorted(o["created_at"] for o in by_seq)

        received = await inbox.take(60)
        mine = [e.seq for e in received if e.seller_id == shop.seller_id]
        theirs = [e.seq for e in received if e.seller_id == other.seller_id]
        assert mine == list(range(1, 51))
        assert theirs == list(range(1, 11))


async def test_two_checkout_processes_share_one_gapless_sequence(stack: Stack) -> None:
    """The counter row's lock, not the in-process queue, is what keeps seqs and tokens right."""
    shop = await stack.catalog.open_shop()
    async with running_checkout(stack.checkout.settings) as second:
        responses = await asyncio.gather(
            *(checkout.place(shop) for checkout in [stack.checkout, second] * 25)
        )
    assert [r.status_code for r in responses] == [201] * 50
    assert {r.json()["order"]["token_number"] for r in responses} == {f"A-{n:03d}" for n in range(1, 51)}
    log = await stack.checkout.events(shop.seller_id, after=0)
    assert (log["head_seq"], [e["seq"] for e in log["events"]]) == (50, list(range(1, 51)))
    assert [e["order"]["token_number"] for e in log["events"]] == [f"A-{n:03d}" for n in range(1, 51)]


async def test_the_events_endpoint_replays_from_any_seq(stack: Stack) -> None:
    shop = await stack.catalog.open_shop()
    other = await stack.catalog.open_shop()
    ids = [(await stack.checkout.placed(shop))["order"]["id"] for _ in range(3)]
    await stack.checkout.change(shop, ids[0], "status", status="accepted")
    await stack.checkout.placed(other)

    assert await stack.checkout.events(shop.seller_id) == {"head_seq": 4, "events": []}
    full = await stack.checkout.events(shop.seller_id, after=0)
    assert [(e["seq"], e["type"]) for e in full["events"]] == [
        (1, "order.placed"),
        (2, "order.placed"),
        (3, "order.placed"),
        (4, "order.status_changed"),
    ]
    assert full["events"][3]["order"]["status"] == "accepted"
    tail = await stack.checkout.events(shop.seller_id, after=2, limit=1)
    assert (tail["head_seq"], [e["seq"] for e in tail["events"]]) == (4, [3])
    assert (await stack.checkout.events(shop.seller_id, after=4))["events"] == []
    assert await stack.checkout.events(shop.seller_id, after=99) == {"head_seq": 4, "events": []}
    assert await stack.checkout.events("no-such-seller", after=0) == {"head_seq": 0, "events": []}
    listing = await stack.checkout.client.get("/api/seller/orders", headers=as_seller(shop.seller_id))
    assert listing.json()["head_seq"] == full["head_seq"]

    for params in ({"after": -1}, {"after": "x"}, {"after": 0, "limit": 0}, {"after": 0, "limit": 5001}):
        response = await stack.checkout.client.get(
            f"/internal/sellers/{shop.seller_id}/events", params=params
        )
        assert response.status_code == 422, params


async def test_event_ids_are_unique_and_bodies_parse(stack: Stack) -> None:
    shop = await stack.catalog.open_shop()
    for _ in range(2):
        await stack.checkout.placed(shop)
    events = (await stack.checkout.events(shop.seller_id, after=0))["events"]
    assert len({e["id"] for e in events}) == 2
    assert all(re.fullmatch(r"[0-9a-f]{32}", e["id"]) for e in events)
    assert all(OrderPlaced.model_validate(e).seq == n for n, e in enumerate(events, start=1))
