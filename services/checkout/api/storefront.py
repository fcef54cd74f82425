"""Placing an order from a storefront, and the customer's view of it."""

from __future__ import annotations

import asyncio
import hmac
import re
from collections.abc import AsyncIterator, Awaitable, Coroutine
from contextlib import asynccontextmanager
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError

from services.checkout.api.deps import RuntimeDep
from services.checkout.api.errors import IDEMPOTENCY_HEADER
from services.checkout.catalog_client import CatalogUnavailable, StorefrontNotFound
from services.checkout.db import transactions
from services.checkout.db.idempotency import find_repeat
from services.checkout.db.orders import get_order
from services.checkout.db.transactions import IdempotencyKey, OrderDb, OrderNotFound, Placed, Placement
from services.checkout.domain.checkout import check_checkout
from services.checkout.domain.idempotency import KEY_PATTERN, request_hash
from services.checkout.domain.problems import CheckoutInvalid, StoreClosed
from services.checkout.domain.records import OrderRecord
from services.checkout.events.publisher import Transaction, in_session
from services.checkout.runtime import Runtime
from shared.contract import CheckoutIn, CheckoutOut, CustomerOrder, ErrorOut
from shared.fastlane import Lane, lane
from shared.metrics import ORDERS_PLACED

router = APIRouter(tags=["storefront"])
T = TypeVar("T")

IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias=IDEMPOTENCY_HEADER,
        pattern=KEY_PATTERN,
        description="1 to 255 printable ASCII characters; a repeat with a JSON-equal body answers 200 "
        "with the same order",
    ),
]


