"""Run a service's ASGI app in this test's event loop on a real port (uvicorn), for
integration tests that need one service talking to another over real HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from starlette.types import ASGIApp

from tests.infra import free_port


@asynccontextmanager
async def serve(app: ASGIApp, port: int | None = None, *, timeout: float = 20) -> AsyncIterator[str]:
    """Serve `app` (with its lifespan) on 127.0.0.1; yields its base URL."""
    port = port or free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(timeout):
            while not server.started:
                if task.done():
                    task.result()
                    raise RuntimeError("server stopped before it started")
                await asyncio.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 15)
