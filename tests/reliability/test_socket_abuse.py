"""Hostile WebSocket clients through the gateway: malformed, binary, oversized and fragmented
frames close only the socket that sent them (4400), and a flood of subscribes from one client
does not hold up anyone else's events."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from scripts.system import System
from tests.e2e.client import Seller, Socket, new_seller, seller_socket
from tests.reliability.raw_socket import RawSocket, masked_frame, raw_socket

pytestmark = pytest.mark.timeout(600)

MALFORMED = 4400
LIVE_WITHIN_S = 1.0


@dataclass
class Stage:
    system: System
    api: httpx.AsyncClient
    seller: Seller
    order: dict[str, Any]
    customer_key: str


@pytest.fixture(scope="module")
async def stage(module_system: System) -> AsyncIterator[Stage]:
    async with httpx.AsyncClient(base_url=module_system.gateway_url, timeout=30) as api:
        seller = await new_seller(api)
        placed = await seller.place_order()
        assert placed.status_code == 201, placed.text
        yield Stage(module_system, api, seller, placed.json()["order"], placed.json()["customer_key"])


async def send_text(raw: RawSocket, text: str) -> None:
    await raw.send(text.encode())


SELLER, ORDERS = "seller", "orders"
BOTH = (SELLER, ORDERS)

# what → (how, on which sockets, the close code expected)
ABUSES: dict[str, tuple[Any, tuple[str, ...], int]] = {
    "not JSON": (lambda raw: send_text(raw, "{not json"), BOTH, MALFORMED),
    "a JSON array": (lambda raw: send_text(raw, "[1, 2, 3]"), BOTH, MALFORMED),
    "a JSON string": (lambda raw: send_text(raw, '"subscribe"'), BOTH, MALFORMED),
    "unknown type": (lambda raw: send_text(raw, '{"type": "gimme"}'), BOTH, MALFORMED),
    "last_seq not a number": (
        lambda raw: send_text(raw, '{"type": "subscribe", "last_seq": "x"}'),
        (SELLER,),
        MALFORMED,
    ),
    "token not a string": (
        lambda raw: send_text(raw, '{"type": "subscribe", "token": 5}'),
        (SELLER,),
        MALFORMED,
    ),
    "key not a string": (
        lambda raw: send_text(raw, '{"type": "subscribe", "key": []}'),
        (ORDERS,),
        MALFORMED,
    ),
    "deep nesting": (lambda raw: send_text(raw, "[" * 2000 + "]" * 2000), BOTH, MALFORMED),
    "a binary frame": (lambda raw: raw.send(b"\x00\x01\x02binary", opcode=0x2), BOTH, MALFORMED),
    "4,097 bytes": (lambda raw: send_text(raw, _padded("x", 4097)), BOTH, MALFORMED),
    "4,097 bytes of emoji": (lambda raw: send_text(raw, _padded("🍛", 4097)), BOTH, MALFORMED),
    "60 KiB": (lambda raw: send_text(raw, "x" * 60 * 1024), BOTH, MALFORMED),
    "fragments adding up to 6 KiB": (
        lambda raw: _fragments(raw, [b'{"pad":"' + b"x" * 3000, b"x" * 3000 + b'"}']),
        BOTH,
        MALFORMED,
    ),
    "a lone surrogate": (
        lambda raw: send_text(raw, '{"type": "subscribe", "token": "\\ud800", "key": "\\ud800"}'),
        BOTH,
        MALFORMED,
    ),
    "1 MiB": (lambda raw: send_text(raw, "x" * 2**20), BOTH, MALFORMED),
    "invalid UTF-8": (
        lambda raw: raw.send(b'{"type": "subscribe", "token": "\xff\xfe"}'),
        BOTH,
        MALFORMED,
    ),
}


def _padded(unit: str, size: int) -> str:
    """A subscribe frame of exactly `size` bytes of UTF-8, or one past it if `unit` does not fit."""
    shell = '{"type":"subscribe","pad":"%s"}'
    room = size - len((shell % "").encode())
    text = shell % (unit * -(-room // len(unit.encode())))
    assert len(text.encode()) >= size
    return text


async def _fragments(raw: RawSocket, parts: list[bytes]) -> None:
    for i, part in enumerate(parts):
        opcode = 0x1 if i == 0 else 0x0
        raw.writer.write(masked_frame(part, opcode=opcode, fin=i == len(parts) - 1))
    await raw.writer.drain()


async def assert_still_served(stage: Stage, dashboard: Socket, tracker: Socket) -> None:
    """The well-behaved sockets opened before the abuse still get events within the bound."""
    placed = await stage.seller.place_order()
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["order"]["id"]
    started = time.monotonic()
    event = await dashboard.recv(timeout=5)
    assert event["type"] == "order.created" and event["order"]["id"] == order_id, event
    assert time.monotonic() - started < LIVE_WITHIN_S
    changed = await _next_change(stage)
    assert changed.status_code == 200, changed.text
    assert (await dashboard.recv(timeout=5))["type"] == "order.updated"
    update = await tracker.recv(timeout=5)
    assert update["type"] == "order.updated" and update["order"]["id"] == stage.order["id"], update


_CHANGES = iter(["accepted", "preparing", "out_for_delivery", "payment", "delivered"])


async def _next_change(stage: Stage) -> httpx.Response:
    """The tracked order's next change: its five are enough for the checks of one test."""
    change = next(_CHANGES)
    if change == "payment":
        return await stage.api.post(
            f"/api/seller/orders/{stage.order['id']}/payment",
            json={"status": "received"},
            headers=stage.seller.auth,
        )
    return await stage.seller.set_status(stage.order["id"], change)


