"""The sockets this process serves, by seller and by order, and how events reach them.

Everything that decides what a socket gets runs synchronously on the event loop (no awaits
between deciding and queueing), so a socket's frames are queued in exactly the order its
cursor hands them out. The only awaits are reads of checkout's log, done by at most one
task per seller (`SellerFeed`), and by the heartbeat and refresh tasks.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Iterable
from typing import Any

from services.notifier.config import Settings
from services.notifier.domain import frames
from services.notifier.domain.frames import CloseCode
from services.notifier.domain.heartbeats import HeartbeatWheel
from services.notifier.domain.sequencing import SequenceCursor, VersionGate
from services.notifier.upstream import Upstreams, UpstreamUnavailable
from shared.contract import customer_view
from shared.events import OrderEvent, SellerSettingsChanged
from shared.outgoing import Connection, OutFrame

log = logging.getLogger(__name__)

REFRESH_CONCURRENCY = 16
HEARTBEAT_FRAME = OutFrame(frames.HEARTBEAT)
# How often the heartbeat wheel turns one slot: 150 slots for the default 15 s interval.
HEARTBEAT_TICK_S = 0.1


class SellerSocket:
    """A dashboard socket: its connection and where it stands in the seller's sequence."""

    __slots__ = ("conn", "cursor", "seller_id")

    def __init__(self, conn: Connection, seller_id: str) -> None:
        self.conn = conn
        self.seller_id = seller_id
        # Held events are released all at once when their gap closes, so they must fit in
        # the connection's queue along with the page that closes it.
        self.cursor: SequenceCursor[OutFrame] = SequenceCursor(pending_limit=max(1, conn.queue_limit // 4))

    @property
    def subscribed(self) -> bool:
        return self.cursor.started

    @property
    def budget(self) -> int:
        """How many events read from the log can be queued now without overflowing."""
        return self.conn.room - self.cursor.held

    def offer(self, seq: int, frame: OutFrame) -> None:
        for ready in self.cursor.offer(seq, frame):
            self.conn.send(ready)


class OrderSocket:
    """A customer's order-tracking socket: its connection and the version it last saw."""

    __slots__ = ("conn", "gate", "key", "order_id")

    def __init__(self, conn: Connection, order_id: str, key: str) -> None:
        self.conn = conn
        self.order_id = order_id
        self.key = key
        self.gate: VersionGate[OutFrame] = VersionGate()

    @property
    def subscribed(self) -> bool:
        return self.gate.sent is not None


class SellerFeed:
    """One seller's open dashboards, and the one task that fills their gaps from the log."""

    __slots__ = ("_filler", "_hub", "_refresh", "seller_id", "sockets")

    def __init__(self, hub: Hub, seller_id: str) -> None:
        self._hub = hub
        self.seller_id = seller_id
        self.sockets: set[SellerSocket] = set()
        self._filler: asyncio.Task[None] | None = None
        self._refresh = False

    def deliver(self, seq: int, frame: OutFrame) -> None:
        gapped = False
        for socket in self.sockets:
            socket.offer(seq, frame)
            gapped = gapped or socket.cursor.gap is not None
        if gapped:
            self.request_fill(delay=self._hub.settings.notifier_gap_fill_grace_s)

    def request_fill(self, *, delay: float = 0, refresh: bool = False) -> None:
        """Fill every socket's gap from the log; with `refresh`, first ask the log for its head
        (after a broker outage nothing may have arrived to reveal a gap)."""
        self._refresh = self._refresh or refresh
        if self._filler is None:
            self._filler = asyncio.get_running_loop().create_task(self._fill(delay))

    def cancel(self) -> None:
        if self._filler is not None:
            self._filler.cancel()

    async def _fill(self, delay: float) -> None:
        failures = 0
        try:
            if delay:
                await asyncio.sleep(delay)
            while self.sockets:
                try:
                    if not await self._fill_step():
                        return
                    failures = 0
                except UpstreamUnavailable as exc:
                    failures += 1
                    log.warning("cannot read the event log: %s", exc, extra={"seller_id": self.seller_id})
                    await asyncio.sleep(min(0.25 * 2**failures, 5.0))
        finally:
            self._filler = None

    async def _fill_step(self) -> bool:
        """One read of the log; False when no socket is waiting for anything."""
        settings = self._hub.settings
        if self._refresh:
            page = await self._hub.upstreams.seller_events(self.seller_id, after=None, limit=1)
            self._refresh = False
            for socket in self.sockets:
                socket.cursor.note_head(page.head_seq)
        target = self._next_target()
        if target is None:
            return False
        gap = target.cursor.gap
        assert gap is not None
        peers = [s for s in self.sockets if s.cursor.last == gap.after and s.conn.open]
        fullest = min(peers, key=lambda s: s.budget)
        budget = fullest.budget
        if budget < settings.notifier_send_queue_limit // 2:
            await fullest.conn.wait_drained(settings.notifier_send_timeout_s)
            return True
        limit = min(settings.notifier_replay_page_size, gap.size, budget)
        page = await self._hub.upstreams.seller_events(self.seller_id, after=gap.after, limit=limit)
        if not page.events or page.events[0].seq != gap.after + 1:
            self._log_cannot_fill(peers, gap.after, page.events)
            return True
        self.offer_logged(page.events)
        return True

    def _next_target(self) -> SellerSocket | None:
        """The waiting socket with the most recent gap: live dashboards before long replays."""
        best: SellerSocket | None = None
        best_after = -1
        for socket in self.sockets:
            gap = socket.cursor.gap
            if gap is not None and socket.conn.open and gap.after > best_after:
                best, best_after = socket, gap.after
        return best

    def offer_logged(
        self, events: Iterable[OrderEvent], sockets: Iterable[SellerSocket] | None = None
    ) -> None:
        """Offer events read from the log (in seq order) to every socket, or just to `sockets`."""
        targets = list(self.sockets if sockets is None else sockets)
        for event in events:
            frame = OutFrame(frames.seller_event(event.socket_type, event.seq, event.order))
            for socket in targets:
                socket.offer(event.seq, frame)

    def _log_cannot_fill(self, peers: list[SellerSocket], after: int, events: list[OrderEvent]) -> None:
        """The log lacks events the broker said exist (or no longer holds them): those clients
        reconnect, and get a replay or a reset from a fresh subscription."""
        log.error(
            "the event log cannot fill a gap; closing the affected sockets",
            extra={"seller_id": self.seller_id, "after": after, "first": events[0].seq if events else None},
        )
        for socket in peers:
            socket.conn.drop(CloseCode.INTERNAL_ERROR)


class Hub:
    """Routes events to the sockets of this process."""

    def __init__(self, settings: Settings, upstreams: Upstreams) -> None:
        self.settings = settings
        self.upstreams = upstreams
        self._sellers: dict[str, SellerFeed] = {}
        self._orders: dict[str, set[OrderSocket]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        slots = max(1, round(settings.notifier_heartbeat_interval_s / HEARTBEAT_TICK_S))
        self._heartbeats: HeartbeatWheel[SellerSocket | OrderSocket] = HeartbeatWheel(slots)
        self._heartbeat_tick_s = settings.notifier_heartbeat_interval_s / slots

    # --- registration ----------------------------------------------------------------

    def add_seller_socket(self, socket: SellerSocket) -> None:
        """From now on the socket hears the seller's events (held until `start_seller_socket`)."""
        feed = self._sellers.get(socket.seller_id)
        if feed is None:
            feed = self._sellers[socket.seller_id] = SellerFeed(self, socket.seller_id)
        feed.sockets.add(socket)
        self._heartbeats.add(socket)

    def start_seller_socket(
        self, socket: SellerSocket, after: int, head: int, logged: list[OrderEvent]
    ) -> None:
        """Start sending the socket events after `after`: first `logged` (read from the log
        after `after`), then whatever else it needs up to `head` and beyond."""
        for frame in socket.cursor.start(after):
            socket.conn.send(frame)
        socket.cursor.note_head(head)
        feed = self._sellers[socket.seller_id]
        feed.offer_logged(logged, [socket])
        if socket.cursor.gap is not None:
            feed.request_fill()

    def remove_seller_socket(self, socket: SellerSocket) -> None:
        self._heartbeats.discard(socket)
        feed = self._sellers.get(socket.seller_id)
        if feed is None:
            return
        feed.sockets.discard(socket)
        if not feed.sockets:
            feed.cancel()
            del self._sellers[socket.seller_id]

    def add_order_socket(self, socket: OrderSocket) -> None:
        self._orders.setdefault(socket.order_id, set()).add(socket)
        self._heartbeats.add(socket)

    def start_order_socket(self, socket: OrderSocket, version: int) -> None:
        if (frame := socket.gate.start(version)) is not None:
            socket.conn.send(frame)

    def remove_order_socket(self, socket: OrderSocket) -> None:
        self._heartbeats.discard(socket)
        sockets = self._orders.get(socket.order_id)
        if sockets is None:
            return
        sockets.discard(socket)
        if not sockets:
            del self._orders[socket.order_id]

    # --- events ----------------------------------------------------------------------

    def deliver(self, event: OrderEvent) -> None:
        """An order event from the broker: to the seller's dashboards and the order's trackers."""
        occurred_at = event.occurred_at.timestamp()
        feed = self._sellers.get(event.seller_id)
        if feed is not None:
            text = frames.seller_event(event.socket_type, event.seq, event.order)
            feed.deliver(event.seq, OutFrame(text, occurred_at))
        trackers = self._orders.get(event.order_id)
        if trackers:
            self._deliver_to_trackers(event, trackers, occurred_at)

    def _deliver_to_trackers(self, event: OrderEvent, trackers: set[OrderSocket], occurred_at: float) -> None:
        try:
            view = customer_view(event.order, event.seller, event.zelle_handle)
            version = int(event.order["version"])
        except (KeyError, TypeError, ValueError):
            log.error("an order event without a usable order", extra={"event_id": event.id})
            return
        frame = OutFrame(frames.order_updated(view), occurred_at)
        for socket in list(trackers):
            if socket.gate.offer(version, frame) is not None:
                socket.conn.send(frame)

    def settings_changed(self, event: SellerSettingsChanged) -> None:
        if not event.realtime_enabled:
            self._close_dashboards(event.seller_id)

    def _close_dashboards(self, seller_id: str) -> None:
        feed = self._sellers.get(seller_id)
        for socket in list(feed.sockets if feed else ()):
            socket.conn.drop(CloseCode.FORBIDDEN)

    async def refresh_all(self) -> None:
        """After a broker outage: events may have been missed, so catch every socket up, and
        close the dashboards of sellers who turned real-time orders off meanwhile."""
        for feed in self._sellers.values():
            feed.request_fill(refresh=True)
        if self._sellers:
            self._spawn(self._recheck_realtime(list(self._sellers)))
        if self._orders:
            self._spawn(self._refresh_trackers())

    async def _recheck_realtime(self, seller_ids: list[str]) -> None:
        limit = asyncio.Semaphore(REFRESH_CONCURRENCY)

        async def recheck(seller_id: str) -> None:
            async with limit:
                try:
                    enabled = await self.upstreams.realtime_enabled(seller_id)
                except UpstreamUnavailable as exc:
                    log.warning("cannot recheck real-time orders: %s", exc)
                    return
                if not enabled:
                    self._close_dashboards(seller_id)

        await asyncio.gather(*(recheck(seller_id) for seller_id in seller_ids))

    async def _refresh_trackers(self) -> None:
        limit = asyncio.Semaphore(REFRESH_CONCURRENCY)

        async def refresh(socket: OrderSocket) -> None:
            async with limit:
                if not socket.conn.open or socket.gate.sent is None:
                    return
                try:
                    order = await self.upstreams.customer_order(socket.order_id, socket.key)
                except UpstreamUnavailable as exc:
                    log.warning("cannot refresh an order: %s", exc)
                    return
                if order is not None:
                    self._offer_order(socket, order)

        sockets = [s for trackers in self._orders.values() for s in trackers]
        await asyncio.gather(*(refresh(s) for s in sockets))

    def _offer_order(self, socket: OrderSocket, order: dict[str, Any]) -> None:
        frame = OutFrame(frames.order_updated(order))
        if socket.gate.offer(int(order.get("version", 0)), frame) is not None:
            socket.conn.send(frame)

    # --- heartbeats and lifetime -----------------------------------------------------

    async def run_heartbeats(self) -> None:
        """Every tick, a heartbeat to the subscribed sockets of the wheel's next slot: each socket
        hears one every interval, and the process sends them a few at a time, never all at once."""
        loop = asyncio.get_running_loop()
        due = loop.time()
        while True:
            due += self._heartbeat_tick_s
            await asyncio.sleep(max(0.0, due - loop.time()))
            for socket in self._heartbeats.advance():
                if socket.subscribed:
                    socket.conn.send(HEARTBEAT_FRAME)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        for feed in self._sellers.values():
            feed.cancel()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
