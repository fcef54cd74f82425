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


class CatalogUnavailable(Exception):
    """The catalog did not give a usable answer (503)."""


class StorefrontNotFound(Exception):
    """No storefront with this slug (404)."""


class CatalogClient:
    def __init__(self, http: InternalClient) -> None:
        self._http = http

    async def checkout_context(self, slug: str) -> CheckoutContext:
        if not re.fullmatch(SLUG_PATTERN, slug):
            raise StorefrontNotFound(slug)
        try:
            response = await self._http.get(f"/internal/storefronts/{quote(slug, safe='')}/checkout-context")
        except UpstreamError as exc:
            log.warning("catalog unreachable: %r", exc)
            raise CatalogUnavailable(str(exc)) from exc
        if response.status_code == 404:
            raise StorefrontNotFound(slug)
        if response.status_code != 200:
            log.warning("catalog answered %d for a checkout context", response.status_code)
            raise CatalogUnavailable(f"catalog answered {response.status_code}")
        try:
            return CheckoutContext.model_validate_json(response.content)
        except ValidationError as exc:
            log.error("catalog sent a checkout context checkout cannot read: %s", exc)
            raise CatalogUnavailable("unreadable checkout context") from exc

    async def close(self) -> None:
        await self._http.aclose()
