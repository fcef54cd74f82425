"""The gateway when a service behind it is down: 503 with Retry-After, /readyz naming it."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from scripts.system import ServiceProcess
from services.gateway.main import create_app
from tests.conftest import Backing
from tests.infra import free_port
from tests.integration.gateway.conftest import System, bearer, running_system
from tests.integration.gateway.sockets import close_code, next_frame, open_socket, send_json
from tests.servers import serve


async def test_checkout_down_is_503_with_retry_after_and_recovers(system: System) -> None:
    seller, token, product = await system.realtime_seller_with_product()
    await system.services["checkout"].stop()
    placed = await system.place_order(seller["slug"], product["id"])
    assert placed.status_code == 503
    assert int(placed.headers["retry-after"]) > 0
    assert "detail" in placed.json()
    orders = await system.client.get("/api/seller/orders", headers=bearer(token))
    assert orders.status_code == 503
    assert (await system.client.get(f"/api/storefronts/{seller['slug']}")).status_code == 200  # catalog is up
    ready = await system.client.get("/readyz")
    assert ready.status_code == 503
    assert ready.headers["retry-after"]
    assert ready.json()["services"]["checkout"] == "down"
    assert ready.json()["services"]["catalog"] == "ok"
    await system.services["checkout"].start()
    assert (await system.place_order(seller["slug"], product["id"])).status_code == 201


async def test_no_reachable_notifier_closes_the_socket_1012_at_once(system: System) -> None:
    await system.services["notifier"].stop()
    async with open_socket(f"{system.ws_url}/ws/seller") as ws:
        assert await close_code(ws, timeout=5) == 1012
    ready = await system.client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["services"]["notifier"] == "down"


async def test_a_notifier_shutting_down_closes_its_sockets_1012(system: System) -> None:
    _, token, _ = await system.realtime_seller_with_product()
    async with open_socket(f"{system.ws_url}/ws/seller") as ws:
        await send_json(ws, {"type": "subscribe", "token": token})
        assert (await next_frame(ws))["type"] == "subscribed"
        await system.services["notifier"].stop()
        assert await close_code(ws, timeout=5) == 1012


async def test_a_killed_notifier_closes_its_sockets_1012_at_once(system: System, tmp_path: Path) -> None:
    notifier = notifier_process(system, tmp_path)
    notifier.start()
    try:
        await asyncio.to_thread(notifier.wait_ready, 30)
        async with running_gateway(system, notifier_urls=f"ws://127.0.0.1:{notifier.port}") as gateway_ws:
            _, token, _ = await system.realtime_seller_with_product()
            async with open_socket(f"{gateway_ws}/ws/seller") as ws:
                await send_json(ws, {"type": "subscribe", "token": token})
                assert (await next_frame(ws))["type"] == "subscribed"
                await asyncio.to_thread(
                    notifier.kill
                )  # SIGKILL: no close frame, the TCP connection just ends
                assert await close_code(ws, timeout=3) == 1012
    finally:
        await asyncio.to_thread(notifier.stop)


async def test_sockets_go_to_the_next_notifier_when_one_is_down(backing: Backing) -> None:
    async with running_system(backing, notifiers=2) as system:
        await system.services["notifier-2"].stop()
        _, token, _ = await system.realtime_seller_with_product()
        for _ in range(4):
            async with open_socket(f"{system.ws_url}/ws/seller") as ws:
                await send_json(ws, {"type": "subscribe", "token": token})
                assert (await next_frame(ws))["type"] == "subscribed"
        ready = (await system.client.get("/readyz")).json()
        assert ready["services"] == {
            "catalog": "ok",
            "checkout": "ok",
            "notifier": "ok",
            "notifier-2": "down",
        }


def notifier_process(system: System, tmp_path: Path) -> ServiceProcess:
    """The notifier as a real process, so that it can be killed without a goodbye."""
    port = free_port()
    env = {
        **os.environ,
        "SECRET_KEY": system.settings.secret_key,
        "AMQP_URL": system.settings.amqp_url,
        "CATALOG_PORT": str(system.services["catalog"].port),
        "CHECKOUT_PORT": str(system.services["checkout"].port),
        "NOTIFIER_PORT": str(port),
        "LOG_JSON": "false",
    }
    return ServiceProcess("notifier", "services.notifier", port, env, tmp_path / "notifier.log")


@asynccontextmanager
async def running_gateway(system: System, **overrides: Any) -> AsyncIterator[str]:
    """A second gateway in front of the same services, with other settings."""
    settings = system.settings.model_copy(update=overrides)
    async with serve(create_app(settings)) as url:
        yield url.replace("http://", "ws://", 1)
