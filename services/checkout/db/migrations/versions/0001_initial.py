"""Orders, seller counters, idempotency keys and the outbox (checkout's event log).

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
MOMENT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "orders",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("seller_id", sa.String(40), nullable=False),
        sa.Column("storefront_slug", sa.String(40), nullable=False),
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("token_number", sa.String(12), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("payment_method", sa.String(10), nullable=False),
        sa.Column("payment_status", sa.String(10), nullable=False),
        sa.Column("payment_received_at", MOMENT, nullable=True),
        sa.Column("customer", JSON, nullable=False),
        sa.Column("delivery_address", JSON, nullable=False),
        sa.Column("items", JSON, nullable=False),
        sa.Column("history", JSON, nullable=False),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("seller_contact", JSON, nullable=False),
        sa.Column("zelle_handle", sa.String(100), nullable=True),
        sa.Column("customer_key", sa.String(64), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("updated_at", MOMENT, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_orders"),
        sa.UniqueConstraint("seller_id", "business_day", "token_number", name="uq_orders_seller_day_token"),
    )
    op.create_index("ix_orders_seller_created", "orders", ["seller_id", "created_at", "id"])
    op.create_index("ix_orders_seller_status_created", "orders", ["seller_id", "status", "created_at", "id"])

    op.create_table(
        "seller_counters",
        sa.Column("seller_id", sa.String(40), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("business_day", sa.Date(), nullable=True),
        sa.Column("day_orders", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("seller_id", name="pk_seller_counters"),
    )

    op.create_table(
        "idempotency_keys",
        sa.Column("storefront_slug", sa.String(40), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("order_id", sa.String(32), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.PrimaryKeyConstraint("storefront_slug", "key", name="pk_idempotency_keys"),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_idempotency_keys_order_id_orders"),
    )

    op.create_table(
        "outbox",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(32), nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("seller_id", sa.String(40), nullable=True),
        sa.Column("seq", sa.BigInteger(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("occurred_at", MOMENT, nullable=False),
        sa.Column("published_at", MOMENT, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.UniqueConstraint("event_id", name="uq_outbox_event_id"),
        sa.UniqueConstraint("seller_id", "seq", name="uq_outbox_seller_seq"),
    )
    op.create_index("ix_outbox_unpublished", "outbox", ["published_at", "id"])


def downgrade() -> None:
    op.drop_table("outbox")
    op.drop_table("idempotency_keys")
    op.drop_table("seller_counters")
    op.drop_index("ix_orders_seller_status_created", table_name="orders")
    op.drop_index("ix_orders_seller_created", table_name="orders")
    op.drop_table("orders")
