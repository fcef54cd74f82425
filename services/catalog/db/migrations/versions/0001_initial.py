"""Sellers, products and the outbox.

Revision ID: 0001
Revises:
Create Date: 2025-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "sellers",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("business_name", sa.String(100), nullable=False),
        sa.Column("slug", sa.String(40), nullable=False),
        sa.Column("phone", sa.String(30), nullable=True),
        sa.Column("realtime_enabled", sa.Boolean(), nullable=False),
        sa.Column("accepting_orders", sa.Boolean(), nullable=False),
        sa.Column("payment_methods", JSON, nullable=False),
        sa.Column("zelle_handle", sa.String(100), nullable=True),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sellers"),
        sa.UniqueConstraint("email", name="uq_sellers_email"),
        sa.UniqueConstraint("slug", name="uq_sellers_slug"),
    )
    op.create_table(
        "products",
        sa.Column("position", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("seller_id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("price_cents", sa.BigInteger(), nullable=False),
        sa.Column("available", sa.Boolean(), nullable=False),
        sa.Column("custom_fields", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("position", name="pk_products"),
        sa.UniqueConstraint("id", name="uq_products_id"),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["sellers.id"], name="fk_products_seller_id_sellers", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_products_seller_id_position", "products", ["seller_id", "position"])
    op.create_table(
        "outbox",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(32), nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("seller_id", sa.String(40), nullable=True),
        sa.Column("seq", sa.BigInteger(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.UniqueConstraint("event_id", name="uq_outbox_event_id"),
        sa.UniqueConstraint("seller_id", "seq", name="uq_outbox_seller_seq"),
    )
    op.create_index("ix_outbox_unpublished", "outbox", ["published_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_unpublished", table_name="outbox")
    op.drop_table("outbox")
    op.drop_index("ix_products_seller_id_position", table_name="products")
    op.drop_table("products")
    op.drop_table("sellers")
