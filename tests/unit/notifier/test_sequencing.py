"""The per-socket sequencing rules: every seq once, in order, whatever order events come in."""

from __future__ import annotations

import random

import pytest

from services.notifier.domain.sequencing import Gap, SequenceCursor, VersionGate, plan_replay


def offer_all(cursor: SequenceCursor[int], seqs: list[int]) -> list[int]:
    sent: list[int] = []
    for seq in seqs:
        sent.extend(cursor.offer(seq, seq))
    return sent


def started(last: int = 0, pending_limit: int = 1000) -> SequenceCursor[int]:
    cursor: SequenceCursor[int] = SequenceCursor(pending_limit)
    assert cursor.start(last) == []
    return cursor


def test_in_order_events_pass_straight_through() -> None:
    cursor = started()
    assert offer_all(cursor, [1, 2, 3]) == [1, 2, 3]
    assert cursor.last == 3
    assert cursor.gap is None


def test_duplicates_are_dropped() -> None:
    cursor = started()
    assert offer_all(cursor, [1, 1, 2, 1, 2, 3, 3]) == [1, 2, 3]


def test_events_at_or_before_the_start_are_dropped() -> None:
    cursor = started(last=10)
    assert offer_all(cursor, [9, 10, 11]) == [11]


def test_an_early_event_waits_for_the_one_before_it() -> None:
    cursor = started()
    assert cursor.offer(2, 2) == []
    assert cursor.gap == Gap(after=0, up_to=1)
    assert cursor.offer(1, 1) == [1, 2]
    assert cursor.gap is None


def test_the_gap_ends_before_the_first_held_event() -> None:
    cursor = started(last=5)
    cursor.offer(9, 9)
    cursor.offer(8, 8)
    assert cursor.gap == Gap(after=5, up_to=7)
    assert cursor.gap.size == 2


def test_filling_a_gap_from_the_log_releases_held_events() -> None:
    cursor = started(last=5)
    cursor.offer(8, 8)
    logged = offer_all(cursor, [6, 7, 8])  # the log returns everything up to its head
    assert logged == [6, 7, 8]
    assert cursor.last == 8
    assert cursor.gap is None


def test_a_redelivered_event_after_a_gap_fill_is_dropped() -> None:
    cursor = started()
    cursor.offer(3, 3)
    assert offer_all(cursor, [1, 2]) == [1, 2, 3]
    assert offer_all(cursor, [2, 3]) == []


def test_held_events_beyond_the_limit_are_remembered_as_head_and_fetched_later() -> None:
    cursor = started(pending_limit=2)
    assert offer_all(cursor, [3, 4, 5, 6]) == []
    assert cursor.held == 2
    assert cursor.head == 6
    assert offer_all(cursor, [1, 2]) == [1, 2, 3, 4]
    assert cursor.gap == Gap(after=4, up_to=6)
    assert offer_all(cursor, [5, 6]) == [5, 6]


def test_a_known_head_beyond_the_last_event_is_a_gap() -> None:
    cursor = started(last=3)
    cursor.note_head(7)
    assert cursor.gap == Gap(after=3, up_to=7)


def test_before_start_everything_is_held_and_no_gap_is_reported() -> None:
    cursor: SequenceCursor[int] = SequenceCursor()
    assert offer_all(cursor, [12, 11, 14]) == []
    assert cursor.gap is None
    assert not cursor.started
    assert cursor.start(10) == [11, 12]
    assert cursor.gap == Gap(after=12, up_to=13)


def test_start_discards_held_events_it_has_passed() -> None:
    cursor: SequenceCursor[int] = SequenceCursor()
    offer_all(cursor, [4, 5, 6])
    assert cursor.start(5) == [6]
    assert cursor.held == 0


@pytest.mark.parametrize("seed", range(25))
def test_any_arrival_order_with_duplicates_yields_each_seq_once_in_order(seed: int) -> None:
    rng = random.Random(seed)
    arrivals = list(range(1, 60)) + rng.sample(range(1, 60), 20)
    rng.shuffle(arrivals)
    cursor = started()
    sent = offer_all(cursor, arrivals)
    assert sent == list(range(1, 60))
    assert cursor.gap is None


@pytest.mark.parametrize("seed", range(10))
def test_lost_events_are_recovered_by_filling_the_reported_gaps(seed: int) -> None:
    rng = random.Random(seed)
    log = list(range(1, 101))
    delivered = [seq for seq in log if rng.random() > 0.3]
    rng.shuffle(delivered)
    cursor = started(pending_limit=10)
    sent = offer_all(cursor, delivered)
    cursor.note_head(100)  # e.g. after a broker reconnect
    while (gap := cursor.gap) is not None:
        sent.extend(offer_all(cursor, log[gap.after : gap.up_to]))
    assert sent == log


def test_version_gate_sends_only_newer_versions() -> None:
    gate: VersionGate[str] = VersionGate()
    assert gate.start(2) is None
    assert gate.offer(2, "v2") is None
    assert gate.offer(4, "v4") == "v4"
    assert gate.offer(3, "v3") is None
    assert gate.offer(4, "v4") is None
    assert gate.offer(5, "v5") == "v5"
    assert gate.sent == 5


def test_version_gate_holds_the_newest_item_until_started() -> None:
    gate: VersionGate[str] = VersionGate()
    assert gate.offer(3, "v3") is None
    assert gate.offer(2, "v2") is None
    assert gate.start(2) == "v3"
    assert gate.sent == 3
    assert gate.offer(3, "v3") is None


def test_version_gate_drops_a_held_item_older_than_the_fetched_version() -> None:
    gate: VersionGate[str] = VersionGate()
    gate.offer(2, "v2")
    assert gate.start(3) is None
    assert gate.sent == 3


def test_replay_without_last_seq_starts_at_the_head() -> None:
    plan = plan_replay(None, 7, None)
    assert (plan.start_after, plan.reset) == (7, False)


@pytest.mark.parametrize(("last_seq", "first"), [(3, 4), (7, None), (0, 1)])
def test_replay_from_a_known_seq(last_seq: int, first: int | None) -> None:
    plan = plan_replay(last_seq, 7, first)
    assert (plan.start_after, plan.reset) == (last_seq, False)


@pytest.mark.parametrize(("last_seq", "first"), [(-1, 1), (8, None), (2, 5), (2, None)])
def test_replay_resets_when_last_seq_is_out_of_reach(last_seq: int, first: int | None) -> None:
    plan = plan_replay(last_seq, 7, first)
    assert (plan.start_after, plan.reset) == (7, True)
