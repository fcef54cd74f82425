"""Idempotency keys of checkouts, scoped to the storefront."""

from __future__ import annotations

import hmac
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.checkout.db.orders import get_order
from services.checkout.db.tables import idempotency_keys
from services.checkout.domain.records import OrderRecord


class KeyReused(Exception):
    """The key was used before with a different request body (422)."""


async def find_repeat(session: AsyncSession, slug: str, key: str, request_hash: str) -> OrderRecord | None:
    """The order a key already placed, as it is now; None for a new key."""
    stored = (
        await session.execute(
            select(idempotency_keys.c.request_hash, idempotency_keys.c.order_id).where(
                idempotency_keys.c.storefront_slug == slug, idempotency_keys.c.key == key
            )
        )
    ).first()
    if stored is None:
        return None
    if not hmac.compare_digest(stored.request_hash, request_hash):
        raise KeyReused(key)
    record = await get_order(session, stored.order_id)
    assert record is not None, "an idempotency key always names an order (foreign key)"
    return record


def key_row(slug: str, key: str, request_hash: str, order_id: str, now: datetime) -> dict[str, Any]:
    """The key's row; inserting it raises IntegrityError when the key was stored before (by this
    request's first attempt)."""
    return {
        "storefront_slug": slug,
        "key": key,
        "request_hash": request_hash,
        "order_id": order_id,
        "created_at": now,
    }
