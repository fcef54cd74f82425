"""One read of a seller's event log shared by the dashboards that subscribe at about the same
moment. No I/O: these functions say what to read and which part of the page each socket gets.

Each socket must get exactly what a read of its own would have started with, so that
`plan_replay` decides the same and nothing is skipped or sent twice. The shared read asks for
the events after the smallest `after` of the sockets, at most the smallest `limit`. Its page
holds *every* logged event from there up to its last seq (the log has no holes below its
head), so for a socket further on:

- the page's events after the socket's own `after` are the first ones its own read would
  have returned, and are no more than its own `limit`;
- when the page holds none of them, that is an answer too if the page was not cut short by
  the limit (the log has nothing more) or the socket is already at or past the head;
- otherwise (a full page that ends at or before the socket's `after`) the page cannot tell,
  and the socket waits for the next read, which starts further on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar


class Logged(Protocol):
    @property
    def seq(self) -> int: ...


E = TypeVar("E", bound=Logged)


@dataclass(frozen=True, slots=True)
class ReplayRead:
    """What one subscribing socket needs from the log: the events after `after` (None: only
    the head), at most `limit` of them (what its queue has room for)."""

    after: int | None
    limit: int


def shared_read(reads: Sequence[ReplayRead]) -> ReplayRead:
    """The one read that serves all of `reads` (or, with a full page, the furthest behind)."""
    afters = [read.after for read in reads if read.after is not None]
    if not afters:
        return ReplayRead(after=None, limit=1)
    limit = min(read.limit for read in reads if read.after is not None)
    return ReplayRead(after=min(afters), limit=max(1, limit))


def share_of(read: ReplayRead, shared: ReplayRead, head_seq: int, page: Sequence[E]) -> list[E] | None:
    """The part of `page` (the answer to `shared`, with the log's `head_seq`) that belongs to
    the socket that asked for `read`; None when the page cannot tell and it needs another read."""
    if read.after is None:
        return []
    share = [event for event in page if event.seq > read.after]
    if share or len(page) < shared.limit or read.after >= head_seq:
        return share
    return None
