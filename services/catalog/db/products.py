"""Queries on products. Every query is scoped to its seller, so one seller never reaches another's."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from services.catalog.db.sellers import bump_context_version
from services.catalog.db.tables import products
from services.catalog.domain.products import ProductRecord

_COLUMNS = [products.c[name] for name in ProductRecord.__dataclass_fields__]


def _record(row: RowMapping) -> ProductRecord:
    return ProductRecord(**{key: row[key] for key in ProductRecord.__dataclass_fields__})


async def list_for_seller(session: AsyncSession, seller_id: str) -> list[ProductRecord]:
    """The seller's products in the order they were created."""
    rows = await session.execute(
        select(*_COLUMNS).where(products.c.seller_id == seller_id).order_by(products.c.position)
    )
    return [_record(row) for row in rows.mappings()]


async def get(
    session: AsyncSession, seller_id: str, product_id: str, *, for_update: bool = False
) -> ProductRecord | None:
    query = select(*_COLUMNS).where(products.c.id == product_id, products.c.seller_id == seller_id)
    if for_update:
        query = query.with_for_update()
    row = (await session.execute(query)).mappings().first()
    return _record(row) if row else None


async def insert_products(session: AsyncSession, records: Sequence[ProductRecord]) -> None:
    now = datetime.now(UTC)
    for record in records:  # one statement each, so `position` follows the given order
        await session.execute(insert(products).values(**asdict(record), created_at=now, updated_at=now))
    for seller_id in {record.seller_id for record in records}:
        await bump_context_version(session, seller_id)


async def save(session: AsyncSession, record: ProductRecord) -> None:
    values = asdict(record)
    del values["id"], values["seller_id"]
    await session.execute(
        update(products)
        .where(products.c.id == record.id, products.c.seller_id == record.seller_id)
        .values(**values, updated_at=datetime.now(UTC))
    )
    await bump_context_version(session, record.seller_id)


async def delete_product(session: AsyncSession, seller_id: str, product_id: str) -> bool:
    result = await session.execute(
        delete(products).where(products.c.id == product_id, products.c.seller_id == seller_id)
    )
    deleted = bool(result.rowcount)  # type: ignore[attr-defined]
    if deleted:
        await bump_context_version(session, seller_id)
    return deleted
