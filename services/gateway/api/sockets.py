"""`/ws/seller` and `/ws/orders/{order_id}`: the client's socket piped to a notifier's.

Per connection the gateway keeps the two sockets and one extra task (client → notifier; the
handler's own task carries notifier → client). Upstream buffers are small, there is no
keepalive ping of its own (the notifier's heartbeats flow through), and neither side keeps the
opening handshake's headers. Handshakes with the notifiers queue for a bounded number of slots;
meanwhile the client's first frame is awaited, so a client that sends no subscribe is closed
with 4401 five seconds after it connected however long the queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from urllib.parse import quote

from starlette.routing import WebSocketRoute
from starlette.types import Message
from starlette.websockets import WebSocket, WebSocketDisconnect
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from services.gateway.config import Settings
from services.gateway.domain.credentials import SESSION_COOKIE
from services.gateway.domain.origin import is_same_origin
from services.gateway.domain.sockets import (
    FOREIGN_ORIGIN,
    MALFORMED_FRAME,
    NOT_AUTHENTICATED,
    SERVICE_RESTART,
    SUBSCRIBE_WITHIN_S,
    client_close_code,
    client_frame_problem,
)
from services.gateway.state import GatewayState, client_ip, gateway_state
from shared.logs import request_id_var
from shared.metrics import SOCKETS_OPEN
from shared.security import INTERNAL_TOKEN_HEADER, SELLER_ID_HEADER, seller_id_from_token

log = logging.getLogger(__name__)

UPSTREAM_MAX_MESSAGE_BYTES = 1024 * 1024  # the notifier is trusted; a long order is a few KiB
UPSTREAM_MAX_QUEUE = 8  # frames buffered from the notifier before reading pauses
UPSTREAM_WRITE_LIMIT = 8 * 1024
UPSTREAM_CLOSE_TIMEOUT_S = 2.0
CLIENT_SEND_TIMEOUT_S = 10.0  # as long as the notifier waits for a slow client


async def seller_socket(websocket: WebSocket) -> None:
    state = gateway_state(websocket)
    cookie = websocket.cookies.get(SESSION_COOKIE)
    seller_id = seller_id_from_token(state.settings.secret_key, cookie) if cookie else None
    await websocket.accept()
    if seller_id is not None and not is_same_origin(
        origin=websocket.headers.get("origin"), referer=None, own_origin=state.own_origin
    ):
        await websocket.close(FOREIGN_ORIGIN, "cross-site socket refused")
        return
    await _bridge(websocket, state, "/ws/seller", kind="seller", seller_id=seller_id)


async def order_socket(websocket: WebSocket) -> None:
    state = gateway_state(websocket)
    order_id = str(websocket.path_params["order_id"])
    await websocket.accept()
    await _bridge(websocket, state, f"/ws/orders/{quote(order_id, safe='')}", kind="customer", seller_id=None)


# Plain Starlette routes, as in the notifier: FastAPI's websocket routing keeps its dependency
# machinery (exit stacks and all) alive for the socket's whole life, a few KiB per socket.
routes = [
    WebSocketRoute("/ws/seller", seller_socket),
    WebSocketRoute("/ws/orders/{order_id}", order_socket),
]


async def _bridge(
    websocket: WebSocket, state: GatewayState, path: str, *, kind: str, seller_id: str | None
) -> None:
    SOCKETS_OPEN.labels("gateway", kind).inc()
    # The first frame is awaited while the notifier handshake may wait for a slot: the
    # contract's 5 s count from the client's connection, not from the notifier's.
    first = asyncio.create_task(_first_frame(websocket))
    try:
        upstream = await _open_upstream_unless(first, websocket, state, path, seller_id)
        if upstream is not None:
            await SocketPipe(websocket, upstream).run(await first)
    finally:
        first.cancel()
        SOCKETS_OPEN.labels("gateway", kind).dec()


async def _first_frame(websocket: WebSocket) -> Message | None:
    """The client's first frame, or None when it did not come within SUBSCRIBE_WITHIN_S."""
    try:
        async with asyncio.timeout(SUBSCRIBE_WITHIN_S):
            return await websocket.receive()
    except TimeoutError:
        return None


async def _open_upstream_unless(
    first: asyncio.Task[Message | None],
    websocket: WebSocket,
    state: GatewayState,
    path: str,
    seller_id: str | None,
) -> ClientConnection | None:
    """The notifier socket; None (the client closed with why) when there is none, or the
    client's first frame did not come in time."""
    opening = asyncio.create_task(_open_upstream(websocket, state, path, seller_id))
    await asyncio.wait({first, opening}, return_when=asyncio.FIRST_COMPLETED)
    if first.done() and first.result() is None:
        opening.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            if (late := await opening) is not None:
                await late.close()
        await _close_quietly(websocket, NOT_AUTHENTICATED, "no subscribe frame in time")
        return None
    upstream = await opening
    if upstream is None:
        await _close_quietly(websocket, SERVICE_RESTART, "no notifier available")
    return upstream


