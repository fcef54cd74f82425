"""Dependencies of checkout's routes."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request

from services.checkout.runtime import Runtime


async def get_runtime(request: Request) -> Runtime:
    # async: FastAPI runs a plain `def` dependency in its thread pool, a thread hop per request
    return cast(Runtime, request.app.state.runtime)


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
