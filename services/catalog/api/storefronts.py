"""Public storefronts (no login): the menu a customer orders from, and its QR code."""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.catalog.api.deps import RuntimeDep, SessionDep
from services.catalog.api.errors import OpenApiResponses
from services.catalog.api.views import product_view, storefront_seller_view
from services.catalog.db import products as products_db
from services.catalog.db import sellers as sellers_db
from services.catalog.domain.qr import qr_png, qr_svg
from services.catalog.domain.sellers import SellerRecord
from shared.contract import ErrorOut, Storefront

router = APIRouter(prefix="/api/storefronts", tags=["storefronts"])
NOT_FOUND: OpenApiResponses = {404: {"model": ErrorOut}}
# A storefront's URL only changes with PUBLIC_BASE_URL, so browsers and printers may keep it a day.
QR_CACHE_CONTROL = "public, max-age=86400"


async def seller_by_slug(session: AsyncSession, slug: str) -> SellerRecord:
    record = await sellers_db.get_by_slug(session, slug)
    if record is None:
        raise HTTPException(status_code=404, detail="storefront not found")
    return record


@router.get("/{slug}", response_model=Storefront, responses=NOT_FOUND)
async def get_storefront(slug: str, session: SessionDep) -> Storefront:
    seller = await seller_by_slug(session, slug)
    records = await products_db.list_for_seller(session, seller.id)
    return Storefront(
        seller=storefront_seller_view(seller), products=[product_view(record) for record in records]
    )


IfNoneMatch = Annotated[str | None, Header()]
QR_RESPONSES: OpenApiResponses = {**NOT_FOUND, 304: {"description": "Not modified"}}


@router.get(
    "/{slug}/qr.svg",
    response_class=Response,
    responses={**QR_RESPONSES, 200: {"content": {"image/svg+xml": {}}}},
)
async def storefront_qr_svg(
    slug: str, session: SessionDep, runtime: RuntimeDep, if_none_match: IfNoneMatch = None
) -> Response:
    seller = await seller_by_slug(session, slug)
    content = qr_svg(runtime.storefront_url(seller.slug))
    return _image(content, "image/svg+xml", f"{seller.slug}-qr.svg", if_none_match)


@router.get(
    "/{slug}/qr.png",
    response_class=Response,
    responses={**QR_RESPONSES, 200: {"content": {"image/png": {}}}},
)
async def storefront_qr_png(
    slug: str, session: SessionDep, runtime: RuntimeDep, if_none_match: IfNoneMatch = None
) -> Response:
    seller = await seller_by_slug(session, slug)
    content = qr_png(runtime.storefront_url(seller.slug))
    return _image(content, "image/png", f"{seller.slug}-qr.png", if_none_match)


def _image(content: bytes, media_type: str, filename: str, if_none_match: str | None) -> Response:
    etag = f'"{hashlib.sha256(content).hexdigest()[:32]}"'
    headers = {
        "Cache-Control": QR_CACHE_CONTROL,
        "ETag": etag,
        "Content-Disposition": f'inline; filename="{filename}"',
        "X-Content-Type-Options": "nosniff",
    }
    if if_none_match is not None and etag in {tag.strip() for tag in if_none_match.split(",")}:
        return Response(status_code=304, headers=headers)
    return Response(content, media_type=media_type, headers=headers)
