"""Orders through the gateway reach the seller's dashboards and the customer's tracking socket."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from scripts.system import System
from tests.e2e.client import Socket, new_seller, order_body, seller_socket

ORDER_FIELDS = {
    "id",
    "seller_id",
    "token_number",
    "status",
    "payment_method",
    "payment_status",
    "payment_received_at",
    "customer",
    "delivery_address",
    "items",
    "total_cents",
    "currency",
    "created_at",
    "updated_at",
    "version",
    "history",
}


async def test_an_order_reaches_every_dashboard_and_changes_reach_the_customer(
    system: System, api: httpx.AsyncClient
) -> None:
    seller = await new_seller(api)
    dashboards = [await seller_socket(system.gateway_url, seller) for _ in range(3)]
    assert all(sub["seller_id"] == seller.seller["id"] and sub["head_seq"] == 0 for _, sub in dashboards)

    placed = await seller.place_order()
    assert placed.status_code == 201, placed.text
    body = placed.json()
    order_id, key = body["order"]["id"], body["customer_key"]
    assert body["tracking_url"] == f"/o/{order_id}?key={key}"

    for socket, _ in dashboards:
        event = await socket.recv(timeout=2)
        assert event["type"] == "order.created" and event["seq"] == 1
        order: dict[str, Any] = event["order"]
        assert set(order) >= ORDER_FIELDS
        assert order["id"] == order_id and order["status"] == "pending" and order["version"] == 1
        assert order["customer"] == {"name": "Asha", "phone": "+1 555 0100"}
        assert order["delivery_address"]["instructions"] == "Ring twice"
        assert order["total_cents"] == 2 * 850 + 3200
        cake = order["items"][1]
        assert cake["custom_fields"] == [
            {"key": "message", "label": "Message on the cake", "value": "Happy birthday <Ravi> & co"},
            {"key": "candles", "label": "Candles", "value": 7},
        ]

    tracking = await Socket.open(system.gateway_url, f"/ws/orders/{order_id}")
    await tracking.send({"type": "subscribe", "key": key})
    subscribed = await tracking.recv()
    assert subscribed["type"] == "subscribed" and subscribed["order"]["status"] == "pending"
    assert "seller_id" not in subscribed["order"]
    assert subscribed["order"]["payment_instructions"] == {"method": "cod", "amount_cents": 4900}

    accepted = await seller.set_status(order_id, "accepted")
    assert accepted.status_code == 200, accepted.text
    update = await tracking.recv(timeout=2)
    assert update["type"] == "order.updated" and update["order"]["status"] == "accepted"
    assert [h["status"] for h in update["order"]["history"]] == ["pending", "accepted"]
    for socket, _ in dashboards:
        event = await socket.recv(timeout=2)
        assert (event["type"], event["seq"], event["order"]["version"]) == ("order.updated", 2, 2)

    paid = await api.post(
        f"/api/seller/orders/{order_id}/payment", json={"status": "received"}, headers=seller.auth
    )
    assert paid.status_code == 200 and paid.json()["payment_status"] == "received"
    update = await tracking.recv(timeout=2)
    assert update["order"]["payment_status"] == "received" and update["order"]["version"] == 3

    customer_view = await api.get(f"/api/orders/{order_id}", params={"key": key})
    assert customer_view.status_code == 200 and customer_view.json()["version"] == 3
    assert (await api.get(f"/api/orders/{order_id}", params={"key": "wrong"})).status_code == 404


async def test_fifty_concurrent_checkouts_get_gapless_seq_and_distinct_tokens(
    system: System, api: httpx.AsyncClient
) -> None:
    seller = await new_seller(api)
    dashboard, _ = await seller_socket(system.gateway_url, seller)
    responses = await asyncio.gather(*(seller.place_order(name=f"Customer {i}") for i in range(50)))
    assert [r.status_code for r in responses] == [201] * 50
    events = await dashboard.recv_events(50)
    assert [e["seq"] for e in events] == list(range(1, 51))
    assert len({e["order"]["token_number"] for e in events}) == 50
    assert {e["order"]["id"] for e in events} == {r.json()["order"]["id"] for r in responses}
    assert await dashboard.nothing_more()
    assert await seller.head_seq() == 50


async def test_twenty_concurrent_posts_with_one_key_make_one_order(
    system: System, api: httpx.AsyncClient
) -> None:
    seller = await new_seller(api)
    responses = await asyncio.gather(*(seller.place_order(key="retry-me-123") for _ in range(20)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 19 + [201], statuses
    assert len({r.json()["order"]["id"] for r in responses}) == 1
    assert len({r.json()["customer_key"] for r in responses}) == 1
    listed = await api.get("/api/seller/orders", headers=seller.auth)
    assert len(listed.json()["orders"]) == 1 and listed.json()["head_seq"] == 1

    different = await api.post(
        f"/api/storefronts/{seller.slug}/orders",
        json=order_body(seller.products, name="Someone else"),
        headers={"Idempotency-Key": "retry-me-123"},
    )
    assert different.status_code == 422


async def test_realtime_disabled_is_refused_then_flows_once_enabled(
    system: System, api: httpx.AsyncClient
) -> None:
    seller = await new_seller(api, realtime=False)
    socket = await Socket.open(system.gateway_url, "/ws/seller")
    await socket.send({"type": "subscribe", "token": seller.token})
    assert await socket.closed_with() == 4403

    await seller.patch(realtime_enabled=True)
    dashboard, _ = await seller_socket(system.gateway_url, seller)
    assert (await seller.place_order()).status_code == 201
    assert (await dashboard.recv(timeout=2))["type"] == "order.created"

    await seller.patch(realtime_enabled=False)
    assert await dashboard.closed_with(timeout=2) == 4403
    assert (await seller.place_order()).status_code == 201, "orders still go to the regular list"
    listed = await api.get("/api/seller/orders", headers=seller.auth)
    assert len(listed.json()["orders"]) == 2


async def test_bad_socket_input_closes_only_that_socket(system: System, api: httpx.AsyncClient) -> None:
    seller = await new_seller(api)
    healthy, _ = await seller_socket(system.gateway_url, seller)
    for frame in ("not json", "x" * 5000, '{"type": "dance"}'):
        bad = await Socket.open(system.gateway_url, "/ws/seller")
        await bad.connection.send(frame)
        assert await bad.closed_with() == 4400, frame
    binary = await Socket.open(system.gateway_url, "/ws/seller")
    await binary.connection.send(b"\x00\x01")
    assert await binary.closed_with() == 4400
    bad_token = await Socket.open(system.gateway_url, "/ws/seller")
    await bad_token.send({"type": "subscribe", "token": "nope"})
    assert await bad_token.closed_with() == 4401
    unknown = await Socket.open(system.gateway_url, "/ws/orders/nope")
    await unknown.send({"type": "subscribe", "key": "nope"})
    assert await unknown.closed_with() == 4404
    assert (await seller.place_order()).status_code == 201
    assert (await healthy.recv(timeout=2))["type"] == "order.created"
