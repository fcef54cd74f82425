"""What a dashboard's subscribe asks catalog and checkout, shared by the sockets that ask at
about the same moment, so that a burst of reconnects costs a request per seller rather than
one per socket.

- `RealtimeCheck`: is real-time on? Known "on" answers come from `RealtimeFlags`; otherwise
  one request per seller at a time, whose answer every caller that came meanwhile shares.
- `ReplayReads`: the subscribe's read of the event log. One read per seller at a time; the
  sockets that come while it is under way share the next one (`domain.shared_reads`).

Sockets are registered in the hub before they ask, and a shared read only ever serves sockets
that were waiting before it was sent, so no event can fall between a read and the live stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any

from services.notifier.domain.realtime_flags import Lookup, RealtimeFlags
from services.notifier.domain.shared_reads import ReplayRead, share_of, shared_read
from services.notifier.upstream import EventPage, Upstreams, UpstreamUnavailable

log = logging.getLogger(__name__)

AskCatalog = Callable[[str], Coroutine[Any, Any, bool | None]]


class RealtimeCheck:
    """Whether a seller has real-time orders on (None: an unknown seller)."""

    def __init__(self, flags: RealtimeFlags, ask: AskCatalog, hears_changes: Callable[[], bool]) -> None:
        self.flags = flags
        self._ask = ask
        # Without the broker no change event can reach the flags: then every check asks.
        self._hears_changes = hears_changes
        self._asking: dict[Lookup, asyncio.Task[bool | None]] = {}

    async def enabled(self, seller_id: str) -> bool | None:
        if not self._hears_changes():
            return await self._ask(seller_id)
        if self.flags.known_enabled(seller_id):
            return True
        # Shielded: a caller that gives up (its socket closed) does not cancel the others' answer.
        return await asyncio.shield(self._lookup(seller_id))

    def _lookup(self, seller_id: str) -> asyncio.Task[bool | None]:
        under_way = self.flags.lookup_under_way(seller_id)
        if under_way is not None:
            return self._asking[under_way]
        lookup = self.flags.start_lookup(seller_id)
        task = asyncio.get_running_loop().create_task(self._ask(seller_id))
        self._asking[lookup] = task
        task.add_done_callback(lambda done: self._answered(lookup, done))
        return task

    def _answered(self, lookup: Lookup, task: asyncio.Task[bool | None]) -> None:
        del self._asking[lookup]
        failed = task.cancelled() or task.exception() is not None
        self.flags.finish_lookup(lookup, None if failed else task.result())

    async def close(self) -> None:
        await _cancel_all(list(self._asking.values()))


def _new_answer() -> asyncio.Future[EventPage]:
    return asyncio.get_running_loop().create_future()


@dataclass(eq=False)
class _Waiter:
    read: ReplayRead
    answer: asyncio.Future[EventPage] = field(default_factory=_new_answer)


class ReplayReads:
    """The subscribe's read of a seller's event log, shared by the sockets asking at once."""

    def __init__(self, upstreams: Upstreams) -> None:
        self._upstreams = upstreams
        self._waiting: dict[str, list[_Waiter]] = {}
        self._readers: dict[str, asyncio.Task[None]] = {}

    async def read(self, seller_id: str, read: ReplayRead) -> EventPage:
        """The log's head and the events this socket gets (its share of a shared page).
        Raises `UpstreamUnavailable` when checkout does not answer."""
        waiter = _Waiter(read)
        self._waiting.setdefault(seller_id, []).append(waiter)
        if seller_id not in self._readers:
            self._readers[seller_id] = asyncio.get_running_loop().create_task(self._serve(seller_id))
        return await waiter.answer

    async def _serve(self, seller_id: str) -> None:
        """Answer whoever waits, one read at a time, until nobody does."""
        try:
            while waiting := self._waiting.pop(seller_id, None):
                await self._answer(seller_id, waiting)
        finally:
            del self._readers[seller_id]
            for waiter in self._waiting.pop(seller_id, []):
                waiter.answer.cancel()

    async def _answer(self, seller_id: str, waiting: list[_Waiter]) -> None:
        while waiting := [waiter for waiter in waiting if not waiter.answer.done()]:
            shared = shared_read([waiter.read for waiter in waiting])
            try:
                page = await self._upstreams.seller_events(seller_id, after=shared.after, limit=shared.limit)
            except asyncio.CancelledError:
                for waiter in waiting:
                    waiter.answer.cancel()
                raise
            except Exception as exc:
                if not isinstance(exc, UpstreamUnavailable):
                    log.exception("reading the event log failed", extra={"seller_id": seller_id})
                for waiter in waiting:
                    _settle(waiter.answer, _unavailable(exc))
                return
            for waiter in waiting:
                share = share_of(waiter.read, shared, page.head_seq, page.events)
                if share is not None:
                    _settle(waiter.answer, EventPage(head_seq=page.head_seq, events=share))

    async def close(self) -> None:
        await _cancel_all(list(self._readers.values()))


def _unavailable(exc: Exception) -> UpstreamUnavailable:
    if isinstance(exc, UpstreamUnavailable):
        return exc
    return UpstreamUnavailable(f"reading the event log failed: {type(exc).__name__}")


def _settle(future: asyncio.Future[EventPage], outcome: EventPage | Exception) -> None:
    if future.done():
        return  # its socket gave up waiting
    if isinstance(outcome, Exception):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)


async def _cancel_all(tasks: Sequence[asyncio.Task[Any]]) -> None:
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
