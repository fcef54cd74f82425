"""What checkout asks the catalog: a storefront's seller and products, at checkout time."""

from __future__ import annotations

import logging
import re
from urllib.parse import quote

from pydantic import ValidationError

from services.checkout.domain.context import CheckoutContext
from shared.contract import SLUG_PATTERN
from shared.http import InternalClient, UpstreamError

log = logging.getLogger(__name__)
KEEP_CONTEXTS = 10_000  # storefront contexts kept for conditional requests (a few KiB each)


class CatalogUnavailable(Exception):
    """The catalog did not give a usable answer (503)."""


class StorefrontNotFound(Exception):
    """No storefront with this slug (404)."""


class CatalogClient:
    """Asks the catalog for a storefront's checkout context on every checkout, as the contract
    wants every change to count for the next request. The contexts it got are kept with their
    ETags, so while one is current the catalog answers 304 with no body."""

    def __init__(self, http: InternalClient, *, keep: int = KEEP_CONTEXTS) -> None:
        self._http = http
        self._keep = keep
        self._held: dict[str, tuple[str, CheckoutContext]] = {}  # slug -> (ETag, context)

    def held_seller_id(self, slug: str) -> str | None:
        """The seller of the context held for `slug`: who the next answer most likely names."""
        held = self._held.get(slug)
        return held[1].seller.id if held else None

    async def checkout_context(self, slug: str) -> CheckoutContext:
        if not re.fullmatch(SLUG_PATTERN, slug):
            raise StorefrontNotFound(slug)
        held = self._held.get(slug)
        headers = {"If-None-Match": held[0]} if held else None
        try:
            response = await self._http.request(
                "GET", f"/internal/storefronts/{quote(slug, safe='')}/checkout-context", headers=headers
            )
        except UpstreamError as exc:
            log.warning("catalog unreachable: %r", exc)
            raise CatalogUnavailable(str(exc)) from exc
        if response.status_code == 304 and held is not None:
            return held[1]
        self._held.pop(slug, None)
        if response.status_code == 404:
            raise StorefrontNotFound(slug)
        if response.status_code != 200:
            log.warning("catalog answered %d for a checkout context", response.status_code)
            raise CatalogUnavailable(f"catalog answered {response.status_code}")
        try:
            context = CheckoutContext.model_validate_json(response.content)
        except ValidationError as exc:
            log.error("catalog sent a checkout context checkout cannot read: %s", exc)
            raise CatalogUnavailable("unreadable checkout context") from exc
        if etag := response.headers.get("ETag"):
            self._hold(slug, etag, context)
        return context

    def _hold(self, slug: str, etag: str, context: CheckoutContext) -> None:
        if len(self._held) >= self._keep:
            del self._held[next(iter(self._held))]  # the longest held
        self._held[slug] = (etag, context)

    async def close(self) -> None:
        await self._http.aclose()
