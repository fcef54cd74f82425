"""The notifier's settings: the shared ones plus the timings and bounds of its sockets."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field

from shared.settings import BaseServiceSettings


class Settings(BaseServiceSettings):
    # A socket that has not sent its subscribe frame by then is closed with 4401.
    notifier_subscribe_timeout_s: float = Field(default=5.0, gt=0)
    # The contract promises a heartbeat at least every 20 s.
    notifier_heartbeat_interval_s: float = Field(default=15.0, gt=0, le=20)
    # A client that falls this many frames behind, or whose send stalls this long, is dropped.
    notifier_send_queue_limit: int = Field(default=1000, ge=10)
    notifier_send_timeout_s: float = Field(default=10.0, gt=0)
    # Events read from checkout's log per request when replaying or filling a gap.
    notifier_replay_page_size: int = Field(default=500, ge=1, le=5000)
    # How long an early event waits for the one before it to arrive by itself before the gap
    # is filled from the log (concurrent orders may be published slightly out of order).
    notifier_gap_fill_grace_s: float = Field(default=0.05, ge=0)
    notifier_upstream_timeout_s: float = Field(default=5.0, gt=0)
    # Requests to catalog and to checkout under way at once (the others wait their turn, within
    # the timeout above): a burst of subscribes must leave those services room for orders.
    notifier_upstream_concurrency: int = Field(default=16, ge=1)
    # Largest WebSocket message uvicorn buffers; anything between 4 KiB and this gets 4400,
    # anything larger is refused before it is buffered (4400, `shared/serve.py`).
    notifier_ws_max_message_bytes: int = Field(default=64 * 1024, ge=4096)
    # How long start-up waits for RabbitMQ before serving anyway (readyz says "broker: down").
    notifier_broker_start_wait_s: float = Field(default=3.0, ge=0)


@lru_cache
def get_settings() -> Settings:
    return Settings()
