"""The /api proxy runs in the fast lane (`shared.fastlane`), ahead of FastAPI's routing; what
the proxy does not forward is left to the gateway's routes (its own logout, and the 404)."""

from __future__ import annotations

import re

from starlette.requests import Request

from services.gateway.api import proxy
from services.gateway.config import Settings
from services.gateway.main import create_app
from shared.fastlane import FastLaneMiddleware


def test_the_gateway_answers_the_proxy_in_the_fast_lane() -> None:
    app = create_app(Settings(_env_file=None))
    lanes = [m.kwargs["lanes"] for m in app.user_middleware if m.cls is FastLaneMiddleware]
    assert lanes == [proxy.LANES]


async def test_paths_the_proxy_does_not_forward_are_passed_on_untouched() -> None:
    (proxy_lane,) = proxy.LANES
    for path in ("/api/auth/logout", "/api/", "/api/nothing-here", "/api/seller/../orders"):
        match = proxy_lane.pattern.fullmatch(path)
        assert isinstance(match, re.Match), path

        async def receive() -> dict[str, object]:
            raise AssertionError("the lane read the body of a request it passes on")

        request = Request({"type": "http", "method": "POST", "path": path, "headers": []}, receive)
        assert await proxy.forward_lane(request, match) is None, path
