"""What the load generator's records mean: latencies, losses, duplicates and sequence gaps.

Pure; no I/O. Times are `time.monotonic()` seconds, which on Linux is one clock for every
process of the machine, so the sender's and the sockets' records can be compared.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Sent:
    tag: str
    group: int  # the seller
    due: float
    sent: float
    answered: float
    status: int  # HTTP status, or 0 when no answer came
    error: str = ""  # why no answer came, or the start of a non-201 answer


@dataclass(frozen=True)
class Delivery:
    socket: int
    tag: str
    at: float


@dataclass
class Outcome:
    latencies_s: list[float]
    http_latencies_s: list[float]
    expected: int  # deliveries owed: accepted orders × sockets of their seller
    delivered: int
    lost: int
    duplicated: int
    failed_requests: int
    statuses: dict[int, int]
    errors: dict[str, int]
    sender_lateness_s: float
    missing: set[tuple[int, str]] = field(default_factory=set)  # (socket, tag) owed but not delivered


def match(sent: Iterable[Sent], deliveries: Iterable[Delivery], groups: Mapping[int, int]) -> Outcome:
    """Latency of each delivery from when its order was due; `groups` maps socket -> seller.

    Only accepted orders (201) are owed to the sockets; a delivery of an order the sender
    does not know (another phase's) is ignored.
    """
    by_tag = {record.tag: record for record in sent}
    sockets_of: dict[int, int] = Counter(groups.values())
    seen: Counter[tuple[int, str]] = Counter()
    latencies: list[float] = []
    for delivery in deliveries:
        order = by_tag.get(delivery.tag)
        if order is None or order.status != 201 or groups.get(delivery.socket) != order.group:
            continue
        seen[(delivery.socket, delivery.tag)] += 1
        if seen[(delivery.socket, delivery.tag)] == 1:
            latencies.append(delivery.at - order.due)
    accepted = [record for record in by_tag.values() if record.status == 201]
    expected = sum(sockets_of.get(record.group, 0) for record in accepted)
    owed_to: dict[int, list[int]] = {}
    for socket, group in groups.items():
        owed_to.setdefault(group, []).append(socket)
    missing = {
        (socket, record.tag)
        for record in accepted
        for socket in owed_to.get(record.group, [])
        if (socket, record.tag) not in seen
    }
    return Outcome(
        latencies_s=latencies,
        http_latencies_s=[record.answered - record.due for record in accepted],
        expected=expected,
        delivered=len(latencies),
        lost=expected - len(latencies),
        duplicated=sum(count - 1 for count in seen.values()),
        failed_requests=len(by_tag) - len(accepted),
        statuses=dict(Counter(record.status for record in by_tag.values())),
        errors=dict(Counter(record.error for record in by_tag.values() if record.error).most_common(10)),
        sender_lateness_s=max((record.sent - record.due for record in by_tag.values()), default=0.0),
        missing=missing,
    )


@dataclass
class SeqTracker:
    """A socket's view of its seller's event sequence: it must grow by exactly one."""

    last: int | None = None
    gaps: int = 0  # events skipped
    repeats: int = 0  # events seen again or out of order
    history: list[int] = field(default_factory=list)

    def observe(self, seq: int) -> None:
        if self.last is not None:
            if seq <= self.last:
                self.repeats += 1
                return
            self.gaps += seq - self.last - 1
        self.last = seq

    def reset_to(self, head_seq: int) -> None:
        """After a `reset` the client reloads its list and continues from `head_seq`."""
        self.last = head_seq


def caught_up(
    subscribed_at: float, subscribed_head: int, last_seq_sent: int, seq_after: Iterable[tuple[float, int]]
) -> float | None:
    """When a socket that resubscribed with `last_seq_sent` had everything up to the
    `head_seq` of its `subscribed` answer: at that answer when nothing was missed, else at the
    first event at or past `head_seq`; None if that never came. `seq_after` is the socket's
    (time, seq) after the `subscribed` answer, in arrival order."""
    if subscribed_head <= last_seq_sent:
        return subscribed_at
    for at, seq in seq_after:
        if seq >= subscribed_head:
            return at
    return None


def gaps_between(times: Iterable[float]) -> list[float]:
    """Intervals between consecutive times (for heartbeats)."""
    ordered = list(times)
    return [later - earlier for earlier, later in itertools.pairwise(ordered)]
