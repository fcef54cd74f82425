"""The checkout service's app: routes, defaults, and a lifespan that owns the runtime."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.checkout.api import internal, seller, storefront
from services.checkout.api.errors import add_error_handlers
from services.checkout.config import Settings, get_settings
from services.checkout.runtime import Runtime
from shared.service import add_service_defaults


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    runtime = Runtime.build(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.runtime = runtime
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(title="Santhai checkout", version="1", lifespan=lifespan)
    for module in (storefront, seller, internal):
        app.include_router(module.router)
    add_error_handlers(app)
    add_service_defaults(
        app,
        service="checkout",
        readiness={"database": runtime.database_ready, "broker": runtime.broker_ready},
        internal_token=settings.internal_token,
        max_in_flight=settings.max_requests_in_flight,
        lanes=storefront.lanes(runtime),
    )
    return app
