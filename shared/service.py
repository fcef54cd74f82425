"""Service defaults every service gets: /healthz, /readyz, /metrics, request ids, request
metrics, JSON errors (never a stack trace), 503 for a database outage, and the internal-token
check on everything but the operator endpoints."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.db import DatabaseUnavailable
from shared.fastlane import FastLaneMiddleware, Lane
from shared.logs import request_id_var
from shared.metrics import HTTP_LATENCY, HTTP_REQUESTS, REQUESTS_SHED
from shared.security import INTERNAL_TOKEN_HEADER, SELLER_ID_HEADER, same_secret

log = logging.getLogger(__name__)
OPERATOR_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
RETRY_AFTER_S = "2"

ReadinessCheck = Callable[[], Awaitable[bool]]
ReadyzEndpoint = Callable[[], Awaitable[Response]]


class ServiceMiddleware:
    """Pure ASGI: request id, request metrics, (for internal services) the internal token, and
    admission control: past `max_in_flight` HTTP requests being answered, another one is
    answered 503 at once, so that the work admitted still finishes in time when more comes in
    than the machine can do (the operator endpoints are always answered)."""

    def __init__(self, app: ASGIApp, *, service: str, internal_token: str | None, max_in_flight: int) -> None:
        self.app = app
        self.service = service
        self.internal_token = internal_token
        self.max_in_flight = max_in_flight
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        internal_token, request_id_sent = token_and_request_id(scope)
        path: str = scope["path"]
        if (
            self.internal_token is not None
            and path not in OPERATOR_PATHS
            and not same_secret(internal_token, self.internal_token)
        ):
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 4401})
                return
            response = JSONResponse({"detail": "internal endpoint"}, status_code=403)
            await response(scope, receive, send)
            return
        request_id = (request_id_sent or "")[:64] or uuid.uuid4().hex
        token = request_id_var.set(request_id)
        try:
            if scope["type"] == "websocket":
                await self.app(scope, receive, send)
            elif path in OPERATOR_PATHS:
                await self._answer(scope, receive, send, request_id, path)
            else:
                await self._admit(scope, receive, send, request_id, path)
        finally:
            request_id_var.reset(token)

    async def _admit(self, scope: Scope, receive: Receive, send: Send, request_id: str, path: str) -> None:
        if self.in_flight >= self.max_in_flight:
            REQUESTS_SHED.labels(self.service).inc()
            await unavailable("the service is busy; try again shortly")(scope, receive, send)
            return
        self.in_flight += 1
        try:
            await self._answer(scope, receive, send, request_id, path)
        finally:
            self.in_flight -= 1

    async def _answer(self, scope: Scope, receive: Receive, send: Send, request_id: str, path: str) -> None:
        status = 500
        started = time.perf_counter()

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or ("unmatched" if status == 404 else path)
            if template not in OPERATOR_PATHS:
                HTTP_REQUESTS.labels(self.service, scope["method"], template, str(status)).inc()
                HTTP_LATENCY.labels(self.service, template).observe(time.perf_counter() - started)


_INTERNAL_TOKEN_KEY = INTERNAL_TOKEN_HEADER.lower().encode("latin-1")
_REQUEST_ID_KEY = b"x-request-id"


def token_and_request_id(scope: Scope) -> tuple[str | None, str | None]:
    """The internal token and request id a request carries (the last of each, like a dict of
    the headers would give), without a dict of every header that a long-lived socket's
    middleware frame would keep alive."""
    token = request_id = None
    for key, value in scope["headers"]:
        name = key.lower()
        if name == _INTERNAL_TOKEN_KEY:
            token = value.decode("latin-1")
        elif name == _REQUEST_ID_KEY:
            request_id = value.decode("latin-1")
    return token, request_id


def add_service_defaults(
    app: FastAPI,
    *,
    service: str,
    readiness: Mapping[str, ReadinessCheck],
    internal_token: str | None,
    max_in_flight: int,
    readyz: ReadyzEndpoint | None = None,
    lanes: Sequence[Lane] = (),
) -> None:
    """Operator endpoints, error handlers and middleware. `internal_token=None` for the gateway.
    `lanes` are answered inside the middleware, ahead of the routes (`shared.fastlane`).

    `readyz`, when given, answers `/readyz` instead of the generic check of `readiness` (the
    gateway reports the readiness of the services behind it).
    """

    @app.get("/healthz", tags=["operations"], summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    if readyz is not None:
        app.add_api_route(
            "/readyz", readyz, methods=["GET"], tags=["operations"], summary="Every dependency is ready"
        )
    else:
        _add_generic_readyz(app, service, readiness)

    @app.get("/metrics", tags=["operations"], include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    app.add_exception_handler(DatabaseUnavailable, _database_unavailable)
    app.add_exception_handler(OperationalError, _database_unavailable)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(PoolTimeoutError, _database_unavailable)
    app.add_exception_handler(OSError, _database_unavailable)
    app.add_exception_handler(Exception, _unexpected)
    if lanes:
        # Added first, so it runs inside ServiceMiddleware (the last added is the outermost).
        app.add_middleware(
            FastLaneMiddleware, lanes=list(lanes), exception_handlers=lambda: app.exception_handlers
        )
    app.add_middleware(
        ServiceMiddleware, service=service, internal_token=internal_token, max_in_flight=max_in_flight
    )


def _add_generic_readyz(app: FastAPI, service: str, readiness: Mapping[str, ReadinessCheck]) -> None:
    @app.get("/readyz", tags=["operations"], summary="Every dependency is ready")
    async def readyz() -> JSONResponse:
        names = list(readiness)
        results = await asyncio.gather(*(_check(readiness[n]) for n in names))
        states = {name: ("ok" if ok else "down") for name, ok in zip(names, results, strict=True)}
        ready = all(results)
        return JSONResponse(
            {"status": "ok" if ready else "unavailable", "service": service, "checks": states},
            status_code=200 if ready else 503,
            headers=None if ready else {"Retry-After": RETRY_AFTER_S},
        )


async def _check(check: ReadinessCheck) -> bool:
    try:
        return await asyncio.wait_for(check(), 3)
    except Exception:
        return False


def unavailable(detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=503, headers={"Retry-After": RETRY_AFTER_S})


async def _database_unavailable(_request: Request, exc: Exception) -> JSONResponse:
    log.warning("database unavailable: %s", exc)
    return unavailable("the database is unavailable; try again shortly")


# SQLSTATE classes that mean "the database is not there right now": connection exceptions
# (08), operator intervention such as a shutdown or a start-up under way (57P), and
# insufficient resources such as too many connections (53).
_UNAVAILABLE_SQLSTATES = ("08", "57P", "53")


def _database_down(exc: DBAPIError) -> bool:
    """Whether a driver error means the database is unreachable (503) rather than a bug."""
    if exc.connection_invalidated or isinstance(exc.orig, OSError | ConnectionError):
        return True
    sqlstate = getattr(exc.orig, "sqlstate", None)
    return isinstance(sqlstate, str) and sqlstate.startswith(_UNAVAILABLE_SQLSTATES)


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DBAPIError)
    if _database_down(exc):
        return await _database_unavailable(request, exc)
    return await _unexpected(request, exc)


async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, ConnectionError | TimeoutError):
        return await _database_unavailable(_request, exc)
    log.error("unhandled error", exc_info=exc)
    return JSONResponse({"detail": "internal error"}, status_code=500)


async def gateway_seller_id(request: Request) -> str:
    """The seller the gateway authenticated for this request (internal services only). A
    coroutine, as every dependency must be: FastAPI runs a plain `def` in its thread pool."""
    seller_id = request.headers.get(SELLER_ID_HEADER)
    if not seller_id:
        raise HTTPException(status_code=401, detail="not authenticated")
    return seller_id


SellerIdDep = Annotated[str, Depends(gateway_seller_id)]


def json_error(status: int, detail: Any, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)
