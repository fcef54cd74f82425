"""The gateway's connections to the services behind it: pooled HTTP clients and the notifiers'
links."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from services.gateway.config import Settings
from services.gateway.domain.routing import Upstream
from services.gateway.links import NotifierLinks
from shared.http import InternalClient, UpstreamError, close_all

READINESS_TIMEOUT_S = 3.0
# Requests that may wait for a connection to the catalog or the checkout beyond the pool's
# 64: about 0.4 s of orders at 300/s, so a brief stall of a healthy service refuses nobody,
# while an overloaded one still gets a prompt 503 for everything past it.
UPSTREAM_MAX_WAITING = 128


@dataclass
class Upstreams:
    catalog: InternalClient
    checkout: InternalClient
    probe: InternalClient  # readiness of the notifiers, by absolute URL
    notifiers: NotifierLinks

    @classmethod
    def open(cls, settings: Settings) -> Upstreams:
        token = settings.internal_token
        timeout = settings.upstream_timeout_s
        return cls(
            catalog=InternalClient(
                settings.catalog_base_url, token, timeout=timeout, max_waiting=UPSTREAM_MAX_WAITING
            ),
            checkout=InternalClient(
                settings.checkout_base_url, token, timeout=timeout, max_waiting=UPSTREAM_MAX_WAITING
            ),
            probe=InternalClient("", token, timeout=READINESS_TIMEOUT_S),
            notifiers=NotifierLinks(settings.notifier_base_urls, token, settings.notifier_connect_timeout_s),
        )

    def client(self, upstream: Upstream) -> InternalClient:
        return self.catalog if upstream is Upstream.CATALOG else self.checkout

    async def aclose(self) -> None:
        await close_all(self.catalog, self.checkout, self.probe)
        await self.notifiers.close()

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
