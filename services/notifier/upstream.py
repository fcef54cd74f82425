"""What the notifier asks catalog and checkout over HTTP (with the internal token)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote

from pydantic import BaseModel, ValidationError
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_result,
    stop_before_delay,
    wait_random_exponential,
)

from services.notifier.config import Settings
from shared.events import OrderEvent
from shared.http import InternalClient, InternalResponse, UpstreamError

log = logging.getLogger(__name__)

# Longest id or key passed on; anything longer is unknown without asking.
MAX_ID_LENGTH = 200
MAX_KEY_LENGTH = 512
# Pauses before asking a busy (503) service again, within the client's timeout.
BUSY_FIRST_PAUSE_S = 0.05
BUSY_LONGEST_PAUSE_S = 0.5

M = TypeVar("M", bound=BaseModel)


class UpstreamUnavailable(Exception):
    """Catalog or checkout could not give an answer (down, timed out, or answered nonsense)."""


class _SellerInfo(BaseModel):
    realtime_enabled: bool


class _EventLogPage(BaseModel):
    head_seq: int
    events: list[OrderEvent]


@dataclass(frozen=True, slots=True)
class EventPage:
    head_seq: int
    events: list[OrderEvent]


def _client(settings: Settings, base_url: str) -> InternalClient:
    return InternalClient(
        base_url,
        settings.internal_token,
        timeout=settings.notifier_upstream_timeout_s,
        max_connections=settings.notifier_upstream_concurrency,
    )


class Upstreams:
    """Pooled clients for catalog and checkout."""

    def __init__(self, settings: Settings) -> None:
        self._catalog = _client(settings, settings.catalog_base_url)
        self._checkout = _client(settings, settings.checkout_base_url)

    async def close(self) -> None:
        await self._catalog.aclose()
        await self._checkout.aclose()

    async def realtime_enabled(self, seller_id: str) -> bool | None:
        """Whether the seller has real-time orders on; None for an unknown seller."""
        if not seller_id or len(seller_id) > MAX_ID_LENGTH:
            return None
        body = await _get_json(self._catalog, f"/internal/sellers/{quote(seller_id, safe='')}")
        if body is None:
            return None
        return _validate(_SellerInfo, body).realtime_enabled

    async def seller_events(self, seller_id: str, *, after: int | None, limit: int) -> EventPage:
        """The seller's logged events with `after < seq`, at most `limit`, and the log's head."""
        params: dict[str, int] = {"limit": limit}
        if after is not None:
            params["after"] = after
        body = await _get_json(
            self._checkout, f"/internal/sellers/{quote(seller_id, safe='')}/events", params
        )
        if body is None:
            raise UpstreamUnavailable("checkout does not know the seller's event log")
        page = _validate(_EventLogPage, body)
        return EventPage(head_seq=page.head_seq, events=page.events)

    async def customer_order(self, order_id: str, key: str) -> dict[str, Any] | None:
        """The customer's view of the order; None for an unknown order or a wrong key."""
        if not order_id or len(order_id) > MAX_ID_LENGTH or not key or len(key) > MAX_KEY_LENGTH:
            return None
        body = await _get_json(self._checkout, f"/api/orders/{quote(order_id, safe='')}", {"key": key})
        if body is not None and not isinstance(body, dict):
            raise UpstreamUnavailable("checkout answered an order that is not an object")
        return body


async def _get_json(client: InternalClient, path: str, params: dict[str, Any] | None = None) -> Any:
    """The JSON body of a 2xx answer; None for a 4xx (the thing asked for is unknown).

    A busy service's 503 is asked again after a short, growing pause, within the client's
    timeout: a burst of subscribes (a reconnect storm) then waits its turn instead of closing
    sockets with 1013 that would all reconnect and ask again."""
    patient = AsyncRetrying(
        retry=retry_if_result(_busy),
        wait=wait_random_exponential(multiplier=BUSY_FIRST_PAUSE_S, max=BUSY_LONGEST_PAUSE_S),
        stop=stop_before_delay(client.timeout_s),
        retry_error_callback=_last_answer,
    )
    try:
        response: InternalResponse = await patient(client.get, path, params=params)
    except UpstreamError as exc:
        raise UpstreamUnavailable(str(exc)) from exc
    if response.status_code >= 500 or response.status_code in (401, 403, 429):
        raise UpstreamUnavailable(f"{client.base_url}{path} answered {response.status_code}")
    if response.status_code >= 400:
        return None
    try:
        return response.json()
    except ValueError as exc:
        raise UpstreamUnavailable(f"{client.base_url}{path} answered invalid JSON") from exc


def _busy(response: InternalResponse) -> bool:
    return response.status_code == 503


def _last_answer(state: RetryCallState) -> InternalResponse:
    assert state.outcome is not None
    answer: InternalResponse = state.outcome.result()
    return answer


def _validate(model: type[M], body: Any) -> M:
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        log.error("unexpected answer from an upstream service", extra={"model": model.__name__})
        raise UpstreamUnavailable(f"unexpected {model.__name__}") from exc
