"""Endpoints only other services call (checkout and notifier), behind the internal token."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Request, Response

from services.catalog.api.deps import RuntimeDep, SessionDep
from services.catalog.api.storefronts import seller_by_slug
from services.catalog.api.views import product_view
from services.catalog.db import products as products_db
from services.catalog.db import sellers as sellers_db
from services.catalog.runtime import Runtime
from shared.contract import ContractModel, ErrorOut, PaymentMethod, Product
from shared.driver import READ_ERRORS
from shared.fastlane import Lane, lane

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
    responses={
        304: {"description": "The context named by If-None-Match is still current"},
        404: {"model": ErrorOut},
    },
)
async def checkout_context(
    slug: str,
    runtime: RuntimeDep,
    session: SessionDep,  # opens a transaction only if used
    if_none_match: Annotated[str | None, Header(description="the ETag of a context held")] = None,
) -> Response:
    """The storefront's checkout context with its ETag. Asked with the ETag of the one it holds,
    checkout gets 304 while it is current, for the price of one indexed lookup."""
    async with runtime.reads.connect() as connection:
        current = await sellers_db.context_version(connection, slug)
    if current is None:
        raise HTTPException(status_code=404, detail="storefront not found")
    etag = context_etag(*current)
    if if_none_match == etag:
        return Response(status_code=304, headers={"ETag": etag})
    # Read after the version: a change committed in between makes the body newer than its
    # ETag, never older, so the next request fetches it again rather than trusting it.
    seller = await seller_by_slug(session, slug)
    records = await products_db.list_for_seller(session, seller.id)
    context = CheckoutContext(
        seller=CheckoutSeller.model_validate(seller, from_attributes=True),
        products=[product_view(record) for record in records],
    )
    return Response(context.model_dump_json(), media_type="application/json", headers={"ETag": etag})


def context_etag(seller_id: str, version: int) -> str:
    return f'"{seller_id}-{version}"'


def lanes(runtime: Runtime) -> list[Lane]:
    """The fast lane of `checkout_context`: its 304, asked on every checkout (`shared.fastlane`)."""

    async def context_not_modified(request: Request, match: re.Match[str]) -> Response | None:
        held = request.headers.get("if-none-match")
        if held is None or not runtime.fast_reads.available:
            return None
        try:
            current = await sellers_db.fast_context_version(runtime.fast_reads, match["slug"])
        except READ_ERRORS:
            return None  # the route answers, as it does for an outage
        if current is None or context_etag(*current) != held:
            return None
        return Response(status_code=304, headers={"ETag": held})

    template = "/internal/storefronts/{slug}/checkout-context"
    return [
        lane(
            {"GET"}, template, r"/internal/storefronts/(?P<slug>[^/]+)/checkout-context", context_not_modified
        )
    ]


@router.get("/sellers/{seller_id}", response_model=SellerInfo, responses={404: {"model": ErrorOut}})
async def seller_info(seller_id: str, session: SessionDep) -> SellerInfo:
    record = await sellers_db.get_by_id(session, seller_id)
    if record is None:
        raise HTTPException(status_code=404, detail="seller not found")
    return SellerInfo.model_validate(record, from_attributes=True)
