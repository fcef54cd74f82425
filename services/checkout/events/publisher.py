"""Committing a seller's order changes and publishing their events in the seller's seq order.

Within this process a seller's transactions run one at a time (an asyncio lock per seller), so
a burst of checkouts for one seller waits here, holding no database connection, instead of
filling the pool with transactions queued on the seller's counter-row lock. The row lock is
what makes seqs gapless and ordered across processes; this lock only keeps the queue cheap.

A transaction reserves its seq here before it commits, so by the time the next transaction of
the seller can commit, the earlier seq is already known. Publishing a seq waits (briefly) until
this process is done with every lower seq of the seller, so events reach the broker in order.
The relay keeps its hands off an event from its reservation until this process has published
and marked it (or given up). Anything not published here, because the broker was down or the
process died, stays in the outbox for `OutboxRelay`, which publishes in id order.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.outbox import OutboxRelay, PendingEvent

log = logging.getLogger(__name__)

# A request waits this long for its event's publish confirm before answering anyway.
ANSWER_WITHIN_S = 1.0
# Publishing a seq waits at most this long for lower seqs of the same seller.
PREDECESSOR_WAIT_S = 5.0


@dataclass(frozen=True)
class NewEvent:
    """An event a transaction wrote to the outbox."""

    seller_id: str
    seq: int
    pending: PendingEvent


class MayHaveEvent(Protocol):
    @property
    def event(self) -> NewEvent | None: ...


Outcome = TypeVar("Outcome", bound=MayHaveEvent)
Db = TypeVar("Db")
Transaction = Callable[[], AbstractAsyncContextManager[Db]]  # begins; commits as the block ends


def in_session(maker: async_sessionmaker[AsyncSession]) -> Transaction[AsyncSession]:
    """Transactions on a session of `maker`'s."""

    @asynccontextmanager
    async def transaction() -> AsyncIterator[AsyncSession]:
        async with maker() as session, session.begin():
            yield session

    return transaction


class OrderedPublisher:
    """One per process: serializes each seller's transactions here and publishes their events
    after commit in seq order (see the module docstring)."""

    def __init__(self, relay: OutboxRelay) -> None:
        self._relay = relay
        self._open: dict[str, dict[int, asyncio.Event]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        # A seller's lock lives while someone holds or awaits it.
        self._seller_locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    async def commit_then_publish(
        self,
        maker: async_sessionmaker[AsyncSession],
        seller_id: str,
        work: Callable[[AsyncSession], Awaitable[Outcome]],
    ) -> Outcome:
        """Run `work` in one transaction of the seller's, commit, then publish the event it wrote
        (if any)."""
        return await self.commit_then_publish_on(in_session(maker), seller_id, work)

    async def commit_then_publish_on(
        self, transaction: Transaction[Db], seller_id: str, work: Callable[[Db], Awaitable[Outcome]]
    ) -> Outcome:
        """`commit_then_publish` on a transaction of any kind (`in_session`, or asyncpg's own)."""
        event: NewEvent | None = None
        try:
            async with self._seller_lock(seller_id), transaction() as db:
                outcome = await work(db)
                event = outcome.event
                if event is not None:
                    self._reserve(event)
        except BaseException:
            if event is not None:
                self._done(event)
            raise
        if event is not None:
            await self._publish(event)
        return outcome

    async def drain(self, within_s: float) -> None:
        """Let publishes in progress finish (on shutdown)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=within_s)

    def _seller_lock(self, seller_id: str) -> asyncio.Lock:
        lock = self._seller_locks.get(seller_id)
        if lock is None:
            lock = self._seller_locks[seller_id] = asyncio.Lock()
        return lock

    def _reserve(self, event: NewEvent) -> None:
        self._open.setdefault(event.seller_id, {})[event.seq] = asyncio.Event()
        # Until we are done with it, the relay must not publish it too (out of order, twice).
        self._relay.hold([event.pending.event_id])

    def _done(self, event: NewEvent) -> None:
        self._relay.release([event.pending.event_id])
        reserved = self._open.get(event.seller_id, {})
        finished = reserved.pop(event.seq, None)
        if finished is not None:
            finished.set()
        if not reserved:
            self._open.pop(event.seller_id, None)

    async def _publish(self, event: NewEvent) -> None:
        task = asyncio.create_task(
            self._publish_in_order(event), name=f"publish-{event.seller_id}-{event.seq}"
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        await asyncio.wait({task}, timeout=ANSWER_WITHIN_S)

    async def _publish_in_order(self, event: NewEvent) -> None:
        try:
            earlier = [done for seq, done in self._open.get(event.seller_id, {}).items() if seq < event.seq]
            if earlier:
                try:
                    async with asyncio.timeout(PREDECESSOR_WAIT_S):
                        await asyncio.gather(*(done.wait() for done in earlier))
                except TimeoutError:
                    log.warning("publishing seq %d before an earlier seq of its seller", event.seq)
            await self._relay.publish_after_commit([event.pending])
        except Exception:
            log.exception("publishing after commit failed; the outbox relay will publish it")
        finally:
            self._done(event)
