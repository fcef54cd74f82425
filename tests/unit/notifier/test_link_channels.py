"""A channel of a gateway's link, as the code serving a socket sees it."""

from __future__ import annotations

import asyncio
from typing import Any, cast

import pytest
from starlette.websockets import WebSocketDisconnect

from services.notifier.api.link import INBOX_LIMIT, Channel, Link
from services.notifier.domain.frames import MalformedFrame
from shared import link


class FakeLinkSocket:
    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send_text(self, data: str) -> None:
        self.sent.append(data)


def channel_on(socket: FakeLinkSocket, number: int = 5) -> Channel:
    owner = Link(cast(Any, socket), cast(Any, None))
    return Channel(owner, number)


async def test_frames_are_received_in_order_and_sent_as_link_frames() -> None:
    socket = FakeLinkSocket()
    channel = channel_on(socket)
    waiting = asyncio.create_task(channel.receive())
    await asyncio.sleep(0)
    channel.deliver({"type": "websocket.receive", "text": "one"})
    channel.deliver({"type": "websocket.receive", "text": "two"})
    assert (await waiting)["text"] == "one"
    assert (await channel.receive())["text"] == "two"
    await channel.send_text('{"type":"subscribed"}')
    await channel.close(4403, "real-time orders are disabled")
    await channel.close(1000)  # once only
    assert socket.sent == [
        link.text_frame(5, '{"type":"subscribed"}'),
        link.close_frame(5, 4403, "real-time orders are disabled"),
    ]


async def test_a_client_that_floods_its_channel_is_refused_as_malformed() -> None:
    channel = channel_on(FakeLinkSocket())
    for _ in range(INBOX_LIMIT + 1):
        channel.deliver({"type": "websocket.receive", "text": '{"type":"ping"}'})
    with pytest.raises(MalformedFrame):
        await channel.receive()


async def test_a_closed_channel_sends_nothing_more() -> None:
    socket = FakeLinkSocket()
    channel = channel_on(socket)
    channel.closed = True
    with pytest.raises(WebSocketDisconnect):
        await channel.send_text("late")
    assert socket.sent == []
