"""No request of any service takes a thread hop: FastAPI runs a plain `def` endpoint or
dependency in its thread pool, which costs every request a hand-over to another thread and
back (and the GIL between them)."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

SERVICES = ["catalog", "checkout", "notifier", "gateway"]
SECRET = "thread-pool-test-secret-0123456789abcdef"


def api_routes(routes: list[Any]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif (included := getattr(route, "original_router", None)) is not None:  # include_router
            yield from api_routes(included.routes)


def calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    if dependant.call is not None:
        yield dependant.call
    for sub in dependant.dependencies:
        yield from calls(sub)


def runs_on_the_event_loop(call: Callable[..., Any]) -> bool:
    if inspect.iscoroutinefunction(call) or inspect.isasyncgenfunction(call):
        return True
    # a security scheme: an object whose __call__ is a coroutine
    return not inspect.isfunction(call) and inspect.iscoroutinefunction(type(call).__call__)


@pytest.mark.parametrize("service", SERVICES)
def test_every_endpoint_and_dependency_is_a_coroutine(service: str) -> None:
    settings_class = importlib.import_module(f"services.{service}.config").Settings
    app = importlib.import_module(f"services.{service}.main").create_app(
        settings_class(_env_file=None, secret_key=SECRET)
    )
    routes = list(api_routes(app.routes))
    assert len(routes) >= 3  # the operator endpoints at least
    offenders = [
        f"{route.path}: {getattr(call, '__qualname__', call)}"
        for route in routes
        for call in calls(route.dependant)
        if not runs_on_the_event_loop(call)
    ]
    assert offenders == []