async def test_each_bad_frame_closes_only_its_own_socket(stage: Stage) -> None:
    gateway = stage.system.gateway_url
    dashboard, _ = await seller_socket(gateway, stage.seller)
    tracker = await Socket.open(gateway, f"/ws/orders/{stage.order['id']}")
    await tracker.send({"type": "subscribe", "key": stage.customer_key})
    assert (await tracker.recv())["type"] == "subscribed"
    wrong: list[str] = []
    for index, (what, (abuse, sockets, expected)) in enumerate(ABUSES.items()):
        for socket_kind in sockets:
            path = "/ws/seller" if socket_kind == SELLER else f"/ws/orders/{stage.order['id']}"
            for after_subscribe in (False, True):
                async with raw_socket(gateway, path) as raw:
                    if after_subscribe:
                        subscribe = {
                            "type": "subscribe",
                            "token": stage.seller.token,
                            "key": stage.customer_key,
                        }
                        await raw.send_json(subscribe)
                        _, answer = await raw.read_frame()
                        assert b"subscribed" in answer, answer
                    await abuse(raw)
                    code = await raw.close_code(timeout=10)
                if code != expected:
                    wrong.append(f"{what} on {socket_kind} (subscribed first: {after_subscribe}): {code}")
        if index % 4 == 3:
            await assert_still_served(stage, dashboard, tracker)
    await assert_still_served(stage, dashboard, tracker)
    await dashboard.close()
    await tracker.close()
    assert not wrong, "\n".join(wrong)


FLOOD_S = 8.0
FLOOD_CLIENTS = 20  # concurrent sockets the flooding client keeps busy
FRAMES_PER_SOCKET = 200


async def flood(gateway: str, token: str, stop: asyncio.Event, stats: Counter[str]) -> None:
    """Open sockets one after another, each sending a burst of subscribe frames (with a valid
    token, with last_seq 0 so each asks for a replay, and with garbage tokens)."""
    turn = 0
    while not stop.is_set():
        turn += 1
        frame = {"type": "subscribe", "token": token if turn % 2 else "garbage", "last_seq": 0}
        payload = masked_frame(json.dumps(frame).encode())
        try:
            async with raw_socket(gateway, "/ws/seller") as raw:
                raw.writer.write(payload * FRAMES_PER_SOCKET)
                await raw.writer.drain()
                stats["frames"] += FRAMES_PER_SOCKET
                stats[f"closed {await raw.close_code(timeout=10)}"] += 1
        except (OSError, AssertionError, TimeoutError, asyncio.IncompleteReadError) as exc:
            stats[type(exc).__name__] += 1


@pytest.mark.slow
async def test_a_subscribe_flood_does_not_hold_up_other_dashboards(stage: Stage, record: Any) -> None:
    gateway = stage.system.gateway_url
    flooder = await new_seller(stage.api)
    dashboard, _ = await seller_socket(gateway, stage.seller)
    stop = asyncio.Event()
    stats: Counter[str] = Counter()
    flooding = [asyncio.create_task(flood(gateway, flooder.token, stop, stats)) for _ in range(FLOOD_CLIENTS)]
    delays: list[float] = []
    try:
        started = time.monotonic()
        while time.monotonic() - started < FLOOD_S:
            placed = await stage.seller.place_order()
            assert placed.status_code == 201, placed.text
            answered = time.monotonic()
            event = await dashboard.recv(timeout=5)
            delays.append(time.monotonic() - answered)
            assert event["order"]["id"] == placed.json()["order"]["id"]
            await asyncio.sleep(0.1)
    finally:
        stop.set()
        await asyncio.gather(*flooding)
    await dashboard.close()
    outcomes = {k: n for k, n in stats.items() if k != "frames"}
    result = {
        "flood_seconds": FLOOD_S,
        "flood_sockets": sum(n for k, n in stats.items() if k.startswith("closed")),
        "flood_frames": stats["frames"],
        "flood_outcomes": outcomes,
        "orders_during_flood": len(delays),
        "dashboard_delay_max_s": round(max(delays), 3),
        "dashboard_delay_median_s": round(sorted(delays)[len(delays) // 2], 3),
    }
    record(result)
    assert max(delays) < LIVE_WITHIN_S, result
    assert set(outcomes) <= {"closed 4400", "closed 4401"}, result
