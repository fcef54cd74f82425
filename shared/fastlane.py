"""A fast lane for the few requests on the order path: answered ahead of FastAPI's routing,
dependency solving and exception layers, which cost a short request more CPU than its own work.

A lane sits inside the service defaults (`shared.service`: internal token, admission control,
request id, request metrics) and in front of the app's routes. The documented route for the
same path stays: a lane that returns None passes the request on to it as it came (a body the
lane read is given to the route again). An exception a lane raises is answered by the app's own
exception handlers, as the route's would be.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LaneAnswer = Callable[[Request, "re.Match[str]"], Awaitable[Response | None]]
ExceptionHandler = Callable[[Request, Any], Response | Awaitable[Response]]


@dataclass(frozen=True)
class Lane:
    methods: frozenset[str]
    pattern: re.Pattern[str]
    template: str  # the route's path template, the request metrics' label
    answer: LaneAnswer


def lane(methods: set[str], template: str, pattern: str, answer: LaneAnswer) -> Lane:
    return Lane(frozenset(methods), re.compile(pattern), template, answer)


@dataclass(frozen=True)
class MetricsRoute:
    """What `scope["route"]` holds for `shared.service`'s metrics: only the path template."""

    path: str


class FastLaneMiddleware:
    """Pure ASGI: the first lane whose method and path match answers, or passes on."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        lanes: list[Lane],
        exception_handlers: Callable[[], Mapping[Any, ExceptionHandler]],
    ) -> None:
        self.app = app
        self.lanes = lanes
        self.exception_handlers = exception_handlers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            for candidate in self.lanes:
                if scope["method"] in candidate.methods and (match := candidate.pattern.fullmatch(path)):
                    await self._answer(candidate, match, scope, receive, send)
                    return
        await self.app(scope, receive, send)

    async def _answer(
        self, candidate: Lane, match: re.Match[str], scope: Scope, receive: Receive, send: Send
    ) -> None:
        read = _Recorded(receive)
        request = Request(scope, read)
        try:
            response = await candidate.answer(request, match)
        except Exception as exc:
            response = await self._handled(request, exc)
        if response is None:
            await self.app(scope, read.replay, send)
            return
        scope.setdefault("route", MetricsRoute(candidate.template))
        await response(scope, receive, send)

    async def _handled(self, request: Request, exc: Exception) -> Response:
        handlers = self.exception_handlers()
        for kind in type(exc).__mro__:
            if (handler := handlers.get(kind)) is not None:
                response = handler(request, exc)
                return await response if inspect.isawaitable(response) else response
        raise exc


class _Recorded:
    """A request's `receive` that keeps what the lane read of the body, to give it to the route
    again (then the rest, if the lane stopped reading part-way)."""

    def __init__(self, receive: Receive) -> None:
        self._receive = receive
        self._read: list[Message] = []

    async def __call__(self) -> Message:
        message = await self._receive()
        if message["type"] == "http.request":
            self._read.append(message)
        return message

    async def replay(self) -> Message:
        if self._read:
            return self._read.pop(0)
        return await self._receive()
