"""When each socket gets its heartbeat: a timing wheel, so heartbeats are spread over the
interval instead of going to every socket at once.

Sent to all sockets in one burst, 10,000 heartbeats held the notifier's and the gateway's event
loops for 0.3-0.4 s every interval, and every order arriving meanwhile waited that long
(docs/performance.md). On the wheel a socket joins the slot of the moment it is added, and that
slot comes round once per turn, so each socket hears one heartbeat per interval, no later than
one interval after it was added, and the sockets of a burst of connections are spread over the
slots they arrived in.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Generic, TypeVar

T = TypeVar("T", bound=Hashable)


class HeartbeatWheel(Generic[T]):
    """`slots` buckets visited in turn by `advance()`; one full turn is one heartbeat interval."""

    def __init__(self, slots: int) -> None:
        if slots < 1:
            raise ValueError("a wheel needs at least one slot")
        self._buckets: list[dict[T, None]] = [{} for _ in range(slots)]
        self._slot_of: dict[T, int] = {}
        self._position = 0

    def __len__(self) -> int:
        return len(self._slot_of)

    def add(self, item: T) -> None:
        """First visited one full turn from now; an item already on the wheel keeps its slot."""
        if item not in self._slot_of:
            self._slot_of[item] = self._position
            self._buckets[self._position][item] = None

    def discard(self, item: T) -> None:
        slot = self._slot_of.pop(item, None)
        if slot is not None:
            del self._buckets[slot][item]

    def advance(self) -> list[T]:
        """Move to the next slot and return its items (in the order they were added)."""
        self._position = (self._position + 1) % len(self._buckets)
        return list(self._buckets[self._position])
