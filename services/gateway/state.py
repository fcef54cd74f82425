"""What the gateway's routes share: settings, rate limits and (while serving) its upstreams."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI, Request
from starlette.requests import HTTPConnection

from services.gateway.config import Settings
from services.gateway.domain.origin import origin_of
from services.gateway.domain.rate_limit import LimitSpec, RateLimits
from services.gateway.upstreams import Upstreams
from shared.outgoing import SendLimits


@dataclass
class GatewayState:
    settings: Settings
    limits: RateLimits | None  # None when RATE_LIMITS=off
    own_origin: str
    cookie_secure: bool
    send_limits: SendLimits  # of every client socket
    _upstreams: Upstreams | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> GatewayState:
        own_origin = origin_of(settings.public_url)
        if own_origin is None:
            raise ValueError(f"PUBLIC_BASE_URL must be an http(s) URL, not {settings.public_url!r}")
        return cls(
            settings=settings,
            limits=rate_limits(settings) if settings.rate_limits == "on" else None,
            own_origin=own_origin,
            cookie_secure=own_origin.startswith("https://"),
            send_limits=SendLimits(settings.client_send_queue_limit, settings.client_send_timeout_s),
        )

    @property
    def upstreams(self) -> Upstreams:
        if self._upstreams is None:
            raise RuntimeError("the gateway's upstream clients are open only while it serves")
        return self._upstreams

    def attach(self, upstreams: Upstreams | None) -> None:
        self._upstreams = upstreams


def rate_limits(settings: Settings) -> RateLimits:
    return RateLimits.build(
        login_failures=LimitSpec(settings.login_failures_per_account, settings.login_failures_window_s),
        login_attempts=LimitSpec(settings.login_attempts_per_ip, settings.login_attempts_window_s),
        signups=LimitSpec(settings.signup_per_ip, settings.signup_window_s),
        checkouts=LimitSpec(settings.checkout_per_ip, settings.checkout_window_s),
        max_keys=settings.rate_limit_max_keys,
    )


def state_of(app: FastAPI) -> GatewayState:
    state: GatewayState = app.state.gateway
    return state


def gateway_state(connection: HTTPConnection) -> GatewayState:
    return state_of(connection.app)


def client_ip(connection: Request | HTTPConnection) -> str:
    return connection.client.host if connection.client else "unknown"
