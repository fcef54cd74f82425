"""The signed-in seller's products. Another seller's product is answered like a missing one."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Response

from services.catalog.api.deps import KnownSellerId, SessionDep
from services.catalog.api.errors import OpenApiResponses
from services.catalog.api.views import product_view
from services.catalog.db import products as products_db
from services.catalog.db.sellers import new_id
from services.catalog.domain.products import ProductRecord, apply_product_patch
from shared.contract import ErrorOut, Product, ProductIn, ProductList, ProductPatch

router = APIRouter(prefix="/api/seller/products", tags=["products"])
NOT_FOUND = "product not found"
RESPONSES: OpenApiResponses = {401: {"model": ErrorOut}, 404: {"model": ErrorOut}}


async def _product_or_404(
    session: SessionDep, seller_id: str, product_id: str, *, for_update: bool = False
) -> ProductRecord:
    record = await products_db.get(session, seller_id, product_id, for_update=for_update)
    if record is None:
        raise HTTPException(status_code=404, detail=NOT_FOUND)
    return record


@router.post("", status_code=201, response_model=Product, responses=RESPONSES)
async def create_product(body: ProductIn, seller_id: KnownSellerId, session: SessionDep) -> Product:
    record = ProductRecord(
        id=new_id(),
        seller_id=seller_id,
        name=body.name,
        description=body.description,
        price_cents=body.price_cents,
        available=body.available,
        custom_fields=[field.model_dump() for field in body.custom_fields],
    )
    await products_db.insert_products(session, [record])
    await session.commit()
    return product_view(record)


@router.get("", response_model=ProductList, responses=RESPONSES)
async def list_products(seller_id: KnownSellerId, session: SessionDep) -> ProductList:
    records = await products_db.list_for_seller(session, seller_id)
    return ProductList(products=[product_view(record) for record in records])


@router.get("/{product_id}", response_model=Product, responses=RESPONSES)
async def get_product(product_id: str, seller_id: KnownSellerId, session: SessionDep) -> Product:
    return product_view(await _product_or_404(session, seller_id, product_id))


@router.patch("/{product_id}", response_model=Product, responses=RESPONSES)
async def update_product(
    product_id: str, body: ProductPatch, seller_id: KnownSellerId, session: SessionDep
) -> Product:
    current = await _product_or_404(session, seller_id, product_id, for_update=True)
    updated = apply_product_patch(current, body.model_dump(exclude_unset=True))
    await products_db.save(session, updated)
    await session.commit()
    return product_view(updated)


@router.delete("/{product_id}", status_code=204, response_class=Response, responses=RESPONSES)
async def delete_product(product_id: str, seller_id: KnownSellerId, session: SessionDep) -> Response:
    if not await products_db.delete_product(session, seller_id, product_id):
        raise HTTPException(status_code=404, detail=NOT_FOUND)
    await session.commit()
    return Response(status_code=204)
