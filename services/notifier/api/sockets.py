"""The two sockets the notifier serves: `/ws/seller` (dashboards) and `/ws/orders/{id}`
(customers tracking an order), each either a WebSocket of its own or a channel of a gateway's
link (`api.link`). The internal token has been checked already (see
`shared.service.ServiceMiddleware`) and, for a cookie session, the seller and the Origin by the
gateway."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol, cast

from starlette.routing import WebSocketRoute
from starlette.types import Message
from starlette.websockets import WebSocket, WebSocketDisconnect

from services.notifier.domain import frames
from services.notifier.domain.frames import CloseCode, MalformedFrame
from services.notifier.domain.sequencing import plan_replay
from services.notifier.domain.shared_reads import ReplayRead
from services.notifier.hub import OrderSocket, SellerSocket
from services.notifier.runtime import Runtime
from services.notifier.upstream import MAX_ID_LENGTH, UpstreamUnavailable
from shared.metrics import SOCKETS_OPEN
from shared.outgoing import Connection, FrameSink, OutFrame
from shared.security import SELLER_ID_HEADER, seller_id_from_token

log = logging.getLogger(__name__)

# The largest `after` passed to checkout; a bigger last_seq is past the head anyway.
MAX_SEQ = 2**62


class ClientSocket(FrameSink, Protocol):
    """A Starlette WebSocket, or a channel of a link."""

    async def accept(self) -> None: ...

    async def receive(self) -> Message: ...


class CloseSocket(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code


async def seller_socket(websocket: WebSocket) -> None:
    runtime = _runtime(websocket)
    seller_header = websocket.headers.get(SELLER_ID_HEADER)
    await run_socket(websocket, runtime, lambda conn: serve_seller(websocket, conn, runtime, seller_header))


async def order_socket(websocket: WebSocket) -> None:
    runtime = _runtime(websocket)
    order_id = str(websocket.path_params["order_id"])
    await run_socket(websocket, runtime, lambda conn: serve_order(websocket, conn, runtime, order_id))


# Plain Starlette routes: FastAPI's websocket routing keeps about 4 KB more per socket alive for
# the socket's whole life, and these sockets are many and long-lived.
routes = [
    WebSocketRoute("/ws/seller", seller_socket),
    WebSocketRoute("/ws/orders/{order_id}", order_socket),
]


def _runtime(websocket: WebSocket) -> Runtime:
    return cast(Runtime, websocket.app.state.runtime)


async def run_socket(
    websocket: ClientSocket, runtime: Runtime, serve: Callable[[Connection], Awaitable[None]]
) -> None:
    """Accept, serve until either side ends it, then close with the code decided on the way.

    `Connection.drop` (a slow client, real-time turned off) cancels this task; the
    cancellation is taken back here and turned into the close it asked for.
    """
    await websocket.accept()
    conn = Connection(websocket, runtime.send_limits)
    try:
        await serve(conn)
    except asyncio.CancelledError:
        if not conn.taken_back():
            raise
    except CloseSocket as close:
        conn.closing(close.code, str(close))
    except MalformedFrame as exc:
        conn.closing(CloseCode.MALFORMED, str(exc))
    except WebSocketDisconnect:
        pass
    except Exception:
        log.exception("socket failed")
        conn.closing(CloseCode.INTERNAL_ERROR)
    await conn.finish()


async def first_frame(websocket: ClientSocket, within_s: float) -> dict[str, Any]:
    """The client's first frame, which must come within `within_s` of connecting."""
    try:
        async with asyncio.timeout(within_s):
            message = await websocket.receive()
    except TimeoutError:
        raise CloseSocket(CloseCode.NOT_AUTHENTICATED, "no subscribe frame in time") from None
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000))
    return frames.decode_frame(message)


async def read_until_closed(websocket: ClientSocket) -> None:
    """After subscribing, a client may only send keepalives; anything else closes it (4400)."""
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        frames.check_followup(frames.decode_frame(message))


@contextmanager
def counted(kind: str) -> Iterator[None]:
    gauge = SOCKETS_OPEN.labels("notifier", kind)
    gauge.inc()
    try:
        yield
    finally:
        gauge.dec()


