"""Fixtures of the reliability tests: a supervised system, exclusive use of the machine's
broker and database for the tests that stop them, and a place for measured results."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from scripts.system import System
from tests.conftest import ARTIFACTS
from tests.infra import RUN_ID, Postgres, free_port
from tests.reliability.machine import supervised, wait_until_machine_is_ours

RESULTS = ARTIFACTS / "reliability"


@pytest.fixture
def machine_is_ours() -> None:
    """Ask for this before `system` in a test that stops RabbitMQ or PostgreSQL."""
    wait_until_machine_is_ours()


@pytest.fixture(scope="module")
def module_system(
    postgres: Postgres, run_vhost: str, database_templates: dict[str, str], request: pytest.FixtureRequest
) -> Iterator[System]:
    """One whole system shared by a module's tests (the input and isolation tests only read
    what they themselves create, so they need no fresh system each)."""
    name = f"santhai_{RUN_ID}_{request.module.__name__.rsplit('.', 1)[-1]}"
    env = {
        "CATALOG_DATABASE_URL": postgres.create_database(f"{name}_catalog", database_templates["catalog"]),
        "CHECKOUT_DATABASE_URL": postgres.create_database(f"{name}_checkout", database_templates["checkout"]),
        "AMQP_URL": run_vhost,
        "RATE_LIMITS": "off",
        "APP_ENV": "dev",
        **{f"{service}_PORT": str(free_port()) for service in ("GATEWAY", "CATALOG", "CHECKOUT", "NOTIFIER")},
    }
    system = System(env=env, log_dir=ARTIFACTS / "logs" / name)
    try:
        system.start()
        yield system
    finally:
        system.stop(grace=3)
        postgres.drop_database(f"{name}_catalog")
        postgres.drop_database(f"{name}_checkout")


@pytest.fixture
def supervised_system(system: System) -> Iterator[System]:
    """The whole system with `make run`'s supervisor restarting whatever dies."""
    with supervised(system):
        yield system


@pytest.fixture
async def api(system: System) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=system.gateway_url, timeout=30) as client:
        yield client


@pytest.fixture
def record(request: pytest.FixtureRequest) -> Any:
    """Keep a test's measurements as JSON under test-artifacts/reliability/ (docs/reliability.md
    quotes them)."""

    def write(result: dict[str, Any]) -> Path:
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / f"{request.node.name}.json"
        path.write_text(json.dumps({"run": RUN_ID, **result}, indent=2, default=str))
        return path

    return write
