"""Matching deliveries to orders, sequence checks and catch-up times."""

from __future__ import annotations

import pytest

from bench.analysis import Delivery, Sent, SeqTracker, caught_up, gaps_between, match


def sent(tag: str, group: int, due: float, status: int = 201) -> Sent:
    return Sent(tag=tag, group=group, due=due, sent=due + 0.001, answered=due + 0.01, status=status)


GROUPS = {1: 0, 2: 0, 3: 1}  # sockets 1 and 2 are seller 0's, socket 3 is seller 1's


def test_latency_counts_from_when_the_order_was_due() -> None:
    outcome = match([sent("a", 0, 10.0)], [Delivery(1, "a", 10.004), Delivery(2, "a", 10.006)], GROUPS)
    assert outcome.latencies_s == pytest.approx([0.004, 0.006])
    assert (outcome.expected, outcome.delivered, outcome.lost, outcome.duplicated) == (2, 2, 0, 0)


def test_a_delivery_missing_from_one_dashboard_is_lost() -> None:
    outcome = match(
        [sent("a", 0, 1.0), sent("b", 1, 1.0)], [Delivery(1, "a", 1.1), Delivery(3, "b", 1.2)], GROUPS
    )
    assert outcome.expected == 3
    assert outcome.lost == 1


def test_a_second_delivery_to_one_socket_is_a_duplicate_not_a_sample() -> None:
    outcome = match([sent("a", 1, 0.0)], [Delivery(3, "a", 0.1), Delivery(3, "a", 0.2)], GROUPS)
    assert outcome.latencies_s == pytest.approx([0.1])
    assert outcome.duplicated == 1


def test_refused_orders_are_owed_to_nobody_and_counted_as_failed() -> None:
    outcome = match([sent("a", 0, 0.0, status=503), sent("b", 1, 0.0, status=0)], [], GROUPS)
    assert (outcome.expected, outcome.lost, outcome.failed_requests) == (0, 0, 2)
    assert outcome.statuses == {503: 1, 0: 1}


def test_deliveries_of_unknown_orders_or_to_another_sellers_socket_are_ignored() -> None:
    outcome = match([sent("a", 0, 0.0)], [Delivery(1, "zzz", 0.1), Delivery(3, "a", 0.1)], GROUPS)
    assert outcome.delivered == 0
    assert outcome.lost == 2


def test_sender_lateness_is_the_worst_send_delay() -> None:
    late = Sent(tag="a", group=0, due=1.0, sent=1.02, answered=1.03, status=201)
    assert match([late, sent("b", 0, 2.0)], [], GROUPS).sender_lateness_s == pytest.approx(0.02)


def test_seq_tracker_counts_gaps_and_repeats() -> None:
    tracker = SeqTracker()
    for seq in (5, 6, 8, 8, 7, 9):
        tracker.observe(seq)
    assert (tracker.last, tracker.gaps, tracker.repeats) == (9, 1, 2)


def test_a_reset_moves_the_tracker_without_a_gap() -> None:
    tracker = SeqTracker()
    tracker.observe(3)
    tracker.reset_to(40)
    tracker.observe(41)
    assert (tracker.last, tracker.gaps) == (41, 0)


def test_caught_up_when_the_replay_reaches_the_subscribed_head() -> None:
    assert (
        caught_up(5.0, subscribed_head=12, last_seq_sent=10, seq_after=[(5.1, 11), (5.3, 12), (5.4, 13)])
        == 5.3
    )


def test_caught_up_at_the_answer_when_nothing_was_missed() -> None:
    assert caught_up(5.0, subscribed_head=10, last_seq_sent=10, seq_after=[]) == 5.0


def test_never_caught_up_when_the_replay_stops_short() -> None:
    assert caught_up(5.0, subscribed_head=12, last_seq_sent=10, seq_after=[(5.1, 11)]) is None


def test_gaps_between_heartbeats() -> None:
    assert gaps_between([0.0, 20.0, 39.5]) == pytest.approx([20.0, 19.5])
    assert gaps_between([1.0]) == []
