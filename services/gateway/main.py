"""The gateway app: pages, the /api proxy, the /ws pipe, operator endpoints and the contract's OpenAPI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from services.gateway.api import pages, proxy, session, sockets
from services.gateway.api.docs import DESCRIPTION, TITLE, VERSION, contract_openapi
from services.gateway.api.readiness import readyz_endpoint
from services.gateway.config import Settings, get_settings
from services.gateway.state import GatewayState, state_of
from services.gateway.upstreams import Upstreams
from shared.service import add_service_defaults

STATIC_DIR = Path(__file__).parent / "web" / "static"
# Swagger UI's files as the fastapi-offline package ships them, so /docs works without a CDN.
DOCS_ASSETS = Path(fastapi_offline.__file__).parent / "static"
DOCS_HEADERS = {
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


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
    app = GatewayApp(
        title=TITLE,
        version=VERSION,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    add_offline_docs(app)
    app.state.gateway = GatewayState.from_settings(settings)
    add_service_defaults(
        app,
        service="gateway",
        readiness={},
        internal_token=None,
        max_in_flight=settings.max_requests_in_flight,
        readyz=readyz_endpoint(app),
        lanes=proxy.LANES,
    )
    app.include_router(pages.router)
    app.include_router(session.router)
    app.include_router(proxy.router)
    app.router.routes.extend(sockets.routes)
    if STATIC_DIR.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


def add_offline_docs(app: FastAPI) -> None:
    app.mount("/static-docs", StaticFiles(directory=DOCS_ASSETS), name="static-docs")

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        page = get_swagger_ui_html(
            openapi_url="/openapi.json",
            title=f"{TITLE} - API",
            swagger_js_url="/static-docs/swagger-ui-bundle.js",
            swagger_css_url="/static-docs/swagger-ui.css",
            swagger_favicon_url="/static-docs/favicon.png",
        )
        # Its "Try it out" sends the session cookie from our own origin: never inside a frame.
        page.headers.update(DOCS_HEADERS)
        return page
