"""The notifier's app: the two WebSockets (alone, or as channels of a gateway's link), fed by the
broker and by checkout's event log."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.notifier.api import link, sockets
from services.notifier.config import Settings, get_settings
from services.notifier.runtime import Runtime
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

    app = FastAPI(title="Santhai notifier", version="1", lifespan=lifespan)
    app.state.runtime = runtime
    add_service_defaults(
        app,
        service="notifier",
        readiness={"broker": runtime.broker_ready},
        internal_token=runtime.settings.internal_token,
        max_in_flight=runtime.settings.max_requests_in_flight,
    )
    app.router.routes.extend([*sockets.routes, *link.routes])
    return app
