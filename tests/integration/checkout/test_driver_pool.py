"""asyncpg's own pool (`shared.driver`) on the checkout's database: asyncpg's errors come out as
SQLAlchemy's, and a connection goes back to the pool clean though no reset query is sent."""

from __future__ import annotations

import asyncpg
import pytest
from sqlalchemy import bindparam, insert, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from services.checkout.db.tables import seller_counters
from shared.driver import DriverPool, DriverStatement
from tests.conftest import Backing

ADD = DriverStatement.of(
    insert(seller_counters).values(
        seller_id=bindparam("seller"), last_seq=bindparam("seq"), business_day=None, day_orders=0
    )
)
SEQ = DriverStatement.of(
    select(seller_counters.c.last_seq).where(seller_counters.c.seller_id == bindparam("seller"))
)


async def test_refusals_come_out_as_sqlalchemys_and_the_connection_is_clean_after(backing: Backing) -> None:
    pool = DriverPool(backing.checkout_database_url, size=1)  # one connection: every use reuses it
    await pool.open()
    try:
        async with pool.transaction() as db:
            await db.execute(ADD, {"seller": "driver-pool-1", "seq": 7})
        with pytest.raises(IntegrityError) as refused:
            async with pool.transaction() as db:
                await db.execute(ADD, {"seller": "driver-pool-2", "seq": 1})
                await db.execute(ADD, {"seller": "driver-pool-1", "seq": 8})  # the key is taken
        assert isinstance(refused.value.orig, asyncpg.UniqueViolationError)
        with pytest.raises(DBAPIError) as failed:
            async with pool.transaction() as db:
                await db.fetchrow(DriverStatement.of(text("SELECT no_such_column FROM seller_counters")), {})
        assert getattr(failed.value.orig, "sqlstate", None) == "42703"
        with pytest.raises(RuntimeError):
            async with pool.transaction() as db:
                await db.execute(ADD, {"seller": "driver-pool-3", "seq": 1})
                raise RuntimeError("the caller gives up")
        async with pool.transaction() as db:  # the same connection, nothing of the above left
            kept = [
                await db.fetchrow(SEQ, {"seller": s})
                for s in ("driver-pool-1", "driver-pool-2", "driver-pool-3")
            ]
        assert [row["last_seq"] if row else None for row in kept] == [7, None, None]
        assert (await pool.fetchrow("SELECT current_setting('transaction_isolation') AS level"))["level"]
    finally:
        await pool.close()
