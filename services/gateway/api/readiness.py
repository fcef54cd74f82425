"""The gateway's /readyz: ready only when every service behind it says it is ready."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response

from services.gateway.state import state_of
from shared.service import RETRY_AFTER_S


def readyz_endpoint(app: FastAPI) -> Callable[[], Awaitable[Response]]:
    async def readyz() -> Response:
        results = await state_of(app).upstreams.readiness()
        services = {name: ("ok" if ready else "down") for name, (ready, _body) in results.items()}
        checks = {
            name: body["checks"]
            for name, (_ready, body) in results.items()
            if isinstance(body, dict) and isinstance(body.get("checks"), dict)
        }
        ready = all(state == "ok" for state in services.values())
        return JSONResponse(
            {
                "status": "ok" if ready else "unavailable",
                "service": "gateway",
                "services": services,
                "checks": checks,
            },
            status_code=200 if ready else 503,
            headers=None if ready else {"Retry-After": RETRY_AFTER_S},
        )

    return readyz
