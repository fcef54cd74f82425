"""The gateway app: pages, the /api proxy, the /ws pipe, operator endpoints and the contract's OpenAPI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from services.gateway.api import pages, proxy, session, sockets
from services.gateway.api.docs import DESCRIPTION, TITLE, VERSION, contract_openapi
from services.gateway.api.readiness import readyz_endpoint
from services.gateway.config import Settings, get_settings
from services.gateway.state import GatewayState, state_of
from services.gateway.upstreams import Upstreams
from shared.service import add_service_defaults

STATIC_DIR = Path(__file__).parent / "web" / "static"


class GatewayApp(FastAPI):
    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema is None:
            self.openapi_schema = contract_openapi(self)
        return self.openapi_schema


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    state = state_of(app)
    upstreams = Upstreams.open(state.settings)
    state.attach(upstreams)
    try:
        yield
    finally:
        state.attach(None)
        await upstreams.aclose()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = GatewayApp(title=TITLE, version=VERSION, description=DESCRIPTION, lifespan=lifespan)
    app.state.gateway = GatewayState.from_settings(settings)
    add_service_defaults(
        app, service="gateway", readiness={}, internal_token=None, readyz=readyz_endpoint(app)
    )
    app.include_router(pages.router)
    app.include_router(session.router)
    app.include_router(proxy.router)
    app.include_router(sockets.router)
    if STATIC_DIR.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
