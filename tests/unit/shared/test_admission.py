"""Admission control: past the limit of requests in flight, 503 at once; operator paths always."""

from __future__ import annotations

import asyncio

import httpx
from fastapi import FastAPI

from shared.service import add_service_defaults

LIMIT = 3


def slow_app(release: asyncio.Event, started: asyncio.Queue[None]) -> FastAPI:
    app = FastAPI()

    @app.get("/work")
    async def work() -> dict[str, str]:
        started.put_nowait(None)
        await release.wait()
        return {"status": "done"}

    add_service_defaults(app, service="test", readiness={}, internal_token=None, max_in_flight=LIMIT)
    return app


async def test_past_the_limit_a_request_is_refused_at_once_and_the_admitted_ones_finish() -> None:
    release, started = asyncio.Event(), asyncio.Queue[None]()
    transport = httpx.ASGITransport(app=slow_app(release, started))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        admitted = [asyncio.create_task(client.get("/work")) for _ in range(LIMIT)]
        async with asyncio.timeout(5):
            for _ in range(LIMIT):
                await started.get()
        refused = await asyncio.wait_for(client.get("/work"), 2)
        assert refused.status_code == 503
        assert refused.headers["Retry-After"]
        assert refused.json() == {"detail": "the service is busy; try again shortly"}
        assert (await asyncio.wait_for(client.get("/healthz"), 2)).status_code == 200
        metrics = (await asyncio.wait_for(client.get("/metrics"), 2)).text
        assert 'santhai_http_requests_shed_total{service="test"} 1.0' in metrics

        release.set()
        answers = await asyncio.wait_for(asyncio.gather(*admitted), 5)
        assert [answer.status_code for answer in answers] == [200] * LIMIT
        again = await asyncio.wait_for(client.get("/work"), 5)  # the slots were given back
        assert again.status_code == 200
