"""HTTP between services: pooled httpx clients that carry the internal token."""

from __future__ import annotations

import httpx

from shared.logs import request_id_var
from shared.security import INTERNAL_TOKEN_HEADER


async def _add_request_id(request: httpx.Request) -> None:
    if request_id := request_id_var.get():
        request.headers["X-Request-ID"] = request_id


def internal_client(base_url: str, internal_token: str, *, timeout: float = 5.0) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=base_url,
        headers={INTERNAL_TOKEN_HEADER: internal_token},
        timeout=httpx.Timeout(timeout, connect=2.0),
        limits=httpx.Limits(max_connections=200, max_keepalive_connections=100),
        event_hooks={"request": [_add_request_id]},
    )
