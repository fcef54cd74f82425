"""The signed-in seller's own profile and settings."""

from __future__ import annotations

from fastapi import APIRouter

from services.catalog.api.deps import RuntimeDep, SessionDep, not_authenticated
from services.catalog.api.errors import OpenApiResponses
from services.catalog.api.views import seller_view
from services.catalog.db import sellers as sellers_db
from services.catalog.domain.sellers import apply_patch
from services.catalog.events.publisher import record_settings_change
from shared.contract import ErrorOut, Seller, SellerPatch
from shared.service import SellerIdDep

router = APIRouter(prefix="/api/seller", tags=["seller"])
UNAUTHENTICATED: OpenApiResponses = {401: {"model": ErrorOut}}


@router.get("", response_model=Seller, responses=UNAUTHENTICATED)
async def get_seller(seller_id: SellerIdDep, runtime: RuntimeDep, session: SessionDep) -> Seller:
    record = await sellers_db.get_by_id(session, seller_id)
    if record is None:
        raise not_authenticated()
    return seller_view(record, runtime.storefront_url(record.slug))


@router.patch("", response_model=Seller, responses=UNAUTHENTICATED)
async def update_seller(
    body: SellerPatch, seller_id: SellerIdDep, runtime: RuntimeDep, session: SessionDep
) -> Seller:
    current = await sellers_db.get_by_id(session, seller_id, for_update=True)
    if current is None:
        raise not_authenticated()
    updated = apply_patch(current, body.model_dump(exclude_unset=True))
    await sellers_db.save_changes(session, current, updated)
    pending = await record_settings_change(session, current, updated)
    await session.commit()
    if pending:
        # Published before answering, so dashboards hear of it as soon as the seller sees the change.
        await runtime.relay.publish_after_commit(pending)
    return seller_view(updated, runtime.storefront_url(updated.slug))
