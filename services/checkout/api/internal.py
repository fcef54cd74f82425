"""Internal endpoints other services call: the seller's event log, for replay and gap-filling."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from services.checkout.api.deps import RuntimeDep
from services.checkout.db import reads
from services.checkout.db.counters import head_seq

router = APIRouter(tags=["internal"])

MAX_EVENTS = 5000


@router.get("/internal/sellers/{seller_id}/events", summary="The seller's events after a seq, with head_seq")
async def seller_events(
    seller_id: str,
    runtime: RuntimeDep,
    after: Annotated[int | None, Query(ge=0, description="events with seq > after; none without it")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_EVENTS)] = 1000,
) -> Response:
    async with reads.snapshot(runtime.maker) as session:
        head = await head_seq(session, seller_id)
        bodies = (
            await reads.event_bodies(session, seller_id, after=after, limit=limit)
            if after is not None
            else []
        )
    # The outbox bodies are the events' JSON already; they go out as they were published.
    events = ",".join(bodies)
    content = f'{{"head_seq":{head},"events":[{events}]}}'
    return Response(content, media_type="application/json")
