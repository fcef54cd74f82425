"""Writes the catalog's events to its outbox, in the transaction of the change that caused them."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.catalog.db.tables import outbox
from services.catalog.domain.sellers import SellerRecord, realtime_settings_changed
from shared.events import SellerSettingsChanged
from shared.outbox import PendingEvent, add_to_outbox


async def record_settings_change(
    session: AsyncSession, before: SellerRecord, after: SellerRecord
) -> list[PendingEvent]:
    """A `SellerSettingsChanged` when real-time orders or order acceptance changed; else nothing."""
    if not realtime_settings_changed(before, after):
        return []
    event = SellerSettingsChanged(
        seller_id=after.id, realtime_enabled=after.realtime_enabled, accepting_orders=after.accepting_orders
    )
    return [await add_to_outbox(session, outbox, event)]
