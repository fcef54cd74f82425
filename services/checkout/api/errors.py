"""How checkout's refusals look on the wire: `{"detail": ...}`, with FastAPI's located list
for 422 so a page can show each problem beside its field."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.checkout.catalog_client import CatalogUnavailable, StorefrontNotFound
from services.checkout.db.idempotency import KeyReused
from services.checkout.db.transactions import OrderNotFound
from services.checkout.domain.cursor import InvalidCursor
from services.checkout.domain.problems import CheckoutInvalid, StoreClosed
from services.checkout.domain.transitions import ChangeRefused
from shared.service import json_error, unavailable

IDEMPOTENCY_HEADER = "Idempotency-Key"


def add_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(CheckoutInvalid, _checkout_invalid)
    app.add_exception_handler(StoreClosed, _store_closed)
    app.add_exception_handler(KeyReused, _key_reused)
    app.add_exception_handler(CatalogUnavailable, _catalog_unavailable)
    app.add_exception_handler(StorefrontNotFound, _storefront_not_found)
    app.add_exception_handler(OrderNotFound, _order_not_found)
    app.add_exception_handler(ChangeRefused, _change_refused)
    app.add_exception_handler(InvalidCursor, _invalid_cursor)


async def _checkout_invalid(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, CheckoutInvalid)
    return json_error(422, [problem.as_json() for problem in exc.problems])


async def _store_closed(_request: Request, _exc: Exception) -> JSONResponse:
    return json_error(409, "this store is not accepting orders right now")


async def _key_reused(_request: Request, _exc: Exception) -> JSONResponse:
    problem = {
        "type": "idempotency_key_reused",
        "loc": ["header", IDEMPOTENCY_HEADER],
        "msg": "this Idempotency-Key was already used with a different request body",
    }
    return json_error(422, [problem])


async def _catalog_unavailable(_request: Request, _exc: Exception) -> JSONResponse:
    return unavailable("the store's catalog is unavailable; try again shortly")


async def _storefront_not_found(_request: Request, _exc: Exception) -> JSONResponse:
    return json_error(404, "unknown storefront")


async def _order_not_found(_request: Request, _exc: Exception) -> JSONResponse:
    return json_error(404, "unknown order")


async def _change_refused(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ChangeRefused)
    return JSONResponse({"detail": exc.detail, "order": exc.order.model_dump(mode="json")}, status_code=409)


async def _invalid_cursor(_request: Request, exc: Exception) -> JSONResponse:
    return json_error(422, [{"type": "value_error", "loc": ["query", "cursor"], "msg": str(exc)}])
