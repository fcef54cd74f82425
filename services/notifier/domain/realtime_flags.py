"""Which sellers are known to have real-time orders on, so that a burst of subscribes does not
ask the catalog once per socket. No I/O: the caller asks the catalog and reports the answer.

Only "on" is remembered. A stale "on" is harmless for as long as the change event takes to
arrive: every socket is registered in the hub before it is checked, so the event that turned
real-time off closes it (4403) like any other open dashboard. A stale "off" would refuse a
dashboard after the seller turned real-time on, which nothing would correct, so "off" and
"unknown seller" are never remembered.

The rules that keep "on" from going stale:

- `changed` (a `seller.settings_changed` event) forgets the seller, and an answer to a lookup
  that was already under way is not remembered: it may predate the change.
- `forget_all` (the broker connection was lost, or is back: events may have been missed)
  forgets everything, and no lookup under way at that moment is remembered either.
- An entry is trusted for at most `max_age_s`, and at most `max_sellers` are kept (least
  recently used go first).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(slots=True, eq=False)
class Lookup:
    """One question to the catalog under way; `current` until a change may have outdated it."""

    seller_id: str
    current: bool = True


class RealtimeFlags:
    __slots__ = ("_clock", "_enabled_at", "_lookups", "_max_age_s", "_max_sellers")

    def __init__(
        self, *, max_sellers: int, max_age_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._max_sellers = max_sellers
        self._max_age_s = max_age_s
        self._clock = clock
        self._enabled_at: OrderedDict[str, float] = OrderedDict()
        self._lookups: dict[str, Lookup] = {}

    def __len__(self) -> int:
        return len(self._enabled_at)

    def known_enabled(self, seller_id: str) -> bool:
        """True when the seller is known, recently enough, to have real-time orders on."""
        stored_at = self._enabled_at.get(seller_id)
        if stored_at is None:
            return False
        if self._clock() - stored_at > self._max_age_s:
            del self._enabled_at[seller_id]
            return False
        self._enabled_at.move_to_end(seller_id)
        return True

    def lookup_under_way(self, seller_id: str) -> Lookup | None:
        """The current lookup of the seller that another caller may wait for, if any."""
        lookup = self._lookups.get(seller_id)
        return lookup if lookup is not None and lookup.current else None

    def start_lookup(self, seller_id: str) -> Lookup:
        lookup = Lookup(seller_id)
        self._lookups[seller_id] = lookup
        return lookup

    def finish_lookup(self, lookup: Lookup, enabled: bool | None) -> None:
        """The catalog answered `lookup` (`enabled`, or None for an unknown seller; call this
        with None when it did not answer at all)."""
        if self._lookups.get(lookup.seller_id) is lookup:
            del self._lookups[lookup.seller_id]
        if enabled is True and lookup.current:
            self._remember(lookup.seller_id)

    def changed(self, seller_id: str) -> None:
        """The seller's settings changed: forget what is known, and what is being asked."""
        self._enabled_at.pop(seller_id, None)
        lookup = self._lookups.pop(seller_id, None)
        if lookup is not None:
            lookup.current = False

    def forget_all(self) -> None:
        """Changes may have been missed: forget everything, including every lookup under way."""
        self._enabled_at.clear()
        for lookup in self._lookups.values():
            lookup.current = False
        self._lookups.clear()

    def _remember(self, seller_id: str) -> None:
        self._enabled_at[seller_id] = self._clock()
        self._enabled_at.move_to_end(seller_id)
        while len(self._enabled_at) > self._max_sellers:
            self._enabled_at.popitem(last=False)
