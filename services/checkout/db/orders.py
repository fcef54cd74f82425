"""Order rows: reading and writing them as the contract's `Order` plus checkout's snapshots."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import RowMapping, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.checkout.db.tables import orders
from services.checkout.domain.records import OrderRecord
from shared.contract import Order, SellerContact


class LostUpdate(Exception):
    """The order row was not at the version the change was computed from."""


_ORDER_COLUMNS = (
    "id", "seller_id", "token_number", "status", "payment_method", "payment_status",
    "payment_received_at", "customer", "delivery_address", "items", "history", "total_cents",
    "currency", "created_at", "updated_at", "version",
)  # fmt: skip
_CHANGING_COLUMNS = ("status", "payment_status", "payment_received_at", "history", "updated_at", "version")


def record_from_row(row: RowMapping) -> OrderRecord:
    return OrderRecord(
        order=Order.model_validate({name: row[name] for name in _ORDER_COLUMNS}),
        seller_contact=SellerContact.model_validate(row["seller_contact"]),
        zelle_handle=row["zelle_handle"],
        customer_key=row["customer_key"],
        storefront_slug=row["storefront_slug"],
    )


def _order_values(order: Order, columns: tuple[str, ...]) -> dict[str, Any]:
    """Column values: datetimes stay datetimes, nested parts become JSON documents."""
    document = order.model_dump(mode="json")
    native = order.model_dump()
    return {name: native[name] if name.endswith("_at") else document[name] for name in columns}


def order_row(record: OrderRecord, business_day: date) -> dict[str, Any]:
    """A new order's row."""
    return {
        **_order_values(record.order, _ORDER_COLUMNS),
        "storefront_slug": record.storefront_slug,
        "business_day": business_day,
        "seller_contact": record.seller_contact.model_dump(mode="json"),
        "zelle_handle": record.zelle_handle,
        "customer_key": record.customer_key,
    }


async def save_change(session: AsyncSession, changed: Order) -> None:
    """Write a changed order over the version it was computed from."""
    result = await session.execute(
        update(orders)
        .where(orders.c.id == changed.id, orders.c.version == changed.version - 1)
        .values(**_order_values(changed, _CHANGING_COLUMNS))
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise LostUpdate(changed.id)


async def get_order(session: AsyncSession, order_id: str, seller_id: str | None = None) -> OrderRecord | None:
    """The order with this id (and of this seller, when given)."""
    query = select(orders).where(orders.c.id == order_id)
    if seller_id is not None:
        query = query.where(orders.c.seller_id == seller_id)
    row = (await session.execute(query)).mappings().first()
    return record_from_row(row) if row is not None else None