async def _open_upstream(
    websocket: WebSocket, state: GatewayState, path: str, seller_id: str | None
) -> ClientConnection | None:
    headers = {INTERNAL_TOKEN_HEADER: state.settings.internal_token, "X-Forwarded-For": client_ip(websocket)}
    if seller_id is not None:
        headers[SELLER_ID_HEADER] = seller_id
    if request_id := request_id_var.get():
        headers["X-Request-ID"] = request_id
    notifiers = state.upstreams.notifiers
    try:
        async with notifiers.handshake_slot(state.settings.notifier_connect_queue_timeout_s):
            return await _connect_any(notifiers.in_turn(), path, headers, state.settings)
    except TimeoutError:
        log.warning("no notifier handshake slot came free in time")
        return None


async def _connect_any(
    base_urls: list[str], path: str, headers: dict[str, str], settings: Settings
) -> ClientConnection | None:
    """A socket to the first notifier that accepts one, or None."""
    for base_url in base_urls:
        try:
            upstream = await connect(
                base_url + path,
                additional_headers=headers,
                open_timeout=settings.notifier_connect_timeout_s,
                ping_interval=None,
                close_timeout=UPSTREAM_CLOSE_TIMEOUT_S,
                max_size=UPSTREAM_MAX_MESSAGE_BYTES,
                max_queue=UPSTREAM_MAX_QUEUE,
                write_limit=UPSTREAM_WRITE_LIMIT,
                compression=None,
                proxy=None,
                user_agent_header=None,
            )
        except (OSError, TimeoutError, InvalidHandshake, InvalidURI) as exc:
            log.warning("notifier %s refused a socket: %r", base_url, exc)
        else:
            _forget_handshake(upstream)
            return upstream
    return None


def _forget_handshake(upstream: ClientConnection) -> None:
    """Let go of the opening handshake's headers, which websockets never reads again but would
    keep, parsed, for the socket's whole life. The response object stays (emptied): its
    presence is how the connection knows the handshake is over, and its parser holds it too."""
    upstream.request = None
    if upstream.response is not None:
        upstream.response.headers.clear()


class SocketPipe:
    """Text frames both ways until either side closes; the client learns why the notifier closed."""

    def __init__(self, client: WebSocket, upstream: ClientConnection) -> None:
        self.client = client
        self.upstream = upstream
        self.client_closed = False

    async def run(self, first: Message | None) -> None:
        """Pipe, starting with the client's `first` frame (None: it did not come in time)."""
        from_client = asyncio.create_task(self._client_to_upstream(first))
        try:
            await self._upstream_to_client()
        finally:
            from_client.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await from_client
            await self.upstream.close()

    async def _upstream_to_client(self) -> None:
        try:
            async for message in self.upstream:
                # uvicorn's send waits while the client's buffers are full: bounded, so a client
                # that stops reading is dropped instead of holding this pipe (and the notifier's
                # socket behind it) for ever.
                async with asyncio.timeout(CLIENT_SEND_TIMEOUT_S):
                    if isinstance(message, str):
                        await self.client.send_text(message)
                    else:
                        await self.client.send_bytes(message)
        except ConnectionClosed:
            pass  # the close code below tells the client what happened
        except (WebSocketDisconnect, RuntimeError):
            self.client_closed = True  # the client went away while we wrote to it
            return
        except TimeoutError:
            log.warning("dropping a client that stopped reading")
            self.client_closed = True  # not even a Close frame can reach it now
            return
        received = self.upstream.protocol.close_rcvd
        if received is None:
            await self._close_client(SERVICE_RESTART, "lost the notifier")
        else:
            await self._close_client(client_close_code(received.code), received.reason)

    async def _client_to_upstream(self, message: Message | None) -> None:
        if message is None:
            await self._close_client(NOT_AUTHENTICATED, "no subscribe frame in time")
            await self.upstream.close()
            return
        while True:
            if message["type"] == "websocket.disconnect":
                self.client_closed = True
                break
            problem = client_frame_problem(message.get("text"))
            if problem is not None:
                await self._close_client(MALFORMED_FRAME, problem)
                break
            try:
                await self.upstream.send(message["text"])
            except ConnectionClosed:
                return  # the other direction reports the notifier's close to the client
            message = await self.client.receive()
        await self.upstream.close()

    async def _close_client(self, code: int, reason: str = "") -> None:
        if self.client_closed:
            return
        self.client_closed = True
        await _close_quietly(self.client, code, reason)


async def _close_quietly(websocket: WebSocket, code: int, reason: str = "") -> None:
    with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
        await websocket.close(code, reason)
