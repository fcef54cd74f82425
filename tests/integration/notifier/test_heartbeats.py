"""Every subscribed socket gets a heartbeat each interval (15 s by default; shorter here)."""

from __future__ import annotations

import asyncio
import json

from tests.integration.notifier.conftest import Socket, Stack, order_socket, running_notifier, seller_socket


async def next_raw(socket: Socket, timeout: float) -> dict[str, object]:
    async with asyncio.timeout(timeout):
        frame: dict[str, object] = json.loads(await socket.connection.recv())
        return frame


async def test_subscribed_sockets_get_heartbeats(stack: Stack) -> None:
    account = await stack.seller()
    placed = await stack.place_order(account)
    async with (
        running_notifier(stack, notifier_heartbeat_interval_s=0.2) as notifier,
        seller_socket(notifier, account) as dashboard,
        order_socket(notifier, placed["order"]["id"], placed["customer_key"]) as (tracker, _),
    ):
        for socket in (dashboard, tracker):
            for _ in range(2):
                assert await next_raw(socket, timeout=2) == {"type": "heartbeat"}
