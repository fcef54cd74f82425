"""The per-seller counter row: event `seq` and the business day's order count, under a lock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from sqlalchemy import Executable, Row, Table, Update, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from services.checkout.db.tables import seller_counters
from services.checkout.domain.tokens import DayCount
from shared.driver import DriverConnection, DriverStatement


@dataclass(frozen=True)
class Counter:
    last_seq: int
    day: DayCount | None


async def lock_counter(db: AsyncSession | DriverConnection, seller_id: str) -> Counter:
    """The seller's counter, locked until the transaction ends (created at zero if new).

    One statement: an insert that, for an existing row, updates it to itself, which takes the
    row's lock and returns it."""
    if isinstance(db, DriverConnection):
        found = await db.fetchrow(_UPSERT_RETURNING_DRIVER, {"seller_id": seller_id})
        assert found is not None  # an upsert returns its row
        return _counter_of(found["last_seq"], found["business_day"], found["day_orders"])
    dialect = db.get_bind().dialect.name
    row = (await db.execute(_UPSERT_RETURNING[dialect], {"seller_id": seller_id})).one()
    return _counter(row)


async def lock_existing_counter(session: AsyncSession, seller_id: str) -> Counter | None:
    """The seller's counter, locked until the transaction ends; None for a seller without one.

    PostgreSQL: `SELECT … FOR UPDATE` on the row. SQLite: the engine's `BEGIN IMMEDIATE`
    already holds the database's write lock, and `FOR UPDATE` is not rendered."""
    row = (await session.execute(_LOCK, {"seller_id": seller_id})).first()
    return None if row is None else _counter(row)


def _counter(row: Row[Any]) -> Counter:
    return _counter_of(row.last_seq, row.business_day, row.day_orders)


def _counter_of(last_seq: int, business_day: date | None, day_orders: int) -> Counter:
    day = DayCount(business_day, day_orders) if business_day is not None else None
    return Counter(last_seq=last_seq, day=day)


def _upsert_returning(insert: Callable[[Table], Any]) -> Executable:
    new_row = {"seller_id": bindparam("seller_id"), "last_seq": 0, "business_day": None, "day_orders": 0}
    keep = {"last_seq": seller_counters.c.last_seq}  # the row as it is
    returned = (seller_counters.c.last_seq, seller_counters.c.business_day, seller_counters.c.day_orders)
    statement = insert(seller_counters).values(new_row)
    return cast(
        Executable,
        statement.on_conflict_do_update(index_elements=[seller_counters.c.seller_id], set_=keep).returning(
            *returned
        ),
    )


# Statements built once (with bound parameters): one made per call costs SQLAlchemy a new
# cache key every time.
_UPSERT_RETURNING = {
    "postgresql": _upsert_returning(postgresql.insert),
    "sqlite": _upsert_returning(sqlite.insert),
}
_UPSERT_RETURNING_DRIVER = DriverStatement.of(cast(Any, _UPSERT_RETURNING["postgresql"]))
_LOCK = select(seller_counters).where(seller_counters.c.seller_id == bindparam("seller_id")).with_for_update()
_WHERE_SELLER = seller_counters.c.seller_id == bindparam("seller")
_SAVE_SEQ = update(seller_counters).where(_WHERE_SELLER).values(last_seq=bindparam("last_seq"))
_SAVE_SEQ_AND_DAY = (
    update(seller_counters)
    .where(_WHERE_SELLER)
    .values(
        last_seq=bindparam("last_seq"),
        business_day=bindparam("business_day"),
        day_orders=bindparam("day_orders"),
    )
)


async def save_counter(session: AsyncSession, seller_id: str, counter: Counter) -> None:
    await session.execute(*counter_update(seller_id, counter))


def counter_update(seller_id: str, counter: Counter) -> tuple[Update, dict[str, Any]]:
    """The statement that saves the seller's counter, and its parameters."""
    if counter.day is None:
        return _SAVE_SEQ, {"seller": seller_id, "last_seq": counter.last_seq}
    return _SAVE_SEQ_AND_DAY, {
        "seller": seller_id,
        "last_seq": counter.last_seq,
        "business_day": counter.day.day,
        "day_orders": counter.day.orders,
    }


async def head_seq(session: AsyncSession, seller_id: str) -> int:
    """The seller's last event `seq` (0 before the first)."""
    value = await session.scalar(
        select(seller_counters.c.last_seq).where(seller_counters.c.seller_id == seller_id)
    )
    return int(value or 0)
