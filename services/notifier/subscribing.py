"""What a dashboard's subscribe asks catalog and checkout, shared by the sockets that ask at
about the same moment, so that a burst of reconnects costs a request per seller rather than
one per socket.

- `RealtimeCheck`: is real-time on? One request per seller at a time; the sockets that come
  while it is under way share the next one.
- `ReplayReads`: the subscribe's read of the event log. One read per seller at a time; the
  sockets that come while it is under way share the next one (`domain.shared_reads`).

Sockets are registered in the hub before they ask, and a shared request only ever serves sockets
that were waiting before it was sent: no event can fall between a read and the live stream, and
no answer predates a change the seller made before the socket came.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from services.notifier.domain.shared_reads import ReplayRead, share_of, shared_read
from services.notifier.upstream import EventPage, Upstreams, UpstreamUnavailable

log = logging.getLogger(__name__)

AskCatalog = Callable[[str], Coroutine[Any, Any, bool | None]]
T = TypeVar("T")
W = TypeVar("W")


class _TakingTurns(Generic[W]):
    """Callers waiting per seller, served a batch at a time: a batch is everyone who was
    waiting when it was taken, and those who come while it is served form the next one."""

    def __init__(
        self, serve: Callable[[str, list[W]], Awaitable[None]], give_up: Callable[[W], object]
    ) -> None:
        self._serve_batch = serve
        self._give_up = give_up
        self._waiting: dict[str, list[W]] = {}
        self._servers: dict[str, asyncio.Task[None]] = {}

    def join(self, seller_id: str, waiter: W) -> None:
        self._waiting.setdefault(seller_id, []).append(waiter)
        if seller_id not in self._servers:
            self._servers[seller_id] = asyncio.get_running_loop().create_task(self._serve(seller_id))

    async def _serve(self, seller_id: str) -> None:
        try:
            while batch := self._waiting.pop(seller_id, None):
                await self._serve_batch(seller_id, batch)
        finally:
            del self._servers[seller_id]
            for waiter in self._waiting.pop(seller_id, []):
                self._give_up(waiter)

    async def close(self) -> None:
        await _cancel_all(list(self._servers.values()))


class RealtimeCheck:
    """Whether a seller has real-time orders on (None: an unknown seller).

    One question per seller at a time, whose answer is shared by the callers that were already
    waiting when it was sent; callers that come while it is under way share the next one. So
    every answer comes from a question sent after its caller came, and a subscribe that starts
    after the seller's PATCH answered always sees that change (nothing is remembered longer)."""

    def __init__(self, ask: AskCatalog) -> None:
        self._ask = ask
        self._turns = _TakingTurns[asyncio.Future[bool | None]](self._answer, lambda answer: answer.cancel())

    async def enabled(self, seller_id: str) -> bool | None:
        """Raises what the question raised (`UpstreamUnavailable` when the catalog is down)."""
        answer: asyncio.Future[bool | None] = asyncio.get_running_loop().create_future()
        self._turns.join(seller_id, answer)
        return await answer

    async def _answer(self, seller_id: str, waiting: list[asyncio.Future[bool | None]]) -> None:
        if not (waiting := [answer for answer in waiting if not answer.done()]):
            return  # every socket of this batch gave up: nothing to ask
        try:
            enabled = await self._ask(seller_id)
        except asyncio.CancelledError:
            for answer in waiting:
                answer.cancel()
            raise
        except Exception as exc:
            for answer in waiting:
                _settle(answer, exc)
            return
        for answer in waiting:
            _settle(answer, enabled)

    async def close(self) -> None:
        await self._turns.close()


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
        self._turns = _TakingTurns[_Waiter](self._answer, lambda waiter: waiter.answer.cancel())

    async def read(self, seller_id: str, read: ReplayRead) -> EventPage:
        """The log's head and the events this socket gets (its share of a shared page).
        Raises `UpstreamUnavailable` when checkout does not answer."""
        waiter = _Waiter(read)
        self._turns.join(seller_id, waiter)
        return await waiter.answer

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
        await self._turns.close()


def _unavailable(exc: Exception) -> UpstreamUnavailable:
    if isinstance(exc, UpstreamUnavailable):
        return exc
    return UpstreamUnavailable(f"reading the event log failed: {type(exc).__name__}")


def _settle(future: asyncio.Future[T], outcome: T | Exception) -> None:
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
