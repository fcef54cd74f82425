"""The gateway's connections to the services behind it: pooled HTTP clients and the notifiers."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from services.gateway.config import Settings
from services.gateway.domain.routing import Upstream
from services.gateway.domain.sockets import rotation
from shared.http import InternalClient, UpstreamError, close_all

READINESS_TIMEOUT_S = 3.0


@dataclass
class NotifierPool:
    """The notifiers' ws:// base URLs, handed out round robin, and the handshakes with them
    that may be under way at once (a burst of sockets queues for them instead of piling
    thousands of handshakes on the notifiers, which then all time out together)."""

    urls: list[str]
    handshakes: asyncio.Semaphore
    _turn: itertools.count[int] = field(default_factory=itertools.count)

    @asynccontextmanager
    async def handshake_slot(self, within_s: float) -> AsyncIterator[None]:
        """Hold one of the handshake slots; raises TimeoutError when none frees up in time."""
        async with asyncio.timeout(within_s):
            await self.handshakes.acquire()
        try:
            yield
        finally:
            self.handshakes.release()

    def in_turn(self) -> list[str]:
        """Every notifier once, starting with the next one in the rotation."""
        return [self.urls[i] for i in rotation(len(self.urls), next(self._turn))]

    def names(self) -> dict[str, str]:
        """A readable name per notifier ("notifier", "notifier-2", …) and its HTTP base URL."""
        return {
            ("notifier" if i == 0 else f"notifier-{i + 1}"): http_url_of(url)
            for i, url in enumerate(self.urls)
        }


def http_url_of(ws_url: str) -> str:
    if ws_url.startswith("wss://"):
        return "https://" + ws_url.removeprefix("wss://")
    if ws_url.startswith("ws://"):
        return "http://" + ws_url.removeprefix("ws://")
    return ws_url


@dataclass
class Upstreams:
    catalog: InternalClient
    checkout: InternalClient
    probe: InternalClient  # readiness of the notifiers, by absolute URL
    notifiers: NotifierPool

    @classmethod
    def open(cls, settings: Settings) -> Upstreams:
        token = settings.internal_token
        timeout = settings.upstream_timeout_s
        return cls(
            catalog=InternalClient(settings.catalog_base_url, token, timeout=timeout, queue=False),
            checkout=InternalClient(settings.checkout_base_url, token, timeout=timeout, queue=False),
            probe=InternalClient("", token, timeout=READINESS_TIMEOUT_S),
            notifiers=NotifierPool(
                settings.notifier_base_urls, asyncio.Semaphore(settings.notifier_connect_concurrency)
            ),
        )

    def client(self, upstream: Upstream) -> InternalClient:
        return self.catalog if upstream is Upstream.CATALOG else self.checkout

    async def aclose(self) -> None:
        await close_all(self.catalog, self.checkout, self.probe)

    async def readiness(self) -> dict[str, tuple[bool, object]]:
        """Each service's /readyz: whether it answered 200, and the body it answered with."""
        targets: dict[str, tuple[InternalClient, str]] = {
            "catalog": (self.catalog, "/readyz"),
            "checkout": (self.checkout, "/readyz"),
        }
        for name, base in self.notifiers.names().items():
            targets[name] = (self.probe, f"{base}/readyz")
        results = await asyncio.gather(*(_probe(client, url) for client, url in targets.values()))
        return dict(zip(targets, results, strict=True))


async def _probe(client: InternalClient, url: str) -> tuple[bool, object]:
    try:
        response = await client.get(url, within_s=READINESS_TIMEOUT_S)
    except UpstreamError:
        return False, None
    try:
        body: object = response.json()
    except ValueError:
        body = None
    return response.status_code == 200, body
