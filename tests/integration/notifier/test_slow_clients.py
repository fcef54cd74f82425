"""A client that stops reading is dropped; everyone else keeps getting events meanwhile."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import cast
from urllib.parse import urlsplit

from prometheus_client import REGISTRY

from shared.security import INTERNAL_TOKEN_HEADER
from tests.integration.notifier.conftest import (
    INTERNAL_TOKEN,
    ORDER_BODY,
    SellerAccount,
    Stack,
    running_notifier,
    seller_socket,
)

# Enough to fill the kernel's socket buffers on loopback (about 4 MB) and then some.
BIG_ORDERS = 16
FIELDS = [{"key": f"f{n:02}", "label": f"{n:02} " + "l" * 97, "type": "checkbox"} for n in range(30)]


def open_dashboards() -> float:
    value = REGISTRY.get_sample_value("santhai_websockets_open", {"service": "notifier", "kind": "seller"})
    return value or 0.0


async def wait_for_open_dashboards(expected: float, timeout: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        if open_dashboards() == expected:
            return
        assert loop.time() < deadline, f"{open_dashboards()} dashboards open, expected {expected}"
        await asyncio.sleep(0.05)


async def place_big_orders(stack: Stack, account: SellerAccount) -> None:
    """Orders of 100 lines with 30 long-labelled fields each: about 400 KB per event."""
    response = await stack.catalog.post(
        "/api/seller/products",
        json={"name": "Family feast platter " + "x" * 99, "price_cents": 1200, "custom_fields": FIELDS},
        headers=stack.as_seller(account),
    )
    assert response.status_code == 201, response.text
    values = {field["key"]: True for field in FIELDS}
    items = [{"product_id": response.json()["id"], "quantity": 1, "custom_fields": values}] * 100
    for _ in range(BIG_ORDERS):
        placed = await stack.checkout.post(
            f"/api/storefronts/{account.slug}/orders", json={**ORDER_BODY, "items": items}
        )
        assert placed.status_code == 201, placed.text


@asynccontextmanager
async def client_that_never_reads(url: str, path: str, frame: dict[str, object]) -> AsyncIterator[None]:
    """A WebSocket client (handshake and one frame written by hand) that then reads nothing,
    with a tiny receive buffer so the server's sends stall soon; on leaving, it resets the
    connection, as a client that vanished would."""
    parts = urlsplit(url)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, (parts.hostname or "127.0.0.1", parts.port or 80))
    reader, writer = await asyncio.open_connection(sock=sock, limit=1024)
    try:
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"{INTERNAL_TOKEN_HEADER}: {INTERNAL_TOKEN}\r\n\r\n".encode()
        )
        assert (await reader.readuntil(b"\r\n\r\n")).startswith(b"HTTP/1.1 101")
        payload = json.dumps(frame).encode()
        mask = os.urandom(4)
        masked = bytes(byte ^ mask[i % 4] for i, byte in enumerate(payload))
        writer.write(bytes([0x81, 0x80 | 126]) + len(payload).to_bytes(2, "big") + mask + masked)
        cast(asyncio.Transport, writer.transport).pause_reading()
        yield
    finally:
        writer.transport.abort()


async def test_a_client_that_stops_reading_is_dropped_without_holding_up_others(stack: Stack) -> None:
    account = await stack.seller()
    await place_big_orders(stack, account)
    settings = {"notifier_send_queue_limit": 10, "notifier_send_timeout_s": 0.5}
    async with running_notifier(stack, **settings) as notifier:
        before = open_dashboards()
        subscribe = {"type": "subscribe", "token": account.token, "last_seq": 0}
        async with client_that_never_reads(notifier, "/ws/seller", subscribe):
            # The replay stalls on the client that never reads, and it is dropped.
            async with seller_socket(notifier, account, last_seq=0) as fast:
                frames = await fast.next_events(BIG_ORDERS, timeout=10)
                assert [f["seq"] for f in frames] == list(range(1, BIG_ORDERS + 1))
                await wait_for_open_dashboards(before + 1, timeout=10)
            await wait_for_open_dashboards(before, timeout=10)
