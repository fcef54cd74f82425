"""The gateway's links to the notifiers: one WebSocket per notifier carrying every client socket
routed to it, each as a channel (`shared.link`).

A link is opened when the first client needs it and again, on demand, after it was lost; when
it is lost, every client on it is closed with 1012 so that it reconnects (to this notifier when
it is back, or another). The reader never waits for a client: frames go into each client's own
bounded queue (`shared.outgoing.Connection`), which drops a client that stops reading.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from services.gateway.domain.sockets import SERVICE_RESTART, client_close_code, rotation
from shared import link
from shared.link import BadLinkFrame, ChannelOpen
from shared.outgoing import Connection, OutFrame
from shared.security import INTERNAL_TOKEN_HEADER

log = logging.getLogger(__name__)

LINK_MAX_MESSAGE_BYTES = 4 * 1024 * 1024  # the notifier is trusted; a long order is a few KiB
LINK_MAX_QUEUE = 64  # frames read ahead; the reader hands each on at once
LINK_WRITE_LIMIT = 256 * 1024
LINK_PING_INTERVAL_S = 20.0  # finds a half-open link (a notifier on another host gone silently)
LINK_CLOSE_TIMEOUT_S = 2.0


class NotifierLink:
    """The link to one notifier, and the clients on it by channel number."""

    def __init__(self, base_url: str, internal_token: str, connect_timeout_s: float) -> None:
        self.base_url = base_url
        self._token = internal_token
        self._connect_timeout_s = connect_timeout_s
        self._socket: ClientConnection | None = None
        self._connecting: asyncio.Task[bool] | None = None
        self._reader: asyncio.Task[None] | None = None
        self._clients: dict[int, Connection] = {}
        self._numbers = itertools.count(1)

    async def ready(self) -> bool:
        """Whether the link is up, opening it first if need be (one attempt shared by all who ask)."""
        if self._socket is not None:
            return True
        if self._connecting is None:
            self._connecting = asyncio.get_running_loop().create_task(self._connect())
        return await asyncio.shield(self._connecting)

    async def open(self, client: Connection, opening: ChannelOpen) -> int | None:
        """A channel for `client`, or None when the link is gone."""
        if self._socket is None:
            return None
        number = next(self._numbers)
        self._clients[number] = client
        if not await self._send(link.open_frame(number, opening)):
            self._clients.pop(number, None)
            return None
        return number

    async def forward(self, number: int, text: str) -> bool:
        """Pass on a client's frame; False when the link is gone."""
        return await self._send(link.text_frame(number, text))

    async def hang_up(self, number: int, code: int) -> None:
        """The client has gone (or was closed here): the notifier ends its channel."""
        if self._clients.pop(number, None) is not None:
            await self._send(link.close_frame(number, code))

    async def close(self) -> None:
        for task in (self._connecting, self._reader):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self._socket is not None:
            await self._socket.close()

    async def _send(self, frame: str) -> bool:
        socket = self._socket
        if socket is None:
            return False
        try:
            await socket.send(frame)
        except ConnectionClosed:
            return False
        return True

    async def _connect(self) -> bool:
        try:
            socket = await connect(
                self.base_url + link.LINK_PATH,
                additional_headers={INTERNAL_TOKEN_HEADER: self._token},
                open_timeout=self._connect_timeout_s,
                ping_interval=LINK_PING_INTERVAL_S,
                ping_timeout=LINK_PING_INTERVAL_S,
                close_timeout=LINK_CLOSE_TIMEOUT_S,
                max_size=LINK_MAX_MESSAGE_BYTES,
                max_queue=LINK_MAX_QUEUE,
                write_limit=LINK_WRITE_LIMIT,
                compression=None,
                proxy=None,
                user_agent_header=None,
            )
        except (OSError, TimeoutError, InvalidHandshake, InvalidURI) as exc:
            log.warning("no link to notifier %s: %r", self.base_url, exc)
            return False
        finally:
            self._connecting = None
        log.info("linked to notifier %s", self.base_url)
        self._socket = socket
        self._reader = asyncio.get_running_loop().create_task(self._read(socket))
        return True

    async def _read(self, socket: ClientConnection) -> None:
        try:
            async for frame in socket:
                if isinstance(frame, str):
                    self._take(frame)
        except ConnectionClosed:
            pass
        except BadLinkFrame as exc:
            log.error("notifier %s sent a bad link frame: %s", self.base_url, exc)
        finally:
            self._lost(socket)
            await socket.close()

    def _take(self, frame: str) -> None:
        op, number, body = link.parse(frame)
        client = self._clients.get(number)
        if client is None:
            return  # the client went away while the notifier's frame was on its way
        if op == link.FRAME:
            client.send(OutFrame(body))
        elif op == link.CLOSE:
            del self._clients[number]
            code, reason = link.parse_close(body)
            client.end(client_close_code(code), reason)

    def _lost(self, socket: ClientConnection) -> None:
        if self._socket is socket:
            self._socket = None
            log.warning("lost the link to notifier %s", self.base_url)
        clients, self._clients = self._clients, {}
        for client in clients.values():
            client.end(SERVICE_RESTART, "lost the notifier")


class NotifierLinks:
    """One link per notifier; clients are spread over them round robin."""

    def __init__(self, urls: list[str], internal_token: str, connect_timeout_s: float) -> None:
        self.urls = urls
        self.links = [NotifierLink(url, internal_token, connect_timeout_s) for url in urls]
        self._turn = itertools.count()

    async def next_link(self) -> NotifierLink | None:
        """The next notifier's link in the rotation that is up (or comes up), or None."""
        for index in rotation(len(self.links), next(self._turn)):
            if await self.links[index].ready():
                return self.links[index]
        return None

    async def close(self) -> None:
        await asyncio.gather(*(each.close() for each in self.links))

    def names(self) -> dict[str, str]:
        """A readable name per notifier ("notifier", "notifier-2", …) and its HTTP base URL."""
        return {
            ("notifier" if i == 0 else f"notifier-{i + 1}"): http_url_of(url)
            for i, url in enumerate(self.urls)
        }


def http_url_of(ws_url: str) -> str:
    if ws_url.startswith("wss://"):
        return "https://" + ws_url.removeprefix("wss://")
    if ws_url.startswith("ws://"):
        return "http://" + ws_url.removeprefix("ws://")
    return ws_url
