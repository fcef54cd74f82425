"""SQLAlchemy statements compiled once for asyncpg (`shared.driver`): `$n` placeholders in
the order asyncpg takes its arguments, literal values included, each through its type's
processing as SQLAlchemy's engine would do it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import bindparam, insert

from services.checkout.db.tables import orders, seller_counters
from shared.driver import DriverPool, DriverStatement


def test_a_statement_becomes_numbered_sql_and_positional_arguments() -> None:
    statement = DriverStatement.of(
        insert(seller_counters).values(seller_id=bindparam("seller"), last_seq=0, day_orders=bindparam("n"))
    )
    assert statement.sql.startswith(
        "INSERT INTO seller_counters (seller_id, last_seq, day_orders) VALUES ($1"
    )
    assert statement.arguments({"seller": "s-1", "n": 3}) == ["s-1", 0, 3]


def test_json_and_utc_datetimes_are_processed_as_the_engine_does() -> None:
    statement = DriverStatement.of(
        insert(orders).values(
            id=bindparam("id"), customer=bindparam("customer"), created_at=bindparam("created_at")
        )
    )
    plus_two = timezone(timedelta(hours=2))
    _, customer, created_at = statement.arguments(
        {
            "id": "o-1",
            "customer": {"name": "Asha"},
            "created_at": datetime(2026, 12, 5, 3, 0, tzinfo=plus_two),
        }
    )
    assert json.loads(customer) == {"name": "Asha"}
    assert created_at == datetime(2026, 12, 5, 1, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="naive"):
        statement.arguments({"id": "o-2", "customer": {}, "created_at": datetime(2026, 12, 5)})


async def test_no_pool_on_sqlite_so_callers_take_sqlalchemys_way() -> None:
    pool = DriverPool("sqlite+aiosqlite:///var/x.db", size=2)
    await pool.open()
    assert not pool.available
    with pytest.raises(RuntimeError, match="not open"):
        await pool.fetchrow("SELECT 1")
