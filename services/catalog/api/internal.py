"""Endpoints only other services call (checkout and notifier), behind the internal token."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from services.catalog.api.deps import SessionDep
from services.catalog.api.storefronts import seller_by_slug
from services.catalog.api.views import product_view
from services.catalog.db import products as products_db
from services.catalog.db import sellers as sellers_db
from shared.contract import ContractModel, ErrorOut, PaymentMethod, Product

router = APIRouter(prefix="/internal", tags=["internal"])


class CheckoutSeller(ContractModel):
    id: str
    business_name: str
    slug: str
    phone: str | None
    accepting_orders: bool
    payment_methods: list[PaymentMethod]
    zelle_handle: str | None
    currency: str
    timezone: str


class CheckoutContext(ContractModel):
    """What checkout needs to price and validate an order, read in one request."""

    seller: CheckoutSeller
    products: list[Product]  # unavailable ones too, so checkout can tell them from unknown ones


class SellerInfo(ContractModel):
    id: str
    business_name: str
    phone: str | None
    realtime_enabled: bool
    accepting_orders: bool
    zelle_handle: str | None
    currency: str
    timezone: str


@router.get(
    "/storefronts/{slug}/checkout-context",
    response_model=CheckoutContext,
    responses={404: {"model": ErrorOut}},
)
async def checkout_context(slug: str, session: SessionDep) -> CheckoutContext:
    seller = await seller_by_slug(session, slug)
    records = await products_db.list_for_seller(session, seller.id)
    return CheckoutContext(
        seller=CheckoutSeller.model_validate(seller, from_attributes=True),
        products=[product_view(record) for record in records],
    )


@router.get("/sellers/{seller_id}", response_model=SellerInfo, responses={404: {"model": ErrorOut}})
async def seller_info(seller_id: str, session: SessionDep) -> SellerInfo:
    record = await sellers_db.get_by_id(session, seller_id)
    if record is None:
        raise HTTPException(status_code=404, detail="seller not found")
    return SellerInfo.model_validate(record, from_attributes=True)
