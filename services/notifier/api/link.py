"""`/ws/link`: a gateway's link, which carries many client sockets as channels (`shared.link`).

Each channel is served by the same code as a socket of its own (`api.sockets.run_socket`): a
`Channel` looks like a WebSocket to it. The link's reader never waits for a channel, and a
channel's frames go out through the shared link in the order its connection sends them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import deque
from typing import cast
from urllib.parse import unquote

from starlette.routing import WebSocketRoute
from starlette.types import Message
from starlette.websockets import WebSocket, WebSocketDisconnect

from services.notifier.api.sockets import run_socket, serve_order, serve_seller
from services.notifier.domain.frames import CloseCode, MalformedFrame
from services.notifier.runtime import Runtime
from shared import link
from shared.link import BadLinkFrame, ChannelOpen
from shared.logs import request_id_var

log = logging.getLogger(__name__)

# Frames a channel may have waiting before its task reads them (a client sends a subscribe and
# then only keepalives); past it the client is closed with 4400.
INBOX_LIMIT = 32
ORDER_PATH_PREFIX = "/ws/orders/"
LINK_END_WAIT_S = 2.0
LINK_LOST = 1006  # the disconnect code a channel's task hears when its link is gone
_FLOODED: Message = {"type": "santhai.flooded"}


class Channel:
    """One client socket carried by a link, with the methods of a WebSocket `run_socket` uses."""

    __slots__ = ("_inbox", "_link", "_waiter", "closed", "number")

    def __init__(self, owner: Link, number: int) -> None:
        self._link = owner
        self.number = number
        self._inbox: deque[Message] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self.closed = False

    async def accept(self) -> None:
        """The client's socket was accepted by the gateway already."""

    def deliver(self, message: Message) -> None:
        if len(self._inbox) >= INBOX_LIMIT:
            self._inbox.clear()
            message = _FLOODED
        self._inbox.append(message)
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def receive(self) -> Message:
        while not self._inbox:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        message = self._inbox.popleft()
        if message is _FLOODED:
            raise MalformedFrame("too many frames at once")
        return message

    def hang_up(self, code: int) -> None:
        """The client has gone (or its link has): its task hears a disconnect, nothing more is sent."""
        self.closed = True
        self.deliver({"type": "websocket.disconnect", "code": code})

    async def send_text(self, data: str) -> None:
        if self.closed:
            raise WebSocketDisconnect(1006)
        await self._link.send(link.text_frame(self.number, data))

    async def close(self, code: int = 1000, reason: str | None = None) -> None:
        if self.closed:
            return
        self.closed = True
        self._link.forget(self.number)
        await self._link.send(link.close_frame(self.number, code, reason or ""))


class Link:
    """The channels of one gateway's link, and the tasks serving them."""

    def __init__(self, websocket: WebSocket, runtime: Runtime) -> None:
        self._websocket = websocket
        self._runtime = runtime
        self._channels: dict[int, Channel] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def send(self, frame: str) -> None:
        """Raises WebSocketDisconnect (or RuntimeError) once the link is gone, as a socket does."""
        await self._websocket.send_text(frame)

    def forget(self, number: int) -> None:
        self._channels.pop(number, None)

    async def serve(self) -> None:
        try:
            while True:
                message = await self._websocket.receive()
                if message["type"] == "websocket.disconnect":
                    return
                text = message.get("text")
                if text is None:
                    log.error("a link carried a binary frame")
                    continue
                try:
                    self._take(text)
                except BadLinkFrame as exc:
                    log.error("a link carried a bad frame: %s", exc)
        finally:
            await self._end_all()

    def _take(self, frame: str) -> None:
        op, number, body = link.parse(frame)
        if op == link.OPEN:
            self._open(number, ChannelOpen.decode(body))
            return
        channel = self._channels.get(number)
        if channel is None:
            return  # ended on this side while the gateway's frame was on its way
        if op == link.FRAME:
            channel.deliver({"type": "websocket.receive", "text": body})
        else:
            self.forget(number)
            code, _ = link.parse_close(body)
            channel.hang_up(code)

    def _open(self, number: int, opening: ChannelOpen) -> None:
        if number in self._channels:
            raise BadLinkFrame(f"channel {number} is open already")
        channel = self._channels[number] = Channel(self, number)
        task = asyncio.get_running_loop().create_task(self._serve_channel(channel, opening))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _serve_channel(self, channel: Channel, opening: ChannelOpen) -> None:
        request_id_var.set(opening.request_id or uuid.uuid4().hex)
        runtime = self._runtime
        try:
            if opening.path == "/ws/seller":
                seller_id = opening.seller_id
                await run_socket(
                    channel, runtime, lambda conn: serve_seller(channel, conn, runtime, seller_id)
                )
            elif opening.path.startswith(ORDER_PATH_PREFIX):
                order_id = unquote(opening.path.removeprefix(ORDER_PATH_PREFIX))
                await run_socket(channel, runtime, lambda conn: serve_order(channel, conn, runtime, order_id))
            else:
                await channel.close(CloseCode.NOT_FOUND, "no such socket")
        finally:
            self.forget(channel.number)

    async def _end_all(self) -> None:
        """The link is gone: every channel hears that its client went away."""
        channels, self._channels = self._channels, {}
        for channel in channels.values():
            channel.hang_up(LINK_LOST)
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=LINK_END_WAIT_S)


async def link_socket(websocket: WebSocket) -> None:
    await websocket.accept()
    with contextlib.suppress(WebSocketDisconnect):
        await Link(websocket, cast(Runtime, websocket.app.state.runtime)).serve()


routes = [WebSocketRoute(link.LINK_PATH, link_socket)]
