"""One read of the event log shared by subscribing dashboards: each gets exactly what a read of
its own would have started with (so the same replay or reset), or waits for another read."""

from __future__ import annotations

import random
from dataclasses import dataclass

import pytest

from services.notifier.domain.sequencing import plan_replay
from services.notifier.domain.shared_reads import ReplayRead, share_of, shared_read


@dataclass(frozen=True)
class Event:
    seq: int


def log_read(log: list[int], after: int | None, limit: int) -> list[Event]:
    """What checkout answers: the first `limit` logged events after `after` (none without it)."""
    if after is None:
        return []
    return [Event(seq) for seq in log if seq > after][:limit]


def test_the_shared_read_starts_at_the_furthest_behind_and_takes_the_smallest_limit() -> None:
    reads = [ReplayRead(10, 500), ReplayRead(None, 3), ReplayRead(4, 200), ReplayRead(7, 300)]
    assert shared_read(reads) == ReplayRead(after=4, limit=200)


def test_only_heads_needed_reads_no_events() -> None:
    assert shared_read([ReplayRead(None, 500), ReplayRead(None, 20)]) == ReplayRead(after=None, limit=1)


def test_each_socket_gets_the_events_after_its_own_last_seq() -> None:
    log = list(range(1, 21))
    shared = ReplayRead(after=5, limit=500)
    page = log_read(log, shared.after, shared.limit)
    assert share_of(ReplayRead(5, 500), shared, 20, page) == [Event(s) for s in range(6, 21)]
    assert share_of(ReplayRead(18, 500), shared, 20, page) == [Event(19), Event(20)]
    assert share_of(ReplayRead(20, 500), shared, 20, page) == []
    assert share_of(ReplayRead(None, 500), shared, 20, page) == []


def test_a_full_page_that_ends_before_a_socket_cannot_answer_it() -> None:
    log = list(range(1, 21))
    shared = ReplayRead(after=0, limit=10)
    page = log_read(log, shared.after, shared.limit)
    assert share_of(ReplayRead(15, 10), shared, 20, page) is None
    assert share_of(ReplayRead(10, 10), shared, 20, page) is None
    assert share_of(ReplayRead(9, 10), shared, 20, page) == [Event(10)]
    assert share_of(ReplayRead(20, 10), shared, 20, page) == []  # at the head: nothing to replay
    assert share_of(ReplayRead(25, 10), shared, 20, page) == []  # past the head: a reset follows


def test_a_socket_older_than_the_log_gets_the_same_reset_as_alone() -> None:
    log = list(range(11, 21))  # 1..10 no longer kept
    shared = ReplayRead(after=3, limit=500)
    page = log_read(log, shared.after, shared.limit)
    share = share_of(ReplayRead(3, 500), shared, 20, page)
    assert share is not None
    assert plan_replay(3, 20, share[0].seq).reset
    newer = share_of(ReplayRead(12, 500), shared, 20, page)
    assert newer is not None
    assert not plan_replay(12, 20, newer[0].seq).reset


def _serve(log: list[int], head: int, reads: list[ReplayRead]) -> tuple[list[list[Event] | None], int]:
    """Answer `reads` with as many shared reads as it takes; returns the shares and the reads."""
    shares: list[list[Event] | None] = [None] * len(reads)
    count = 0
    while waiting := [i for i, share in enumerate(shares) if share is None]:
        shared = shared_read([reads[i] for i in waiting])
        page = log_read(log, shared.after, shared.limit)
        count += 1
        for i in waiting:
            shares[i] = share_of(reads[i], shared, head, page)
        assert count <= len(reads), "every read must answer at least one socket"
    return shares, count


@pytest.mark.parametrize("seed", range(300))
def test_sharing_decides_exactly_as_reading_alone(seed: int) -> None:
    rng = random.Random(seed)
    head = rng.randint(0, 60)
    oldest_kept = rng.randint(1, head + 1)
    log = list(range(oldest_kept, head + 1))
    reads = [
        ReplayRead(rng.choice([None, rng.randint(0, head + 3)]), rng.randint(1, 30))
        for _ in range(rng.randint(1, 8))
    ]
    shares, _ = _serve(log, head, reads)
    for read, share in zip(reads, shares, strict=True):
        assert share is not None
        alone = log_read(log, read.after, read.limit)
        assert share == alone[: len(share)], "a share is the start of what a read alone returns"
        assert len(share) <= read.limit
        first = share[0].seq if share else None
        first_alone = alone[0].seq if alone else None
        last_seq = read.after
        assert plan_replay(last_seq, head, first) == plan_replay(last_seq, head, first_alone)


def test_close_sockets_share_one_read() -> None:
    log = list(range(1, 1001))
    reads = [ReplayRead(990 + i % 10, 250) for i in range(20)]
    shares, count = _serve(log, 1000, reads)
    assert count == 1
    assert shares[0] == [Event(s) for s in range(991, 1001)]
