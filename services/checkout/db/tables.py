"""Checkout's tables (SQLAlchemy Core). Migrations in `migrations/versions` mirror them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    TypeDecorator,
    UniqueConstraint,
)

from shared.db import Json, service_metadata
from shared.outbox import outbox_table

metadata = service_metadata()


class UtcDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on both databases, to the microsecond. SQLite keeps it as naive
    UTC text of a fixed width, so comparing the text compares the instants."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


orders = Table(
    "orders",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("seller_id", String(40), nullable=False),
    Column("storefront_slug", String(40), nullable=False),
    # The seller's business day the token number belongs to.
    Column("business_day", Date, nullable=False),
    Column("token_number", String(12), nullable=False),
    Column("status", String(20), nullable=False),
    Column("payment_method", String(10), nullable=False),
    Column("payment_status", String(10), nullable=False),
    Column("payment_received_at", UtcDateTime, nullable=True),
    Column("customer", Json, nullable=False),
    Column("delivery_address", Json, nullable=False),
    Column("items", Json, nullable=False),
    Column("history", Json, nullable=False),
    Column("total_cents", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    # Snapshots taken at checkout, for the customer's view of the order.
    Column("seller_contact", Json, nullable=False),
    Column("zelle_handle", String(100), nullable=True),
    Column("customer_key", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    UniqueConstraint("seller_id", "business_day", "token_number", name="uq_orders_seller_day_token"),
    Index("ix_orders_seller_created", "seller_id", "created_at", "id"),
    Index("ix_orders_seller_status_created", "seller_id", "status", "created_at", "id"),
)

# One row per seller, locked by every transaction that adds an event of the seller: it hands
# out the gapless event `seq` and the business day's order count for token numbers.
seller_counters = Table(
    "seller_counters",
    metadata,
    Column("seller_id", String(40), primary_key=True),
    Column("last_seq", BigInteger, nullable=False),
    Column("business_day", Date, nullable=True),
    Column("day_orders", Integer, nullable=False),
)

# Kept for good (at least the contract's 24 hours); `created_at` allows pruning later.
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("storefront_slug", String(40), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("order_id", String(32), ForeignKey("orders.id"), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

outbox = outbox_table(metadata)