# --- /ws/seller --------------------------------------------------------------------------


async def serve_seller(
    websocket: ClientSocket, conn: Connection, runtime: Runtime, seller_header: str | None
) -> None:
    """`seller_header`: the seller the gateway signed in with the session cookie, if any."""
    settings = runtime.settings
    request = frames.parse_seller_subscribe(
        await first_frame(websocket, settings.notifier_subscribe_timeout_s)
    )
    seller_id = seller_header or seller_id_from_token(settings.secret_key, request.token or "")
    if not seller_id or len(seller_id) > MAX_ID_LENGTH:
        raise CloseSocket(CloseCode.NOT_AUTHENTICATED, "not authenticated")
    socket = SellerSocket(conn, seller_id)
    # Registered before anything is read, so no event can fall between the checks, the replay
    # and the live stream; a seller who turns real-time off meanwhile has this closed too.
    runtime.hub.add_seller_socket(socket)
    try:
        await _require_realtime(runtime, seller_id)
        await _subscribe_seller(runtime, socket, request.last_seq)
        with counted("seller"):
            await read_until_closed(websocket)
    finally:
        runtime.hub.remove_seller_socket(socket)


async def _require_realtime(runtime: Runtime, seller_id: str) -> None:
    try:
        enabled = await runtime.realtime.enabled(seller_id)
    except UpstreamUnavailable as exc:
        log.warning("catalog unavailable: %s", exc)
        raise CloseSocket(CloseCode.TRY_AGAIN_LATER, "catalog unavailable") from exc
    if enabled is None:
        raise CloseSocket(CloseCode.NOT_AUTHENTICATED, "unknown seller")
    if not enabled:
        raise CloseSocket(CloseCode.FORBIDDEN, "real-time orders are disabled")


async def _subscribe_seller(runtime: Runtime, socket: SellerSocket, last_seq: int | None) -> None:
    """Answer `subscribed`, then `reset` or the replay; live events follow from the hub."""
    after = last_seq if last_seq is not None and 0 <= last_seq <= MAX_SEQ else None
    # Room for `subscribed`, `reset` and the events held meanwhile, too.
    limit = max(1, min(runtime.settings.notifier_replay_page_size, socket.budget // 2))
    try:
        page = await runtime.replay_reads.read(socket.seller_id, ReplayRead(after=after, limit=limit))
    except UpstreamUnavailable as exc:
        log.warning("checkout unavailable: %s", exc)
        raise CloseSocket(CloseCode.TRY_AGAIN_LATER, "event log unavailable") from exc
    plan = plan_replay(last_seq, page.head_seq, page.events[0].seq if page.events else None)
    socket.conn.send(OutFrame(frames.seller_subscribed(socket.seller_id, page.head_seq)))
    if plan.reset:
        socket.conn.send(OutFrame(frames.reset(page.head_seq)))
    logged = [] if plan.reset else page.events
    runtime.hub.start_seller_socket(socket, plan.start_after, page.head_seq, logged)


# --- /ws/orders/{order_id} ---------------------------------------------------------------


async def serve_order(websocket: ClientSocket, conn: Connection, runtime: Runtime, order_id: str) -> None:
    request = frames.parse_order_subscribe(
        await first_frame(websocket, runtime.settings.notifier_subscribe_timeout_s)
    )
    socket = OrderSocket(conn, order_id, request.key)
    runtime.hub.add_order_socket(socket)  # before the fetch, so no change falls in between
    try:
        try:
            order = await runtime.upstreams.customer_order(order_id, request.key)
        except UpstreamUnavailable as exc:
            log.warning("checkout unavailable: %s", exc)
            raise CloseSocket(CloseCode.TRY_AGAIN_LATER, "orders unavailable") from exc
        if order is None:
            raise CloseSocket(CloseCode.NOT_FOUND, "unknown order or wrong key")
        conn.send(OutFrame(frames.order_subscribed(order)))
        runtime.hub.start_order_socket(socket, _version(order))
        with counted("customer"):
            await read_until_closed(websocket)
    finally:
        runtime.hub.remove_order_socket(socket)


def _version(order: dict[str, Any]) -> int:
    version = order.get("version")
    return version if isinstance(version, int) else 0
