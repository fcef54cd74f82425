"""A client that stops reading is dropped; everyone else keeps getting events meanwhile."""

from __future__ import annotations

import asyncio
import json
import socket
from urllib.parse import urlsplit

from prometheus_client import REGISTRY
from websockets.asyncio.client import connect

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
FIELDS = [
    {"key": f"f{n:02}", "label": f"{n:02} " + "l" * 97, "type": "checkbox"} for n in range(30)
]


def open_dashboards() -> float:
    value = REGISTRY.get_sample_value("santhai_websockets_open", {"service": "notifier", "kind": "seller"})
    return value or 0.0


async def wait_for_open_dashboards(expected: float, timeout: float) -> None:
    async with asyncio.timeout(timeout):
        while open_dashboards() != expected:
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


def unread_socket(url: str) -> socket.socket:
    """A TCP socket with a tiny receive buffer, so a client that stops reading stalls the
    server's sends quickly."""
    parts = urlsplit(url)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((parts.hostname or "127.0.0.1", parts.port or 80))
    sock.setblocking(False)
    return sock


async def test_a_client_that_stops_reading_is_dropped_without_holding_up_others(stack: Stack) -> None:
    account = await stack.seller()
    await place_big_orders(stack, account)
    settings = {"notifier_send_queue_limit": 10, "notifier_send_timeout_s": 0.5}
    async with running_notifier(stack, **settings) as notifier:
        before = open_dashboards()
        async with connect(
            notifier + "/ws/seller",
            sock=unread_socket(notifier),
            max_queue=1,
            additional_headers={INTERNAL_TOKEN_HEADER: INTERNAL_TOKEN},
        ) as slow:
            await slow.send(json.dumps({"type": "subscribe", "token": account.token, "last_seq": 0}))
            # The slow client never reads; the replay stalls on it and it is dropped.
            async with seller_socket(notifier, account, last_seq=0) as fast:
                frames = await fast.next_events(BIG_ORDERS, timeout=10)
                assert [f["seq"] for f in frames] == list(range(1, BIG_ORDERS + 1))
                await wait_for_open_dashboards(before + 1, timeout=10)
            await wait_for_open_dashboards(before, timeout=10)