@router.post(
    "/api/storefronts/{slug}/orders",
    status_code=201,
    response_model=CheckoutOut,
    summary="Place an order",
    responses={
        200: {
            "model": CheckoutOut,
            "description": "A repeat of an earlier request with the same Idempotency-Key",
        },
        404: {"model": ErrorOut, "description": "Unknown storefront"},
        409: {"model": ErrorOut, "description": "The store is not accepting orders"},
        503: {"model": ErrorOut, "description": "The catalog or the database is unavailable"},
    },
)
async def place_order(
    slug: str,
    checkout: CheckoutIn,
    request: Request,
    runtime: RuntimeDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    idempotency = None
    if idempotency_key is not None:
        idempotency = IdempotencyKey(idempotency_key, request_hash(await request.json()))
    try:
        placed = await _place(runtime, slug, checkout, idempotency)
    except (StorefrontNotFound, StoreClosed, CheckoutInvalid, CatalogUnavailable, IntegrityError):
        # A repeat is answered as a repeat even when the store has closed (or its catalog is
        # down) since the first request; only then is it worth looking the key up early. An
        # IntegrityError is the key's unique index refusing our row (and the transaction, seq and
        # token number with it): the key was used before.
        if idempotency is not None and (earlier := await _earlier_order(runtime, slug, idempotency)):
            return _checkout_answer(earlier, status_code=200)
        raise
    ORDERS_PLACED.inc()
    return _checkout_answer(placed.record, status_code=201)


def lanes(runtime: Runtime) -> list[Lane]:
    """`place_order` in the fast lane (`shared.fastlane`), ahead of FastAPI's routing and
    dependency solving, for a checkout the route would take: anything it would refuse (not JSON,
    malformed, invalid, a bad or repeated Idempotency-Key header) goes to the route, whose 422
    is FastAPI's own. Parsed and validated as FastAPI does (`Request.json`, then the model)."""

    async def place(request: Request, match: re.Match[str]) -> Response | None:
        content_type = request.headers.get("content-type", "")
        keys = request.headers.getlist(IDEMPOTENCY_HEADER)
        if content_type.split(";")[0].strip().lower() != "application/json" or len(keys) > 1:
            return None
        if keys and not re.fullmatch(KEY_PATTERN, keys[0]):
            return None
        try:
            # Parsed once: `place_order` hashes the same (cached) JSON for an Idempotency-Key.
            checkout = CheckoutIn.model_validate(await request.json())
        except (ValueError, ValidationError):
            return None
        return await place_order(match["slug"], checkout, request, runtime, keys[0] if keys else None)

    path = r"/api/storefronts/(?P<slug>[^/]+)/orders"
    return [lane({"POST"}, "/api/storefronts/{slug}/orders", path, place)]


async def _place(
    runtime: Runtime, slug: str, checkout: CheckoutIn, idempotency: IdempotencyKey | None
) -> Placed:
    """Check the checkout against the catalog and place it. On PostgreSQL, when the storefront's
    seller is known from last time, the catalog's answer (a 304 most times) is awaited while the
    transaction begins and locks the seller's counter. (On SQLite that lock is the whole
    database's, every seller's: not to be held while the catalog answers.)"""
    checking = _checked(runtime, slug, checkout, idempotency)
    seller_id = runtime.catalog.held_seller_id(slug)
    if seller_id is None or runtime.engine.dialect.name != "postgresql":
        return await _commit(runtime, await checking)
    return await _place_while_checking(runtime, seller_id, checking)


async def _checked(
    runtime: Runtime, slug: str, checkout: CheckoutIn, idempotency: IdempotencyKey | None
) -> Placement:
    """The checkout, checked against the storefront as the catalog has it now."""
    context = await runtime.catalog.checkout_context(slug)
    return Placement(slug, checkout, context, check_checkout(checkout, context), idempotency)


async def _place_while_checking(
    runtime: Runtime, seller_id: str, checking: Coroutine[Any, Any, Placement]
) -> Placed:
    transaction: Transaction[OrderDb] = (
        runtime.driver.transaction if runtime.driver.available else in_session(runtime.maker)
    )
    async with _in_background(checking) as pending:
        try:
            return await runtime.publisher.commit_then_publish_on(
                transaction,
                seller_id,
                lambda db: transactions.place_order_once_checked(db, seller_id, pending),
            )
        except Exception as failure:
            # Rolled back; from here on, as if the catalog had been asked first: its refusal is
            # the answer (before a failure of the database), and a checkout that passed for
            # another seller, or late, is placed in a transaction of its own.
            placement = await pending
            if not isinstance(failure, transactions.NotPlaced):
                raise
    return await _commit(runtime, placement)


def _commit(runtime: Runtime, placement: Placement) -> Awaitable[Placed]:
    return runtime.publisher.commit_then_publish(
        runtime.maker,
        placement.context.seller.id,
        lambda session: transactions.place_order(session, placement),
    )


@asynccontextmanager
async def _in_background(work: Coroutine[Any, Any, T]) -> AsyncIterator[asyncio.Task[T]]:
    """`work` as a task beside the block, which it does not outlive: cancelled if the block
    leaves before it is done, and awaited, so no exception of it goes unretrieved. The task is
    given its first turn before the block starts (for a request: sent first)."""
    task = asyncio.create_task(work)
    try:
        await asyncio.sleep(0)
        yield task
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def _earlier_order(runtime: Runtime, slug: str, key: IdempotencyKey) -> OrderRecord | None:
    """The order this key placed before (raises KeyReused for another body with the key)."""
    async with runtime.maker() as session:
        return await find_repeat(session, slug, key.key, key.request_hash)


def _checkout_answer(record: OrderRecord, *, status_code: int) -> JSONResponse:
    body: dict[str, Any] = {
        "order": record.customer_json(),
        "customer_key": record.customer_key,
        "tracking_url": f"/o/{record.order.id}?key={record.customer_key}",
    }
    return JSONResponse(body, status_code=status_code)


@router.get(
    "/api/orders/{order_id}",
    response_model=CustomerOrder,
    summary="The customer's view of an order",
    responses={404: {"model": ErrorOut, "description": "Unknown order, or a wrong or missing key"}},
)
async def track_order(
    order_id: str,
    runtime: RuntimeDep,
    key: Annotated[str | None, Query(description="the customer_key")] = None,
) -> JSONResponse:
    async with runtime.maker() as session:
        record = await get_order(session, order_id)
    if record is None or key is None or not hmac.compare_digest(record.customer_key.encode(), key.encode()):
        raise OrderNotFound(order_id)
    return JSONResponse(record.customer_json())
