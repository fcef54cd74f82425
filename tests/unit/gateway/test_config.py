from __future__ import annotations

from typing import Any

import pytest

from services.gateway.config import Settings
from services.gateway.links import NotifierLinks, http_url_of
from services.gateway.state import GatewayState


def settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)


def pool_of(urls: list[str]) -> NotifierLinks:
    return NotifierLinks(urls, "token", connect_timeout_s=1.0)


def test_notifier_urls_default_to_the_local_notifier_port() -> None:
    assert settings(notifier_port=9003).notifier_base_urls == ["ws://127.0.0.1:9003"]


def test_notifier_urls_are_a_trimmed_comma_separated_list() -> None:
    urls = settings(notifier_urls=" ws://a:1/ , ws://b:2,, ").notifier_base_urls
    assert urls == ["ws://a:1", "ws://b:2"]


def test_notifiers_are_named_like_their_processes_and_probed_over_http() -> None:
    pool = pool_of(["ws://a:1", "wss://b:2", "ws://c:3"])
    assert pool.names() == {"notifier": "http://a:1", "notifier-2": "https://b:2", "notifier-3": "http://c:3"}
    assert http_url_of("wss://x") == "https://x"


async def test_clients_are_spread_over_the_notifiers_links_round_robin_skipping_one_that_is_down() -> None:
    pool = pool_of(["ws://a", "ws://b", "ws://c"])
    up = {"ws://a": True, "ws://b": True, "ws://c": True}
    for each in pool.links:

        async def ready(url: str = each.base_url) -> bool:
            return up[url]

        each.ready = ready  # type: ignore[method-assign]
    assert [(await pool.next_link()).base_url for _ in range(4)] == ["ws://a", "ws://b", "ws://c", "ws://a"]  # type: ignore[union-attr]
    up["ws://c"] = False
    assert [(await pool.next_link()).base_url for _ in range(3)] == ["ws://b", "ws://a", "ws://a"]  # type: ignore[union-attr]
    up.update({"ws://a": False, "ws://b": False})
    assert await pool.next_link() is None


def test_the_gateway_binds_to_its_own_host_or_the_shared_one() -> None:
    assert settings(bind_host="127.0.0.1").gateway_host == "127.0.0.1"
    assert settings(bind_host="127.0.0.1", gateway_bind_host="0.0.0.0").gateway_host == "0.0.0.0"


def test_the_cookie_is_secure_exactly_when_the_public_url_is_https() -> None:
    assert GatewayState.from_settings(settings(public_base_url="https://orders.example.com/")).cookie_secure
    plain = GatewayState.from_settings(settings(gateway_port=8123))
    assert not plain.cookie_secure
    assert plain.own_origin == "http://127.0.0.1:8123"


def test_rate_limits_can_be_switched_off() -> None:
    assert GatewayState.from_settings(settings()).limits is not None
    assert GatewayState.from_settings(settings(rate_limits="off")).limits is None


def test_a_public_url_that_is_not_http_is_refused() -> None:
    with pytest.raises(ValueError, match="PUBLIC_BASE_URL"):
        GatewayState.from_settings(settings(public_base_url="orders.example.com"))
