"""`/ws/seller` and `/ws/orders/{order_id}`: the client's socket carried to a notifier as a
channel of the gateway's link to it (`services.gateway.links`).

Per client the gateway keeps its socket, the handler's task (client → notifier) and a bounded
queue of frames for it (notifier → client), whose sender task exists only while there is
something to send. A client that sends no subscribe is closed with 4401 five seconds after it
connected, however long the link took to open.
"""

from __future__ import annotations

import asyncio
import contextlib
from urllib.parse import quote

from starlette.routing import WebSocketRoute
from starlette.types import Message
from starlette.websockets import WebSocket, WebSocketDisconnect

from services.gateway.domain.credentials import SESSION_COOKIE
from services.gateway.domain.origin import is_same_origin
from services.gateway.domain.sockets import (
    FOREIGN_ORIGIN,
    MALFORMED_FRAME,
    NORMAL_CLOSURE,
    NOT_AUTHENTICATED,
    SERVICE_RESTART,
    SUBSCRIBE_WITHIN_S,
    client_frame_problem,
)
from services.gateway.links import NotifierLink
from services.gateway.state import GatewayState, gateway_state
from shared.link import ChannelOpen
from shared.logs import request_id_var
from shared.metrics import SOCKETS_OPEN
from shared.outgoing import Connection
from shared.security import seller_id_from_token


async def seller_socket(websocket: WebSocket) -> None:
    state = gateway_state(websocket)
    cookie = websocket.cookies.get(SESSION_COOKIE)
    seller_id = seller_id_from_token(state.settings.secret_key, cookie) if cookie else None
    await websocket.accept()
    if seller_id is not None and not is_same_origin(
        origin=websocket.headers.get("origin"), referer=None, own_origin=state.own_origin
    ):
        with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
            await websocket.close(FOREIGN_ORIGIN, "cross-site socket refused")
        return
    await _relay(websocket, state, "seller", ChannelOpen("/ws/seller", seller_id, request_id_var.get()))


async def order_socket(websocket: WebSocket) -> None:
    state = gateway_state(websocket)
    order_id = str(websocket.path_params["order_id"])
    await websocket.accept()
    path = f"/ws/orders/{quote(order_id, safe='')}"
    await _relay(websocket, state, "customer", ChannelOpen(path, None, request_id_var.get()))


# Plain Starlette routes, as in the notifier: FastAPI's websocket routing keeps its dependency
# machinery (exit stacks and all) alive for the socket's whole life, a few KiB per socket.
routes = [
    WebSocketRoute("/ws/seller", seller_socket),
    WebSocketRoute("/ws/orders/{order_id}", order_socket),
]


class _Close(Exception):
    """Close the client with this code and reason."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code


async def _relay(websocket: WebSocket, state: GatewayState, kind: str, opening: ChannelOpen) -> None:
    """Carry the client's socket over a notifier's link until either side ends it.

    The link's reader closes the client (`Connection.end`/`drop` cancel this task, which takes
    the cancellation back and closes with the code given); this task passes the client's frames on.
    """
    client = Connection(websocket, state.send_limits)
    # Awaited while the link may still be opening: the contract's 5 s count from the client's
    # connection, however long that takes.
    first = asyncio.create_task(_first_frame(websocket))
    channel: tuple[NotifierLink, int] | None = None
    SOCKETS_OPEN.labels("gateway", kind).inc()
    try:
        link = await _link_unless_silent(state, first)
        number = await link.open(client, opening)
        if number is None:
            raise _Close(SERVICE_RESTART, "lost the notifier")
        channel = (link, number)
        await _pass_on(websocket, link, number, await first)
    except _Close as close:
        client.closing(close.code, str(close))
    except asyncio.CancelledError:
        if not client.taken_back():
            raise
    finally:
        first.cancel()
        SOCKETS_OPEN.labels("gateway", kind).dec()
    if channel is not None:
        await channel[0].hang_up(channel[1], client.close_code or NORMAL_CLOSURE)
    await client.finish()


async def _first_frame(websocket: WebSocket) -> Message | None:
    """The client's first frame, or None when it did not come within SUBSCRIBE_WITHIN_S."""
    try:
        async with asyncio.timeout(SUBSCRIBE_WITHIN_S):
            return await websocket.receive()
    except TimeoutError:
        return None


async def _link_unless_silent(state: GatewayState, first: asyncio.Task[Message | None]) -> NotifierLink:
    """A notifier's link, unless the client sent nothing in time before one was up."""
    linking = asyncio.create_task(state.upstreams.notifiers.next_link())
    try:
        await asyncio.wait({first, linking}, return_when=asyncio.FIRST_COMPLETED)
        if not linking.done() and first.result() is None:
            raise _Close(NOT_AUTHENTICATED, "no subscribe frame in time")
        link = await linking
    finally:
        linking.cancel()  # a link being opened goes on opening: the attempt is shared
    if link is None:
        raise _Close(SERVICE_RESTART, "no notifier available")
    return link


async def _pass_on(websocket: WebSocket, link: NotifierLink, number: int, first: Message | None) -> None:
    """The client's frames to the notifier, starting with `first`, until the client goes."""
    if first is None:
        raise _Close(NOT_AUTHENTICATED, "no subscribe frame in time")
    message = first
    while message["type"] != "websocket.disconnect":
        text = message.get("text")
        if (problem := client_frame_problem(text)) is not None:
            raise _Close(MALFORMED_FRAME, problem)
        assert text is not None
        if not await link.forward(number, text):
            raise _Close(SERVICE_RESTART, "lost the notifier")
        message = await websocket.receive()
