"""/ws/seller and /ws/orders/{id} through the gateway to the real notifier."""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path

import pytest

from shared.metrics import SOCKETS_OPEN
from tests.conftest import Backing
from tests.integration.gateway.conftest import System, bearer, running_system
from tests.integration.gateway.sockets import close_code, next_frame, open_socket, send_json


@pytest.fixture(scope="module")
def system(shared_system: System) -> System:
    """These tests share one system: they stop nothing and rate limits are off."""
    return shared_system


async def test_a_placed_order_reaches_the_sellers_socket(system: System) -> None:
    seller, token, product = await system.realtime_seller_with_product()
    async with open_socket(f"{system.ws_url}/ws/seller") as ws:
        await send_json(ws, {"type": "subscribe", "token": token})
        subscribed = await next_frame(ws)
        assert subscribed == {"type": "subscribed", "seller_id": seller["id"], "head_seq": 0}
        placed = await system.place_order(seller["slug"], product["id"])
        assert placed.status_code == 201
        event = await next_frame(ws)
        assert event["type"] == "order.created"
        assert event["seq"] == 1
        assert event["order"]["id"] == placed.json()["order"]["id"]
    async with open_socket(f"{system.ws_url}/ws/seller") as ws:  # a reconnect replays what it missed
        await send_json(ws, {"type": "subscribe", "token": token, "last_seq": 0})
        assert (await next_frame(ws))["head_seq"] == 1
        assert (await next_frame(ws))["seq"] == 1


async def test_a_cookie_socket_from_the_gateways_origin_needs_no_token(system: System) -> None:
    seller, token, _ = await system.realtime_seller_with_product()
    async with open_socket(f"{system.ws_url}/ws/seller", cookie=token, origin=system.origin) as ws:
        await send_json(ws, {"type": "subscribe"})
        assert (await next_frame(ws))["seller_id"] == seller["id"]


async def test_a_cookie_socket_from_a_foreign_origin_is_closed_4403(system: System) -> None:
    _, token, _ = await system.realtime_seller_with_product()
    for origin in ("http://evil.example", "null"):
        async with open_socket(f"{system.ws_url}/ws/seller", cookie=token, origin=origin) as ws:
            assert await close_code(ws) == 4403


async def test_a_token_socket_may_come_from_any_origin(system: System) -> None:
    seller, token, _ = await system.realtime_seller_with_product()
    async with open_socket(f"{system.ws_url}/ws/seller", origin="http://elsewhere.example") as ws:
        await send_json(ws, {"type": "subscribe", "token": token})
        assert (await next_frame(ws))["seller_id"] == seller["id"]


async def test_the_notifiers_close_codes_reach_the_client(system: System) -> None:
    async with open_socket(f"{system.ws_url}/ws/seller") as ws:
        await send_json(ws, {"type": "subscribe", "token": "not-a-token"})
        assert await close_code(ws) == 4401
    _, token = await system.seller()  # real-time orders still off
    async with open_socket(f"{system.ws_url}/ws/seller") as ws:
        await send_json(ws, {"type": "subscribe", "token": token})
        assert await close_code(ws) == 4403
    async with open_socket(f"{system.ws_url}/ws/orders/no-such-order") as ws:
        await send_json(ws, {"type": "subscribe", "key": "whatever"})
        assert await close_code(ws) == 4404


async def test_oversized_or_binary_frames_are_closed_4400(system: System) -> None:
    _, token, _ = await system.realtime_seller_with_product()
    async with open_socket(f"{system.ws_url}/ws/seller") as ws:
        await send_json(ws, {"type": "subscribe", "token": token, "padding": "x" * 5000})
        assert await close_code(ws) == 4400
    async with open_socket(f"{system.ws_url}/ws/seller") as ws:
        await send_json(ws, {"type": "subscribe", "token": token})
        await next_frame(ws)
        await ws.send(b"\x00\x01")
        assert await close_code(ws) == 4400
    async with open_socket(f"{system.ws_url}/ws/seller") as ws:  # past uvicorn's own bound too
        await ws.send("x" * 200_000)
        assert await close_code(ws) == 4400


