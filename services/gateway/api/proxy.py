"""`/api/*`: seller auth, rate limits and the body limit, then forwarded to catalog or checkout."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from services.gateway.api.body import (
    BadContentLength,
    BodyTooLarge,
    json_problem,
    read_limited_body,
)
from services.gateway.api.session import authenticate, set_session_cookie
from services.gateway.domain.credentials import Credential
from services.gateway.domain.rate_limit import RateLimits, account_key
from services.gateway.domain.routing import ApiRoute, Limit, limit_for, resolve, sets_session
from services.gateway.state import GatewayState, client_ip, gateway_state
from shared.fastlane import MetricsRoute, lane
from shared.http import InternalResponse, UpstreamBusy, UpstreamError, UpstreamTimeout
from shared.metrics import REQUESTS_SHED
from shared.security import SELLER_ID_HEADER, seller_id_from_token
from shared.service import RETRY_AFTER_S, json_error

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

FORWARDED_REQUEST_HEADERS = ("content-type", "accept", "accept-language", "idempotency-key")
RETURNED_RESPONSE_HEADERS = (
    "content-type",
    "retry-after",
    "cache-control",
    "location",
    "etag",
    "content-disposition",
    "allow",
)
PATH_SAFE = "/!$&'()*+,;=:@"
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


class Refusal(Exception):
    """Stops forwarding with the answer the client gets instead."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


@router.api_route("/api/{path:path}", methods=METHODS)
async def forward(request: Request) -> Response:
    route = resolve(request.scope["path"])
    if route is None:
        return json_error(404, "not found")
    return await forward_to(request, route)


async def forward_lane(request: Request, _match: re.Match[str]) -> Response | None:
    """`forward` in the fast lane (`shared.fastlane`), ahead of FastAPI's layers: every path the
    proxy forwards. The rest (the gateway's own `/api/auth/logout`, and the 404) go to the routes."""
    route = resolve(request.scope["path"])
    return None if route is None else await forward_to(request, route)


LANES = [lane(set(METHODS), "/api/{path:path}", r"/api/.*", forward_lane)]


async def forward_to(request: Request, route: ApiRoute) -> Response:
    request.scope["route"] = MetricsRoute(route.template)  # label request metrics by the template
    try:
        return await _forward(request, gateway_state(request), route, request.scope["path"])
    except Refusal as refusal:
        return refusal.response


async def _forward(request: Request, state: GatewayState, route: ApiRoute, path: str) -> Response:
    seller = _seller(request, state) if route.seller_only else None
    limit = limit_for(request.method, route) if state.limits is not None else None
    if limit is not None and state.limits is not None:
        _take_ip_limit(state.limits, limit, client_ip(request))
    body = await _body(request)
    account = _login_account(body) if limit is Limit.LOGIN else None
    if account is None or state.limits is None:
        upstream = await _send(request, state, route, path, body, seller)
    else:
        upstream = await _send_login(
            state.limits, account, lambda: _send(request, state, route, path, body, seller)
        )
    response = Response(
        content=upstream.content,
        status_code=upstream.status_code,
        headers={
            name: upstream.headers[name] for name in RETURNED_RESPONSE_HEADERS if name in upstream.headers
        },
    )
    if sets_session(request.method, route) and upstream.status_code in (200, 201):
        _start_session(response, upstream, state)
    return response


def _seller(request: Request, state: GatewayState) -> Credential:
    outcome = authenticate(request, state)
    if isinstance(outcome, Response):
        raise Refusal(outcome)
    return outcome


async def _send_login(
    limits: RateLimits, account: str, send: Callable[[], Awaitable[InternalResponse]]
) -> InternalResponse:
    """A login attempt reserves one of the account's failures while in flight (so concurrent
    guesses cannot overshoot the limit) and gives it back unless the password was wrong."""
    _refuse_if_limited(limits.login_failures.acquire(account), "too many failed logins for this account")
    wrong_credentials = False
    try:
        upstream = await send()
        wrong_credentials = upstream.status_code == 401
        return upstream
    finally:
        if not wrong_credentials:
            limits.login_failures.release(account)


def _take_ip_limit(limits: RateLimits, limit: Limit, ip: str) -> None:
    limiter = {
        Limit.LOGIN: limits.login_attempts,
        Limit.SIGNUP: limits.signups,
        Limit.CHECKOUT: limits.checkouts,
    }
    _refuse_if_limited(limiter[limit].acquire(ip), f"too many {limit.value} requests")


def _refuse_if_limited(retry_after: int | None, what: str) -> None:
    if retry_after is not None:
        detail = f"{what}; try again in {retry_after} s"
        raise Refusal(json_error(429, detail, headers={"Retry-After": str(retry_after)}))


async def _body(request: Request) -> bytes:
    try:
        body = await read_limited_body(request)
    except BodyTooLarge:
        raise Refusal(json_error(413, "request body over 64 KiB")) from None
    except BadContentLength:
        raise Refusal(json_error(400, "invalid Content-Length")) from None
    if problem := json_problem(body):
        raise Refusal(json_error(400, f"malformed JSON: {problem}"))
    return body


def _login_account(body: bytes) -> str | None:
    try:
        data = json.loads(body)
    except ValueError:
        return None
    return account_key(data.get("email")) if isinstance(data, dict) else None


async def _send(
    request: Request, state: GatewayState, route: ApiRoute, path: str, body: bytes, seller: Credential | None
) -> InternalResponse:
    headers = {name: request.headers[name] for name in FORWARDED_REQUEST_HEADERS if name in request.headers}
    headers["X-Forwarded-For"] = client_ip(request)
    if seller is not None:
        headers[SELLER_ID_HEADER] = seller.seller_id
    url = quote(path, safe=PATH_SAFE)
    if query := request.scope["query_string"].decode("latin-1"):
        url = f"{url}?{query}"
    client = state.upstreams.client(route.upstream)
    service = route.upstream.value
    try:
        return await client.request(request.method, url, content=body, headers=headers)
    except UpstreamBusy:
        REQUESTS_SHED.labels("gateway").inc()
        raise Refusal(_unavailable(f"the {service} service is busy")) from None
    except UpstreamTimeout:
        log.warning("%s did not answer %s %s in time", service, request.method, route.template)
        raise Refusal(_unavailable(f"the {service} service did not answer in time")) from None
    except UpstreamError as exc:
        log.warning("%s unreachable for %s %s: %r", service, request.method, route.template, exc)
        raise Refusal(_unavailable(f"the {service} service is unavailable")) from None


def _unavailable(detail: str) -> JSONResponse:
    return json_error(503, f"{detail}; try again shortly", headers={"Retry-After": RETRY_AFTER_S})


def _start_session(response: Response, upstream: InternalResponse, state: GatewayState) -> None:
    try:
        token = upstream.json().get("access_token")
    except (ValueError, AttributeError):
        return
    if isinstance(token, str) and seller_id_from_token(state.settings.secret_key, token) is not None:
        set_session_cookie(response, token, state)
