"""Faults while orders flow at a steady rate and dashboards are connected.

Each test places orders through the gateway (each with its own Idempotency-Key, retried with
the same key until answered), keeps two dashboards per seller connected (reconnecting with
their last `seq`), breaks one thing, and afterwards compares the books: every key made exactly
one order, every order reached every dashboard of its seller once, in `seq` order. Crashed
services are restarted by `make run`'s own supervisor, not by the test.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from scripts.system import System
from tests.e2e.client import Seller, new_seller
from tests.infra import RabbitMQ
from tests.reliability.machine import EXCLUSIVE_WAIT_S, crash, postgres_stopped
from tests.reliability.traffic import (
    Books,
    Dashboard,
    OrderTraffic,
    Placement,
    ReadinessWatch,
    balance,
    wait_subscribed,
    wait_until_caught_up,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(EXCLUSIVE_WAIT_S + 300)]

SELLERS = 2
DASHBOARDS_PER_SELLER = 2
RATE_PER_S = 10.0
FLOWING_BEFORE_S = 3.0
FLOWING_AFTER_S = 8.0
BROKER_DOWN_S = 5.0
DATABASE_DOWN_S = 10.0
CHECKOUT_BURST = 60
PROMPT_S = 5.0  # "promptly": a 503 during an outage comes well within a client's patience

# Breaks something and returns what it measured; `restored_at` (monotonic) is when the broken
# part was back (for a crash: the moment of the kill, since the supervisor takes it from there).
Fault = Callable[[System, OrderTraffic], Awaitable[dict[str, Any]]]


async def exercise(system: System, fault: Fault) -> tuple[Books, dict[str, Any]]:
    gateway = system.gateway_url
    async with httpx.AsyncClient(base_url=gateway, timeout=30) as api:
        sellers = [await new_seller(api) for _ in range(SELLERS)]
        dashboards = [
            Dashboard(gateway, seller, f"{seller.slug}#{i}")
            for seller in sellers
            for i in range(DASHBOARDS_PER_SELLER)
        ]
        for dashboard in dashboards:
            dashboard.start()
        await wait_subscribed(dashboards, timeout=10)
        watch = ReadinessWatch(gateway)
        watch.start()
        traffic = OrderTraffic(gateway, sellers, RATE_PER_S)
        flowing = asyncio.create_task(traffic.run())
        try:
            await asyncio.sleep(FLOWING_BEFORE_S)  # the steady state the fault interrupts
            injected = time.monotonic()
            measured = await fault(system, traffic)
            restored = measured.pop("restored_at", injected)
            await asyncio.sleep(FLOWING_AFTER_S)
        finally:
            await traffic.stop()
            await flowing
        await wait_until_caught_up(dashboards, traffic.placements, timeout=60)
        books = await balance(api, traffic, dashboards)
        await watch.stop()
        for dashboard in dashboards:
            await dashboard.stop()
    ready_again = watch.ready_again_after(restored)
    measured["gateway_ready_again_after_s"] = None if ready_again is None else round(ready_again, 2)
    measured["dashboard_closes"] = dict(sum((d.closes for d in dashboards), start=Counter()))
    return books, measured


def assert_books_balance(books: Books, system: System) -> None:
    answers = {outcome for outcome in books.attempts_by_outcome if outcome.isdigit()}
    assert answers <= {"200", "201", "503"}, f"only 503 (with Retry-After) while broken: {books}"
    assert books.unanswered == 0, books
    assert books.keys_with_two_orders == 0, books
    assert books.server_orders == books.placed, books
    assert books.server_orders_not_placed == 0, books
    assert books.lost == 0, books
    assert books.duplicated == 0, books
    assert books.seq_problems == [], books
    assert not system.dead(), [p.name for p in system.dead()]


async def wait_ready(system: System, name: str, timeout: float = 60) -> float:
    """Seconds until `name` (restarted by the supervisor) answers /readyz 200."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if await asyncio.to_thread(system[name].ready):
            return time.monotonic() - started
        await asyncio.sleep(0.05)
    raise AssertionError(f"{name} did not come back within {timeout} s:\n{system[name].log_tail()}")


