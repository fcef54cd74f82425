"""The transactional outbox: events are written in the same transaction as the change that
caused them, published right after commit, and re-published by a relay if that failed.

The table also serves as checkout's event log: order events carry `seller_id` and `seq`, unique
together, which is what dashboards replay from.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql.dml import Insert

from shared.events import IntegrationEvent
from shared.messaging import Broker, BrokerUnavailable
from shared.metrics import OUTBOX_PENDING

log = logging.getLogger(__name__)
RELAY_INTERVAL_S = 1.0
RELAY_BATCH = 500
# How long published events wait to be marked with the ones published after them: one
# transaction (and one fsync) marks them all.
MARK_LINGER_S = 0.1


def outbox_table(metadata: MetaData) -> Table:
    return Table(
        "outbox",
        metadata,
        Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
        Column("event_id", String(32), nullable=False, unique=True),
        Column("event_type", String(64), nullable=False),
        Column("seller_id", String(40), nullable=True),
        Column("seq", BigInteger, nullable=True),
        Column("body", Text, nullable=False),
        Column("occurred_at", DateTime(timezone=True), nullable=False),
        Column("published_at", DateTime(timezone=True), nullable=True),
        UniqueConstraint("seller_id", "seq", name="uq_outbox_seller_seq"),
        Index("ix_outbox_unpublished", "published_at", "id"),
    )


class PendingEvent:
    """An event written to the outbox in the current transaction, to publish after commit."""

    __slots__ = ("body", "event_id", "event_type")

    def __init__(self, event_id: str, event_type: str, body: str) -> None:
        self.event_id = event_id
        self.event_type = event_type
        self.body = body

    @classmethod
    def of_row(cls, row: Mapping[str, Any]) -> PendingEvent:
        return cls(row["event_id"], row["event_type"], row["body"])


def outbox_row(event: IntegrationEvent) -> dict[str, Any]:
    """The event's outbox row (the table numbers it), for a writer that inserts it itself."""
    return {
        "event_id": event.id,
        "event_type": event.type,
        "seller_id": getattr(event, "seller_id", None),
        "seq": getattr(event, "seq", None),
        "body": event.model_dump_json(),
        "occurred_at": event.occurred_at,
    }


async def add_to_outbox(session: AsyncSession, table: Table, event: IntegrationEvent) -> PendingEvent:
    row = outbox_row(event)
    await session.execute(_insert_into(table), row)
    return PendingEvent.of_row(row)


@functools.cache
def _insert_into(table: Table) -> Insert:
    """Built once per table: a statement made per call costs SQLAlchemy a new cache key."""
    return insert(table)


class OutboxRelay:
    """Publishes outbox rows: at once after commit (`publish_after_commit`) and, for whatever is
    left, from a background loop in id order (so per-seller `seq` order is kept)."""

    def __init__(self, maker: async_sessionmaker[AsyncSession], table: Table, broker: Broker) -> None:
        self._maker = maker
        self._table = table
        self._broker = broker
        self._wake = asyncio.Event()
        self._in_flight: set[str] = set()
        self._held: set[str] = set()
        self._released_during_pass: set[str] = set()
        self._to_mark: list[str] = []
        self._marks_waiting = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._marker: asyncio.Task[None] | None = None
        broker.on_reconnect(self._on_reconnect)

    def hold(self, event_ids: Iterable[str]) -> None:
        """Keep the background relay off these events (rows it may already see committed) until
        `release`: their writer will publish them itself, in an order of its own, and mark them."""
        self._held.update(event_ids)

    def release(self, event_ids: Iterable[str]) -> None:
        """Hand held events back to the relay (whatever of them is still unpublished)."""
        released = set(event_ids)
        self._held.difference_update(released)
        # A relay pass under way may have read these rows before their writer marked them.
        self._released_during_pass.update(released)

    async def _on_reconnect(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-relay")
        self._marker = asyncio.create_task(self._mark_in_batches(), name="outbox-marker")

    async def stop(self) -> None:
        """Stop relaying; rows published meanwhile are marked first (so a restart does not
        publish them again)."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._marker is not None:
            self._marker.cancel()
            await asyncio.gather(self._marker, return_exceptions=True)
        await self._mark_queued()

    async def publish_after_commit(self, pending: Sequence[PendingEvent]) -> None:
        """The fast path: publish now; on failure leave the rows for the relay. Rows published
        are marked in the background, in batches: the caller does not wait for a second commit."""
        published: list[str] = []
        for item in pending:
            self._in_flight.add(item.event_id)
        try:
            for item in pending:
                await self._broker.publish_raw(item.event_type, item.event_id, item.body.encode())
                published.append(item.event_id)
        except BrokerUnavailable as exc:
            log.warning("publish deferred to the outbox relay: %s", exc)
            self._wake.set()
        finally:
            # A published row stays in flight until it is marked, so the relay does not publish
            # it a second time; the others go back to the relay now.
            for item in pending[len(published) :]:
                self._in_flight.discard(item.event_id)
            self._to_mark.extend(published)
            self._marks_waiting.set()

    async def _mark_in_batches(self) -> None:
        while True:
            await self._marks_waiting.wait()
            await asyncio.sleep(MARK_LINGER_S)
            self._marks_waiting.clear()
            await self._mark_queued()

    async def _mark_queued(self) -> None:
        while self._to_mark:
            batch = self._to_mark[:RELAY_BATCH]
            try:
                await self._mark_published(batch)
            except asyncio.CancelledError:
                raise  # the batch stays queued: `stop` marks it
            except Exception:
                log.exception("could not mark events published; the relay will publish them again")
            del self._to_mark[: len(batch)]  # what was queued meanwhile went on the end
            self._in_flight.difference_update(batch)

    async def _mark_published(self, event_ids: Sequence[str]) -> None:
        async with self._maker() as session, session.begin():
            await session.execute(
                update(self._table)
                .where(self._table.c.event_id.in_(event_ids))
                .values(published_at=datetime.now(UTC))
            )

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), RELAY_INTERVAL_S)
            self._wake.clear()
            if not self._broker.connected:
                continue
            try:
                while await self.relay_once() == RELAY_BATCH:
                    pass
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("outbox relay pass failed: %s", exc)

    async def relay_once(self) -> int:
        """Publish unpublished rows in id order; returns how many were found."""
        table = self._table
        self._released_during_pass.clear()
        async with self._maker() as session:
            rows: Sequence[Any] = (
                await session.execute(
                    select(table.c.event_id, table.c.event_type, table.c.body)
                    .where(table.c.published_at.is_(None))
                    .order_by(table.c.id)
                    .limit(RELAY_BATCH)
                )
            ).all()
        OUTBOX_PENDING.set(len(rows))
        skip = self._in_flight | self._held | self._released_during_pass
        rows = [row for row in rows if row.event_id not in skip]
        if not rows:
            return 0
        published: list[str] = []
        try:
            for row in rows:
                await self._broker.publish_raw(row.event_type, row.event_id, row.body.encode())
                published.append(row.event_id)
        finally:
            if published:
                await self._mark_published(published)
        OUTBOX_PENDING.set(0)
        return len(rows)
