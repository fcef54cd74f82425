"""The dashboard guarantee across drops and restarts, several notifiers, readiness and metrics."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from scripts.system import System
from tests.e2e.client import new_seller, seller_socket
from tests.infra import RabbitMQ

MISSED = 20


async def place_many(seller: object, count: int) -> list[str]:
    responses = await asyncio.gather(*(seller.place_order(name=f"Guest {i}") for i in range(count)))  # type: ignore[attr-defined]
    assert [r.status_code for r in responses] == [201] * count, [
        r.text for r in responses if r.status_code != 201
    ]
    return [r.json()["order"]["id"] for r in responses]


async def assert_replay_of_missed(
    system: System, seller: object, last_seq: int, order_ids: list[str]
) -> None:
    socket, subscribed = await seller_socket(system.gateway_url, seller, last_seq=last_seq)  # type: ignore[arg-type]
    assert subscribed["head_seq"] == last_seq + len(order_ids)
    events = await socket.recv_events(len(order_ids))
    assert [e["seq"] for e in events] == list(range(last_seq + 1, last_seq + len(order_ids) + 1))
    assert {e["order"]["id"] for e in events} == set(order_ids)
    assert await socket.nothing_more()
    await socket.close()


async def test_reconnect_with_last_seq_gets_the_missed_events_once_in_order(
    system: System, api: httpx.AsyncClient
) -> None:
    seller = await new_seller(api)
    dashboard, _ = await seller_socket(system.gateway_url, seller)
    await place_many(seller, 2)
    seen = await dashboard.recv_events(2)
    await dashboard.close()

    missed = await place_many(seller, MISSED)
    await assert_replay_of_missed(system, seller, seen[-1]["seq"], missed)


async def test_replay_survives_a_notifier_restart(system: System, api: httpx.AsyncClient) -> None:
    seller = await new_seller(api)
    dashboard, _ = await seller_socket(system.gateway_url, seller)
    notifier = system["notifier"]
    notifier.kill()
    assert await dashboard.closed_with(timeout=5) == 1012, "the gateway closes sockets whose notifier died"

    missed = await place_many(seller, MISSED)
    notifier.start()
    notifier.wait_ready(30)
    await assert_replay_of_missed(system, seller, 0, missed)


@pytest.fixture
def broker_restorer(rabbitmq: RabbitMQ) -> Iterator[RabbitMQ]:
    yield rabbitmq
    rabbitmq.start_app()


async def wait_for(predicate: object, timeout: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if await predicate():  # type: ignore[operator]
            return time.monotonic() - started
        await asyncio.sleep(0.1)
    raise AssertionError(f"not true within {timeout} s")


@pytest.mark.slow
async def test_orders_placed_while_rabbitmq_is_down_are_delivered_once_it_is_back(
    system: System, api: httpx.AsyncClient, broker_restorer: RabbitMQ
) -> None:
    seller = await new_seller(api)
    live, _ = await seller_socket(system.gateway_url, seller)

    async def gateway_ready() -> bool:
        return (await api.get("/readyz")).status_code == 200

    async def gateway_unready() -> bool:
        response = await api.get("/readyz")
        return response.status_code == 503 and "Retry-After" in response.headers

    broker_restorer.stop_app()
    assert await wait_for(gateway_unready, 5) <= 5
    missed = await place_many(seller, MISSED)
    broker_restorer.start_app()
    await wait_for(gateway_ready, 30)

    events = await live.recv_events(MISSED, timeout=20)
    assert [e["seq"] for e in events] == list(range(1, MISSED + 1))
    assert {e["order"]["id"] for e in events} == set(missed)
    assert await live.nothing_more()
    await assert_replay_of_missed(system, seller, 0, missed)


async def test_two_notifiers_each_deliver_every_event(make_system: object) -> None:
    system: System = make_system(notifiers=2)  # type: ignore[operator]
    async with httpx.AsyncClient(base_url=system.gateway_url, timeout=30) as api:
        seller = await new_seller(api)
        sockets = [(await seller_socket(system.gateway_url, seller))[0] for _ in range(2)]
        per_notifier = [await open_seller_sockets(system[name].url) for name in ("notifier", "notifier-2")]
        assert per_notifier == [1, 1], "the gateway spreads sockets over both notifiers"
        ids = await place_many(seller, 10)
        for socket in sockets:
            events = await socket.recv_events(10)
            assert [e["seq"] for e in events] == list(range(1, 11))
            assert {e["order"]["id"] for e in events} == set(ids)


def metric(text: str, sample_name: str, **labels: str) -> float | None:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == sample_name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    return None


async def open_seller_sockets(base_url: str) -> int:
    async with httpx.AsyncClient() as client:
        text = (await client.get(base_url + "/metrics")).text
    return int(metric(text, "santhai_websockets_open", service="notifier", kind="seller") or 0)


async def test_metrics_cover_the_order_path(system: System, api: httpx.AsyncClient) -> None:
    seller = await new_seller(api)
    dashboard, _ = await seller_socket(system.gateway_url, seller)
    await place_many(seller, 3)
    await dashboard.recv_events(3)
    async with httpx.AsyncClient() as client:
        checkout = (await client.get(system["checkout"].url + "/metrics")).text
        notifier = (await client.get(system["notifier"].url + "/metrics")).text
        gateway = (await api.get("/metrics")).text
    assert metric(checkout, "santhai_orders_placed_total") == 3
    assert metric(checkout, "santhai_events_published_total", event_type="order.placed") == 3
    assert metric(notifier, "santhai_events_consumed_total", event_type="order.placed") == 3
    assert metric(notifier, "santhai_websockets_open", service="notifier", kind="seller") == 1
    assert metric(notifier, "santhai_order_commit_to_push_seconds_count") == 3
    assert metric(gateway, "santhai_websockets_open", service="gateway", kind="seller") == 1
