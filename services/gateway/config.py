"""The gateway's settings: the shared ones plus upstream addresses, limits and server options."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field

from shared.settings import BaseServiceSettings


class Settings(BaseServiceSettings):
    gateway_bind_host: str = ""  # empty: use BIND_HOST (compose sets 0.0.0.0 for the gateway only)
    notifier_urls: str = ""  # comma-separated ws:// base URLs; empty: ws://127.0.0.1:<NOTIFIER_PORT>
    upstream_timeout_s: float = Field(default=10.0, gt=0)
    # Opening the link to a notifier (one WebSocket per notifier carries every client socket).
    notifier_connect_timeout_s: float = Field(default=10.0, gt=0)
    # A client socket that falls this many frames behind, or whose send stalls this long, is
    # closed with 1013 (the notifier's own bounds for the sockets it serves are alike).
    client_send_queue_limit: int = Field(default=1000, ge=10)
    client_send_timeout_s: float = Field(default=10.0, gt=0)
    # Above the services' own limit: the gateway's requests are cheap, and pages count too.
    max_requests_in_flight: int = Field(default=256, ge=1)

    rate_limits: Literal["on", "off"] = "on"
    login_failures_per_account: int = Field(default=10, ge=1)
    login_failures_window_s: float = Field(default=15 * 60, gt=0)
    login_attempts_per_ip: int = Field(default=30, ge=1)
    login_attempts_window_s: float = Field(default=60, gt=0)
    signup_per_ip: int = Field(default=20, ge=1)
    signup_window_s: float = Field(default=60 * 60, gt=0)
    checkout_per_ip: int = Field(default=60, ge=1)
    checkout_window_s: float = Field(default=60, gt=0)
    rate_limit_max_keys: int = Field(default=100_000, ge=1)

    # uvicorn: trust X-Forwarded-For only when a proxy in front of the gateway is configured
    proxy_headers: bool = False
    forwarded_allow_ips: str = "127.0.0.1"
    ws_max_size: int = Field(default=64 * 1024, ge=4096)

    @property
    def gateway_host(self) -> str:
        return self.gateway_bind_host or self.bind_host

    @property
    def notifier_base_urls(self) -> list[str]:
        urls = [url.strip().rstrip("/") for url in self.notifier_urls.split(",") if url.strip()]
        return urls or [f"ws://127.0.0.1:{self.notifier_port}"]


@lru_cache
def get_settings() -> Settings:
    return Settings()