async def first_answer(placements: list[Placement], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not any(p.done_at for p in placements):
        assert time.monotonic() < deadline, "no order of the burst was answered"
        await asyncio.sleep(0.001)


def crash_of(name: str, burst: int = 0) -> Fault:
    """kill -9 `name`; with `burst`, in the middle of that many concurrent checkouts, so that some
    are committed whose answers never reach the client (it retries with the same key)."""

    async def fault(system: System, traffic: OrderTraffic) -> dict[str, Any]:
        starts = system[name].starts
        if burst:
            await first_answer(traffic.burst(burst))
        crash(system, name)
        back = await wait_ready(system, name)
        assert system[name].starts == starts + 1, "the supervisor restarted it once"
        return {"restarted_and_ready_after_s": round(back, 2)}

    return fault


@pytest.mark.parametrize("service", ["notifier", "checkout", "gateway"])
async def test_kill_9_a_service_under_load(
    supervised_system: System, service: str, record: Callable[[dict[str, Any]], object]
) -> None:
    burst = CHECKOUT_BURST if service == "checkout" else 0
    books, measured = await exercise(supervised_system, crash_of(service, burst))
    record({"fault": f"kill -9 {service}", "books": books.as_json(), "recovery": measured})
    assert_books_balance(books, supervised_system)
    if service == "checkout":
        # Some were in flight; any committed whose answer was lost came back 200 on a retry with
        # the same key (books.answered_as_repeat; timing decides how many, often 0 or 1).
        assert books.retried_orders > 0, "orders were in flight when checkout died"


async def test_rabbitmq_restart_under_load(
    machine_is_ours: None,
    supervised_system: System,
    rabbitmq: RabbitMQ,
    record: Callable[[dict[str, Any]], object],
) -> None:
    async def restart_broker(system: System, traffic: OrderTraffic) -> dict[str, Any]:
        stopped = time.monotonic()
        await asyncio.to_thread(rabbitmq.stop_app)
        try:
            await asyncio.sleep(BROKER_DOWN_S)
        finally:
            await asyncio.to_thread(rabbitmq.start_app)
        restored = time.monotonic()
        return {"outage_s": round(restored - stopped, 2), "restored_at": restored}

    try:
        books, measured = await exercise(supervised_system, restart_broker)
    finally:
        await asyncio.to_thread(rabbitmq.start_app)  # idempotent; never leave the broker down
    record({"fault": "RabbitMQ stop_app/start_app", "books": books.as_json(), "recovery": measured})
    assert_books_balance(books, supervised_system)
    assert books.attempts_by_outcome.get("201", 0) == books.placed, "checkout kept accepting orders"


async def test_postgresql_down_for_10_s_under_load(
    machine_is_ours: None, supervised_system: System, record: Callable[[dict[str, Any]], object]
) -> None:
    probes: list[dict[str, Any]] = []

    async def stop_database(system: System, traffic: OrderTraffic) -> dict[str, Any]:
        async with httpx.AsyncClient(base_url=system.gateway_url, timeout=30) as api:
            probe_seller = await new_seller(api)
            stopped = time.monotonic()
            async with postgres_stopped():
                while time.monotonic() < stopped + DATABASE_DOWN_S:
                    probes.extend(await probe_during_outage(api, probe_seller))
                    await asyncio.sleep(0.5)
            restored = time.monotonic()
            return {"outage_s": round(restored - stopped, 2), "restored_at": restored}

    books, measured = await exercise(supervised_system, stop_database)
    slowest = max(p["seconds"] for p in probes)
    statuses = sorted({(p["what"], p["status"]) for p in probes})
    measured["probes"] = len(probes)
    measured["probe_statuses"] = statuses
    measured["slowest_probe_answer_s"] = round(slowest, 3)
    record({"fault": "PostgreSQL stopped for 10 s", "books": books.as_json(), "recovery": measured})
    refused = [p for p in probes if p["status"] != 503 or not p["retry_after"]]
    assert not refused, refused
    assert slowest < PROMPT_S, probes
    assert_books_balance(books, supervised_system)


async def probe_during_outage(api: httpx.AsyncClient, seller: Seller) -> list[dict[str, Any]]:
    """Requests that need each database; each must be 503 with Retry-After, at once."""
    requests: dict[str, Callable[[], Awaitable[httpx.Response]]] = {
        "checkout POST": lambda: seller.place_order(),
        "seller orders": lambda: api.get("/api/seller/orders", headers=seller.auth),
        "storefront": lambda: api.get(f"/api/storefronts/{seller.slug}"),
        "seller": lambda: api.get("/api/seller", headers=seller.auth),
    }
    answers = []
    for what, send in requests.items():
        started = time.monotonic()
        response = await send()
        answers.append(
            {
                "what": what,
                "status": response.status_code,
                "retry_after": response.headers.get("retry-after"),
                "seconds": time.monotonic() - started,
            }
        )
    return answers