async def test_the_customer_follows_the_order(system: System) -> None:
    seller, token, product = await system.realtime_seller_with_product()
    placed = (await system.place_order(seller["slug"], product["id"])).json()
    order_id = placed["order"]["id"]
    async with open_socket(f"{system.ws_url}/ws/orders/{order_id}") as ws:
        await send_json(ws, {"type": "subscribe", "key": placed["customer_key"]})
        subscribed = await next_frame(ws)
        assert subscribed["type"] == "subscribed"
        assert subscribed["order"]["id"] == order_id
        accepted = await system.client.post(
            f"/api/seller/orders/{order_id}/status", json={"status": "accepted"}, headers=bearer(token)
        )
        assert accepted.status_code == 200, accepted.text
        update = await next_frame(ws)
        assert update["type"] == "order.updated"
        assert update["order"]["status"] == "accepted"
    async with open_socket(f"{system.ws_url}/ws/orders/{order_id}") as ws:
        await send_json(ws, {"type": "subscribe", "key": "wrong-key"})
        assert await close_code(ws) == 4404


async def test_turning_real_time_off_closes_the_live_socket_4403(system: System) -> None:
    _, token, _ = await system.realtime_seller_with_product()
    async with open_socket(f"{system.ws_url}/ws/seller") as ws:
        await send_json(ws, {"type": "subscribe", "token": token})
        assert (await next_frame(ws))["type"] == "subscribed"
        off = await system.client.patch(
            "/api/seller", json={"realtime_enabled": False}, headers=bearer(token)
        )
        assert off.status_code == 200
        assert await close_code(ws, timeout=2) == 4403


async def test_no_subscribe_within_5_s_closes_4401_even_while_the_notifier_handshake_waits(
    backing: Backing,
) -> None:
    async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(65536)  # the upgrade request, which gets no answer
        await asyncio.sleep(30)
        writer.close()

    hung = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    hung_url = f"ws://127.0.0.1:{hung.sockets[0].getsockname()[1]}"
    async with hung, running_system(backing, notifier_urls=hung_url, notifier_connect_timeout_s=30) as system:
        started = time.monotonic()
        async with open_socket(f"{system.ws_url}/ws/seller") as ws:
            assert await close_code(ws, timeout=10) == 4401
        assert 4.5 < time.monotonic() - started < 7


async def test_client_sockets_share_one_link_to_the_notifier_and_end_their_channels(backing: Backing) -> None:
    async with running_system(backing) as system:
        _, token, _ = await system.realtime_seller_with_product()
        notifier_port = system.services["notifier"].port
        async with contextlib.AsyncExitStack() as stack:
            sockets = [
                await stack.enter_async_context(open_socket(f"{system.ws_url}/ws/seller")) for _ in range(20)
            ]
            for ws in sockets:
                await send_json(ws, {"type": "subscribe", "token": token})
            for ws in sockets:
                assert (await next_frame(ws))["type"] == "subscribed"
            assert connections_to(notifier_port) == 1
            assert notifier_sockets() == 20
        async with asyncio.timeout(5):
            while True:  # each client's going away ends its channel
                if notifier_sockets() == 0:
                    break
                await asyncio.sleep(0.05)
        assert connections_to(notifier_port) == 1  # the link stays for the next client


def connections_to(port: int) -> int:
    """Established TCP connections from this process's machine to `port` (IPv4 and IPv6)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            remote_port, state = int(fields[2].rsplit(":", 1)[1], 16), fields[3]
            count += remote_port == port and state == "01"
    return count


def notifier_sockets() -> int:
    return int(SOCKETS_OPEN.labels("notifier", "seller")._value.get())
