"""The fast lane: answered ahead of the routes, or passed on to them untouched; inside the
service defaults (token, admission, metrics) and answered by the app's exception handlers."""

from __future__ import annotations

import re

import httpx
from fastapi import FastAPI, HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from shared.fastlane import lane
from shared.service import add_service_defaults

TOKEN = "fast-lane-test-token"


async def fast(request: Request, match: re.Match[str]) -> Response | None:
    name = match["name"]
    if name == "pass":
        return None
    if name == "missing":
        raise HTTPException(status_code=404, detail="no such thing")
    if name == "broken":
        raise RuntimeError("a bug")
    if name == "outage":
        raise ConnectionRefusedError("the database is away")
    if name == "read-then-pass":
        await request.body()
        return None
    return PlainTextResponse(f"lane {name} {request.headers.get('x-extra', '')}")


def app_with_lane() -> FastAPI:
    app = FastAPI()

    @app.get("/things/{name}")
    async def thing(name: str) -> dict[str, str]:
        return {"route": name}

    @app.api_route("/things/{name}", methods=["POST", "PUT"])
    async def post_thing(name: str, request: Request) -> dict[str, str]:
        return {"route": name, "body": (await request.body()).decode()}

    add_service_defaults(
        app,
        service="lanetest",
        readiness={},
        internal_token=TOKEN,
        max_in_flight=8,
        lanes=[lane({"GET", "PUT"}, "/things/{name}", r"/things/(?P<name>[^/]+)", fast)],
    )
    return app


def client() -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app_with_lane(), raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://test", headers={"X-Internal-Token": TOKEN})


async def test_the_lane_answers_what_it_can_and_passes_the_rest_on_untouched() -> None:
    async with client() as api:
        answered = await api.get("/things/hot", headers={"X-Extra": "seen"})
        assert answered.status_code == 200
        assert answered.text == "lane hot seen"
        assert answered.headers["X-Request-Id"]  # inside the service defaults
        passed = await api.get("/things/pass")
        assert passed.json() == {"route": "pass"}
        other_method = await api.post("/things/hot", content=b"kept")
        assert other_method.json() == {"route": "hot", "body": "kept"}
        assert (await api.get("/things/a/b")).status_code == 404  # the lane's pattern is whole-path
        read_first = await api.put("/things/read-then-pass", content=b"x" * 100_000)
        assert read_first.json() == {"route": "read-then-pass", "body": "x" * 100_000}


async def test_what_the_lane_raises_is_answered_by_the_apps_handlers() -> None:
    async with client() as api:
        missing = await api.get("/things/missing")
        assert missing.status_code == 404
        assert missing.json() == {"detail": "no such thing"}
        outage = await api.get("/things/outage")
        assert outage.status_code == 503
        assert outage.headers["Retry-After"]
        broken = await api.get("/things/broken")
        assert broken.status_code == 500
        assert broken.json() == {"detail": "internal error"}


async def test_the_lane_needs_the_internal_token_and_counts_in_the_metrics_by_template() -> None:
    async with client() as api:
        refused = await api.get("/things/hot", headers={"X-Internal-Token": "wrong"})
        assert refused.status_code == 403
        await api.get("/things/hot")
        metrics = (await api.get("/metrics")).text
        labels = 'method="GET",route="/things/{name}",service="lanetest",status="200"'
        assert f"santhai_http_requests_total{{{labels}}}" in metrics, metrics
