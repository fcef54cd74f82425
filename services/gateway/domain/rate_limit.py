"""Sliding-window rate limits kept in memory: pure bookkeeping with an injected clock."""

from __future__ import annotations

import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]


class SlidingWindowLimiter:
    """At most `limit` hits per key within any `window_s` seconds.

    Each key keeps the times of its last `limit` hits (never more), and keys are kept in
    least-recently-hit order so that expired keys are evicted from the front on every call
    and the table never grows beyond `max_keys`.
    """

    def __init__(
        self, limit: int, window_s: float, *, clock: Clock = time.monotonic, max_keys: int = 100_000
    ):
        if limit < 1 or window_s <= 0 or max_keys < 1:
            raise ValueError("limit and max_keys must be positive, window_s greater than zero")
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._max_keys = max_keys
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._hits)

    def retry_after(self, key: str) -> int | None:
        """Seconds until `key` may be hit again, or None when it may be hit now. Records nothing."""
        now = self._clock()
        self._evict_expired(now)
        hits = self._hits.get(key)
        if hits is None:
            return None
        _drop_older_than(hits, now - self.window_s)
        if len(hits) < self.limit:
            return None
        return max(1, math.ceil(hits[0] + self.window_s - now))

    def hit(self, key: str) -> None:
        """Record one hit for `key` now."""
        now = self._clock()
        hits = self._hits.pop(key, None)
        if hits is None:
            hits = deque(maxlen=self.limit)
        hits.append(now)
        self._hits[key] = hits  # re-inserted at the end: the most recently hit key
        while len(self._hits) > self._max_keys:
            self._hits.popitem(last=False)

    def acquire(self, key: str) -> int | None:
        """Hit `key` if the limit allows it (returns None); else the seconds to wait, recording nothing."""
        wait = self.retry_after(key)
        if wait is None:
            self.hit(key)
        return wait

    def release(self, key: str) -> None:
        """Take back the latest hit of `key`: a reservation that turned out not to count."""
        hits = self._hits.get(key)
        if hits:
            hits.pop()
        if hits is not None and not hits:
            del self._hits[key]

    def _evict_expired(self, now: float) -> None:
        horizon = now - self.window_s
        while self._hits:
            oldest_key, hits = next(iter(self._hits.items()))
            if hits and hits[-1] > horizon:
                return
            del self._hits[oldest_key]


def _drop_older_than(hits: deque[float], horizon: float) -> None:
    while hits and hits[0] <= horizon:
        hits.popleft()


@dataclass(frozen=True)
class LimitSpec:
    limit: int
    window_s: float


@dataclass
class RateLimits:
    """The gateway's limits: login failures per account, login attempts, signups and checkouts per IP."""

    login_failures: SlidingWindowLimiter
    login_attempts: SlidingWindowLimiter
    signups: SlidingWindowLimiter
    checkouts: SlidingWindowLimiter

    @classmethod
    def build(
        cls,
        *,
        login_failures: LimitSpec,
        login_attempts: LimitSpec,
        signups: LimitSpec,
        checkouts: LimitSpec,
        clock: Clock = time.monotonic,
        max_keys: int = 100_000,
    ) -> RateLimits:
        def make(spec: LimitSpec) -> SlidingWindowLimiter:
            return SlidingWindowLimiter(spec.limit, spec.window_s, clock=clock, max_keys=max_keys)

        return cls(make(login_failures), make(login_attempts), make(signups), make(checkouts))


def account_key(email: object) -> str | None:
    """The key login failures are counted under: the email as catalog compares it, or None."""
    if not isinstance(email, str):
        return None
    key = email.strip().lower()
    return key[:254] or None
