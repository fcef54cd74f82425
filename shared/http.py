"""HTTP between services: pooled httpx clients that carry the internal token."""

from __future__ import annotations

import httpx

from shared.logs import request_id_var
from shared.security import INTERNAL_TOKEN_HEADER

MAX_CONNECTIONS = 100


async def _add_request_id(request: httpx.Request) -> None:
    if request_id := request_id_var.get():
        request.headers["X-Request-ID"] = request_id


class ResilientTransport(httpx.AsyncHTTPTransport):
    """httpx's transport, except that a connection dying while it is being set up always
    surfaces as `httpx.ConnectError`. (httpcore on anyio can raise AttributeError from
    `getpeername()` when the peer was killed mid-connect; callers expect a TransportError.)"""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await super().handle_async_request(request)
        except AttributeError as exc:
            raise httpx.ConnectError(f"connection lost while connecting: {exc}", request=request) from exc


def internal_client(base_url: str, internal_token: str, *, timeout: float = 5.0) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=base_url,
        headers={INTERNAL_TOKEN_HEADER: internal_token},
        timeout=httpx.Timeout(timeout, connect=2.0),
        transport=ResilientTransport(
            limits=httpx.Limits(max_connections=MAX_CONNECTIONS, max_keepalive_connections=MAX_CONNECTIONS)
        ),
        event_hooks={"request": [_add_request_id]},
    )
