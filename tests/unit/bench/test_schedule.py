"""Open-loop scheduling and the step search of the sustained-throughput test."""

from __future__ import annotations

import pytest

from bench.schedule import fixed_rate, lateness, next_rate


def test_requests_are_due_at_fixed_intervals_from_the_start() -> None:
    due = list(fixed_rate(rate=100, duration_s=0.05, start=10.0, sellers=3))
    assert [d.index for d in due] == [0, 1, 2, 3, 4]
    assert [round(d.at, 6) for d in due] == [10.0, 10.01, 10.02, 10.03, 10.04]


def test_requests_go_round_robin_over_the_sellers() -> None:
    assert [d.seller for d in fixed_rate(rate=10, duration_s=0.7, start=0, sellers=3)] == [
        0,
        1,
        2,
        0,
        1,
        2,
        0,
    ]


def test_the_count_is_rate_times_duration() -> None:
    assert len(list(fixed_rate(rate=200, duration_s=30, start=0, sellers=100))) == 6000


def test_the_schedule_does_not_depend_on_answers() -> None:
    # Open loop: the due times are fixed up front, so a slow answer cannot delay the next request.
    first = [d.at for d in fixed_rate(rate=50, duration_s=1, start=5, sellers=2)]
    second = [d.at for d in fixed_rate(rate=50, duration_s=1, start=5, sellers=2)]
    assert first == second
    assert first[-1] == pytest.approx(5 + 49 / 50)


@pytest.mark.parametrize(("rate", "duration", "sellers"), [(0, 1, 1), (1, 0, 1), (1, 1, 0), (-5, 1, 1)])
def test_nonsense_plans_are_refused(rate: float, duration: float, sellers: int) -> None:
    with pytest.raises(ValueError):
        list(fixed_rate(rate, duration, 0, sellers))


def test_lateness_is_the_worst_delay_of_the_sender() -> None:
    assert lateness([1.0, 2.0, 3.0], [1.001, 2.05, 3.0]) == pytest.approx(0.05)
    assert lateness([], []) == 0.0


LADDER = [50, 100, 200, 300, 400]


def test_after_a_pass_the_search_goes_one_step_up() -> None:
    assert next_rate(LADDER, {200: True}) == 300


def test_the_first_failure_above_a_pass_ends_the_search() -> None:
    assert next_rate(LADDER, {200: True, 300: False}) is None


def test_passing_the_top_rung_ends_the_search() -> None:
    assert next_rate(LADDER, {400: True}) is None


def test_when_nothing_held_yet_the_search_steps_down() -> None:
    assert next_rate(LADDER, {200: False}) == 100
    assert next_rate(LADDER, {200: False, 100: False}) == 50
    assert next_rate(LADDER, {200: False, 100: False, 50: False}) is None


def test_a_pass_below_a_failure_ends_the_search() -> None:
    assert next_rate(LADDER, {200: False, 100: True}) is None
