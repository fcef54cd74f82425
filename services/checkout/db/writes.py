"""Several writes of a transaction in one round trip, where the database allows it."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Insert, Table, Update, bindparam, insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.driver import DriverConnection, DriverStatement

NewRow = tuple[Table, Mapping[str, Any]]  # a row to insert into a table


async def insert_then_update(
    db: AsyncSession | DriverConnection, rows: Sequence[NewRow], update: Update, params: Mapping[str, Any]
) -> None:
    """Insert the rows, in their order, then run `update` with `params`.

    PostgreSQL: one statement, the inserts as data-modifying CTEs of the update: one round
    trip instead of one per write. A violated constraint fails the whole statement (as it would
    fail the transaction anyway); foreign keys are checked at its end, so a row may refer to one
    inserted beside it. SQLite, which has no data-modifying CTEs: one statement each. `params`
    must not be named like the inserts' (`w<n>_<column>`). On asyncpg's own connection
    (`shared.driver`, PostgreSQL) the same statement, compiled once for it."""
    if isinstance(db, AsyncSession) and db.get_bind().dialect.name != "postgresql":
        for table, row in rows:
            await db.execute(_insert_into(table), row)
        await db.execute(update, params)
        return
    shape = tuple((table, tuple(row)) for table, row in rows)
    inserted = {f"w{n}_{column}": value for n, (_, row) in enumerate(rows) for column, value in row.items()}
    if isinstance(db, DriverConnection):
        await db.execute(_for_driver(shape, update), {**inserted, **params})
    else:
        await db.execute(_with_inserts(shape, update), {**inserted, **params})


@functools.cache
def _insert_into(table: Table) -> Insert:
    return insert(table)


@functools.cache
def _for_driver(shape: tuple[tuple[Table, tuple[str, ...]], ...], update: Update) -> DriverStatement:
    return DriverStatement.of(_with_inserts(shape, update))


@functools.cache
def _with_inserts(shape: tuple[tuple[Table, tuple[str, ...]], ...], update: Update) -> Update:
    """Built once per shape of rows: a statement made per call costs SQLAlchemy a new cache key."""
    inserts = (
        insert(table).values({column: bindparam(f"w{n}_{column}") for column in columns}).cte(f"w{n}")
        for n, (table, columns) in enumerate(shape)
    )
    return update.add_cte(*inserts)
