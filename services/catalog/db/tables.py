"""The catalog's tables (SQLAlchemy Core). Migrations in `migrations/versions` mirror them."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from shared.db import Json, service_metadata
from shared.outbox import outbox_table

metadata = service_metadata()

sellers = Table(
    "sellers",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("email", String(254), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("business_name", String(100), nullable=False),
    Column("slug", String(40), nullable=False),
    Column("phone", String(30), nullable=True),
    Column("realtime_enabled", Boolean, nullable=False),
    Column("accepting_orders", Boolean, nullable=False),
    Column("payment_methods", Json, nullable=False),
    Column("zelle_handle", String(100), nullable=True),
    Column("currency", String(3), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # Bumped in the transaction of every change of the seller or their products, so checkout
    # can keep a storefront's checkout context and ask only whether it is still current.
    Column("context_version", BigInteger, nullable=False, server_default="0"),
    # These two make concurrent signups safe: the database, not a prior SELECT, decides.
    UniqueConstraint("email", name="uq_sellers_email"),
    UniqueConstraint("slug", name="uq_sellers_slug"),
)

products = Table(
    "products",
    metadata,
    # `position` orders a seller's products by creation; `id` is the public, opaque id.
    Column("position", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("id", String(32), nullable=False),
    Column(
        "seller_id",
        String(32),
        ForeignKey("sellers.id", ondelete="CASCADE", name="fk_products_seller_id_sellers"),
        nullable=False,
    ),
    Column("name", String(120), nullable=False),
    Column("description", Text, nullable=False),
    Column("price_cents", BigInteger, nullable=False),
    Column("available", Boolean, nullable=False),
    Column("custom_fields", Json, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("id", name="uq_products_id"),
    Index("ix_products_seller_id_position", "seller_id", "position"),
)

outbox = outbox_table(metadata)
