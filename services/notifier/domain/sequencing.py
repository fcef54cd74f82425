"""Which events a socket still needs: every `seq` exactly once, in order; and, for a customer,
only versions newer than the one already shown.

These classes do no I/O. Whoever owns a socket offers it events as they come (from the
broker, out of order and possibly twice, or from checkout's event log) and sends what the
class hands back; `gap` says what to fetch from the log when an event is known to exist but
has not arrived.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

DEFAULT_PENDING_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class Gap:
    """Events `after < seq <= up_to` exist but have not been offered yet."""

    after: int
    up_to: int

    @property
    def size(self) -> int:
        return self.up_to - self.after


class SequenceCursor(Generic[T]):
    """Orders one socket's stream of `(seq, item)` so each seq goes out once, without holes.

    Until `start` is called (the socket is still subscribing) everything offered is held.
    Items that arrive ahead of the next expected seq are held as well, up to `pending_limit`;
    beyond that only their seq is remembered (as `head`), and the gap they leave is filled
    from the log like any other.
    """

    __slots__ = ("_head", "_last", "_pending", "_pending_limit")

    def __init__(self, pending_limit: int = DEFAULT_PENDING_LIMIT) -> None:
        self._last: int | None = None
        self._head = 0
        self._pending: dict[int, T] = {}
        self._pending_limit = pending_limit

    @property
    def started(self) -> bool:
        return self._last is not None

    @property
    def last(self) -> int | None:
        """The last seq handed out, or None before `start`."""
        return self._last

    @property
    def head(self) -> int:
        """The highest seq known to exist."""
        return self._head

    @property
    def held(self) -> int:
        return len(self._pending)

    def start(self, last: int) -> list[T]:
        """Position the cursor after `last`; returns the held items that follow on from it."""
        self._last = last
        self._head = max(self._head, last)
        for seq in [seq for seq in self._pending if seq <= last]:
            del self._pending[seq]
        return self._release()

    def offer(self, seq: int, item: T) -> list[T]:
        """Offer one item; returns the items to send now, in seq order (often none or one)."""
        self._head = max(self._head, seq)
        if self._last is not None and seq <= self._last:
            return []  # a duplicate, or replayed before it arrived live
        if self._last is not None and seq == self._last + 1:
            self._last = seq
            self._pending.pop(seq, None)
            released = [item]
            released.extend(self._release())
            return released
        if seq not in self._pending and len(self._pending) < self._pending_limit:
            self._pending[seq] = item
        return []

    def note_head(self, head: int) -> None:
        """Learn that events up to `head` exist (say from the log's `head_seq`)."""
        self._head = max(self._head, head)

    @property
    def gap(self) -> Gap | None:
        """The run of seqs to fetch before anything more can be sent, if any."""
        if self._last is None or self._head <= self._last:
            return None
        up_to = min(self._pending) - 1 if self._pending else self._head
        return Gap(after=self._last, up_to=up_to)

    def _release(self) -> list[T]:
        released: list[T] = []
        assert self._last is not None
        while (item := self._pending.pop(self._last + 1, None)) is not None:
            self._last += 1
            released.append(item)
        return released


class VersionGate(Generic[T]):
    """Lets through only versions newer than the last one sent (a customer's order view).

    Before `start` (the order is still being fetched) it keeps the newest item offered, which
    `start` hands back if it is newer than the fetched version.
    """

    __slots__ = ("_held", "_held_version", "_sent")

    def __init__(self) -> None:
        self._sent: int | None = None
        self._held: T | None = None
        self._held_version = 0

    @property
    def sent(self) -> int | None:
        return self._sent

    def start(self, version: int) -> T | None:
        """The version the socket starts from; returns a held item that is newer, if any."""
        self._sent = version
        held, self._held = self._held, None
        if held is not None and self._held_version > version:
            self._sent = self._held_version
            return held
        return None

    def offer(self, version: int, item: T) -> T | None:
        """Returns `item` when it should be sent, None when it is stale or held."""
        if self._sent is None:
            if version > self._held_version:
                self._held, self._held_version = item, version
            return None
        if version <= self._sent:
            return None
        self._sent = version
        return item


@dataclass(frozen=True, slots=True)
class ReplayPlan:
    """Where a dashboard's stream starts: after `start_after`, with a `reset` frame first or not."""

    start_after: int
    reset: bool


def plan_replay(last_seq: int | None, head_seq: int, first_logged_seq: int | None) -> ReplayPlan:
    """Decide how a subscription with `last_seq` starts, given the log's `head_seq` and the seq
    of the first event the log returned after `last_seq` (None when it returned none).

    Without `last_seq` only live events follow. A `last_seq` that is negative, beyond the head,
    or older than the log still holds gets a reset: the client reloads its list instead.
    """
    if last_seq is None:
        return ReplayPlan(start_after=head_seq, reset=False)
    if last_seq < 0 or last_seq > head_seq:
        return ReplayPlan(start_after=head_seq, reset=True)
    if last_seq < head_seq and first_logged_seq != last_seq + 1:
        return ReplayPlan(start_after=head_seq, reset=True)
    return ReplayPlan(start_after=last_seq, reset=False)
