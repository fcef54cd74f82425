"""The catalog's app: sellers, products, storefronts and QR codes, behind the internal token."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.catalog.api import internal, routers
from services.catalog.api.errors import install_error_handlers
from services.catalog.config import Settings, get_settings
from services.catalog.runtime import Runtime
from shared.service import add_service_defaults


def create_app(settings: Settings | None = None) -> FastAPI:
    runtime = Runtime.build(settings or get_settings())

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(title="Santhai catalog", version="1", lifespan=lifespan)
    app.state.runtime = runtime
    add_service_defaults(
        app,
        service="catalog",
        readiness={"database": runtime.database_ready, "broker": runtime.broker_ready},
        internal_token=runtime.settings.internal_token,
        max_in_flight=runtime.settings.max_requests_in_flight,
        lanes=internal.lanes(runtime),
    )
    install_error_handlers(app)
    for router in routers:
        app.include_router(router)
    return app
