"""Read-only queries that need one consistent snapshot: order lists and the event log."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.checkout.db.orders import record_from_row
from services.checkout.db.tables import orders, outbox
from services.checkout.domain.cursor import Cursor
from services.checkout.domain.records import OrderRecord


@asynccontextmanager
async def snapshot(maker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session whose reads all see one snapshot. PostgreSQL: a REPEATABLE READ, READ ONLY
    transaction. SQLite: one transaction, which the engine begins IMMEDIATE."""
    async with maker() as session:
        if session.get_bind().dialect.name == "postgresql":
            await session.connection(
                execution_options={"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
            )
        try:
            yield session
        finally:
            await session.rollback()


async def list_orders(
    session: AsyncSession, seller_id: str, *, status: str | None, after: Cursor | None, limit: int
) -> tuple[list[OrderRecord], bool]:
    """Up to `limit` orders, newest first (created_at, then id, descending), strictly after
    `after`; and whether more follow."""
    query = select(orders).where(orders.c.seller_id == seller_id)
    if status is not None:
        query = query.where(orders.c.status == status)
    if after is not None:
        query = query.where(
            or_(
                orders.c.created_at < after.created_at,
                and_(orders.c.created_at == after.created_at, orders.c.id < after.order_id),
            )
        )
    query = query.order_by(orders.c.created_at.desc(), orders.c.id.desc()).limit(limit + 1)
    rows = (await session.execute(query)).mappings().all()
    return [record_from_row(row) for row in rows[:limit]], len(rows) > limit


async def event_bodies(session: AsyncSession, seller_id: str, *, after: int, limit: int) -> list[str]:
    """The JSON of the seller's events with seq > after, in seq order."""
    query = (
        select(outbox.c.body)
        .where(outbox.c.seller_id == seller_id, outbox.c.seq > after)
        .order_by(outbox.c.seq)
        .limit(limit)
    )
    return list((await session.scalars(query)).all())
