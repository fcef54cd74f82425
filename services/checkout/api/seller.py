"""The seller's orders: the list, one order, and changing its status or payment."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from services.checkout.api.deps import RuntimeDep
from services.checkout.db import reads, transactions
from services.checkout.db.counters import head_seq
from services.checkout.db.orders import get_order
from services.checkout.db.transactions import OrderNotFound
from services.checkout.domain.cursor import Cursor, decode_cursor, encode_cursor
from shared.contract import (
    ConflictOut,
    ErrorOut,
    Order,
    OrderList,
    OrderStatus,
    PaymentChangeIn,
    StatusChangeIn,
)
from shared.service import SellerIdDep

router = APIRouter(tags=["seller orders"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "Unknown order, or another seller's"}
}
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": ConflictOut, "description": "Invalid transition or stale expected_version"}
}


@router.get("/api/seller/orders", response_model=OrderList, summary="The seller's orders, newest first")
async def list_orders(
    seller_id: SellerIdDep,
    runtime: RuntimeDep,
    status: OrderStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
) -> JSONResponse:
    after = decode_cursor(cursor, status) if cursor is not None else None
    async with reads.snapshot(runtime.maker) as session:
        records, more = await reads.list_orders(session, seller_id, status=status, after=after, limit=limit)
        head = await head_seq(session, seller_id)
    next_cursor = None
    if more:
        last = records[-1].order
        next_cursor = encode_cursor(Cursor(last.created_at, last.id, status))
    body = {
        "orders": [record.order_json() for record in records],
        "next_cursor": next_cursor,
        "head_seq": head,
    }
    return JSONResponse(body)


@router.get("/api/seller/orders/{order_id}", response_model=Order, summary="One order", responses=NOT_FOUND)
async def show_order(order_id: str, seller_id: SellerIdDep, runtime: RuntimeDep) -> JSONResponse:
    async with runtime.maker() as session:
        record = await get_order(session, order_id, seller_id)
    if record is None:
        raise OrderNotFound(order_id)
    return JSONResponse(record.order_json())


@router.post(
    "/api/seller/orders/{order_id}/status",
    response_model=Order,
    summary="Move an order to its next status",
    responses={**NOT_FOUND, **CONFLICT},
)
async def change_status(
    order_id: str, change: StatusChangeIn, seller_id: SellerIdDep, runtime: RuntimeDep
) -> JSONResponse:
    changed = await runtime.publisher.commit_then_publish(
        runtime.maker,
        seller_id,
        lambda session: transactions.change_status(session, seller_id, order_id, change),
    )
    return JSONResponse(changed.record.order_json())


@router.post(
    "/api/seller/orders/{order_id}/payment",
    response_model=Order,
    summary="Record that the payment was received",
    responses={**NOT_FOUND, **CONFLICT},
)
async def receive_payment(
    order_id: str, change: PaymentChangeIn, seller_id: SellerIdDep, runtime: RuntimeDep
) -> JSONResponse:
    changed = await runtime.publisher.commit_then_publish(
        runtime.maker,
        seller_id,
        lambda session: transactions.receive_payment(session, seller_id, order_id, change),
    )
    return JSONResponse(changed.record.order_json())
