"""Close codes: 4400 for frames the server refuses, 4401 without authentication, 4404 for an
unknown order or a wrong key; none of it disturbs anyone else's socket."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from shared.security import SELLER_ID_HEADER, issue_access_token
from tests.integration.notifier.conftest import (
    SECRET,
    Stack,
    open_socket,
    order_socket,
    running_notifier,
    seller_socket,
)

MALFORMED: list[Any] = [
    json.dumps({"type": "subscribe", "token": "x" * 5000}),
    json.dumps({"type": "subscribe", "token": "é" * 2100}, ensure_ascii=False),  # < 4096 chars, > 4 KiB
    b'{"type": "subscribe"}',
    "not json",
    "[]",
    json.dumps({"type": "hello"}),
    json.dumps({"type": "subscribe", "last_seq": "12"}),
    json.dumps({"type": "subscribe", "token": 12}),
]


async def test_a_malformed_first_frame_closes_the_dashboard_with_4400(stack: Stack, notifier: str) -> None:
    for frame in MALFORMED:
        async with open_socket(notifier, "/ws/seller") as socket:
            await socket.send(frame)
            assert await socket.close_code() == 4400, frame


async def test_a_malformed_frame_after_subscribing_closes_just_that_socket(
    stack: Stack, notifier: str
) -> None:
    account = await stack.seller()
    placed = await stack.place_order(account)
    async with seller_socket(notifier, account) as bystander:
        for seq, frame in enumerate([*MALFORMED[:4], json.dumps({"type": "subscribe"})], start=2):
            async with (
                seller_socket(notifier, account) as offender,
                order_socket(notifier, placed["order"]["id"], placed["customer_key"]) as (tracker, _),
            ):
                await offender.send({"type": "heartbeat"})  # keepalives are fine
                await offender.send(frame)
                assert await offender.close_code() == 4400
                await tracker.send(frame)
                assert await tracker.close_code() == 4400
            await stack.place_order(account)
            assert (await bystander.next())["seq"] == seq


async def test_a_malformed_subscribe_closes_the_order_socket_with_4400(stack: Stack, notifier: str) -> None:
    for frame in (b"\x00", json.dumps({"type": "subscribe", "key": 5}), "x" * 4097):
        async with open_socket(notifier, "/ws/orders/some-order") as socket:
            await socket.send(frame)
            assert await socket.close_code() == 4400


async def test_no_subscribe_in_time_is_closed_with_4401(stack: Stack) -> None:
    async with running_notifier(stack, notifier_subscribe_timeout_s=0.5) as notifier:
        for path in ("/ws/seller", "/ws/orders/some-order"):
            async with open_socket(notifier, path) as socket:
                started = time.monotonic()
                assert await socket.close_code(timeout=3) == 4401
                assert 0.4 < time.monotonic() - started < 2


async def test_a_missing_or_bad_token_is_closed_with_4401_at_once(stack: Stack, notifier: str) -> None:
    account = await stack.seller()
    forged = issue_access_token("some-other-secret-0123456789-0123456789", account.id)
    expired = issue_access_token(SECRET, account.id, ttl=timedelta(seconds=-1))
    for token in (None, "", "not-a-token", forged, expired):
        frame: dict[str, Any] = {"type": "subscribe", "last_seq": 0}
        if token is not None:
            frame["token"] = token
        async with open_socket(notifier, "/ws/seller") as socket:
            started = time.monotonic()
            await socket.send(frame)
            assert await socket.close_code() == 4401
            assert time.monotonic() - started < 1


async def test_an_unknown_seller_is_closed_with_4401(stack: Stack, notifier: str) -> None:
    unknown = issue_access_token(SECRET, "no-such-seller")
    async with open_socket(notifier, "/ws/seller") as socket:
        await socket.send({"type": "subscribe", "token": unknown})
        assert await socket.close_code() == 4401
    async with open_socket(notifier, "/ws/seller", {SELLER_ID_HEADER: "no-such-seller"}) as socket:
        await socket.send({"type": "subscribe"})
        assert await socket.close_code() == 4401


async def test_an_unknown_order_or_a_wrong_key_is_closed_with_4404(stack: Stack, notifier: str) -> None:
    account = await stack.seller()
    placed = await stack.place_order(account)
    order_id = placed["order"]["id"]
    for path, frame in [
        (f"/ws/orders/{order_id}", {"type": "subscribe", "key": "wrong"}),
        (f"/ws/orders/{order_id}", {"type": "subscribe"}),
        (f"/ws/orders/{order_id}", {"type": "subscribe", "key": ""}),
        ("/ws/orders/no-such-order", {"type": "subscribe", "key": placed["customer_key"]}),
        ("/ws/orders/a%3Fkey%3Dx%26b", {"type": "subscribe", "key": placed["customer_key"]}),
    ]:
        async with open_socket(notifier, path) as socket:
            await socket.send(frame)
            assert await socket.close_code() == 4404, path


async def test_a_connection_without_the_internal_token_is_refused(stack: Stack, notifier: str) -> None:
    with pytest.raises(InvalidStatus):
        async with connect(notifier + "/ws/seller"):
            pass
