"""Dependencies of the catalog's routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, cast

from fastapi import Depends, HTTPException, Request
from sqlalchemy.ext.asyncio import AsyncSession

from services.catalog.db import sellers as sellers_db
from services.catalog.runtime import Runtime
from shared.service import SellerIdDep


async def get_runtime(request: Request) -> Runtime:
    # async: FastAPI runs a plain `def` dependency in its thread pool, a thread hop per request
    return cast(Runtime, request.app.state.runtime)


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def get_session(runtime: RuntimeDep) -> AsyncIterator[AsyncSession]:
    """One session per request; a route that writes commits it, anything else rolls back."""
    async with runtime.maker() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


def not_authenticated() -> HTTPException:
    return HTTPException(status_code=401, detail="not authenticated")


async def known_seller_id(seller_id: SellerIdDep, session: SessionDep) -> str:
    """The gateway's seller id, once we know the seller exists (a deleted one gets 401)."""
    if not await sellers_db.exists(session, seller_id):
        raise not_authenticated()
    return seller_id


KnownSellerId = Annotated[str, Depends(known_seller_id)]
