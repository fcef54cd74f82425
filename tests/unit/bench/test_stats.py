"""The benchmark's statistics: nearest-rank percentiles, summaries, ratios."""

from __future__ import annotations

import math

import pytest

from bench.stats import Summary, histogram, percentile, ratios, summarize


def test_nearest_rank_percentiles_of_one_to_a_hundred() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50
    assert percentile(values, 90) == 90
    assert percentile(values, 99) == 99
    assert percentile(values, 100) == 100


def test_a_percentile_is_always_one_of_the_values() -> None:
    values = [1.0, 2.0, 10.0]
    assert percentile(values, 50) == 2.0
    assert percentile(values, 99) == 10.0
    assert percentile(values, 1) == 1.0


def test_one_value_is_every_percentile() -> None:
    assert percentile([7.0], 50) == percentile([7.0], 99) == 7.0


@pytest.mark.parametrize("pct", [0, -1, 100.5])
def test_percentile_outside_its_range_is_refused(pct: float) -> None:
    with pytest.raises(ValueError):
        percentile([1.0], pct)


def test_percentile_of_nothing_is_refused() -> None:
    with pytest.raises(ValueError):
        percentile([], 50)


def test_summary_is_in_milliseconds_and_ignores_order() -> None:
    summary = summarize([0.003, 0.001, 0.002, 0.010])
    assert summary == Summary(count=4, p50=2.0, p90=10.0, p99=10.0, max=10.0, mean=4.0)


def test_no_latencies_no_summary() -> None:
    assert summarize([]) is None


def test_ratios_per_percentile() -> None:
    ours = Summary(count=10, p50=6.0, p90=9.0, p99=20.0, max=40.0, mean=7.0)
    floor = Summary(count=10, p50=2.0, p90=3.0, p99=4.0, max=0.0, mean=2.0)
    assert ratios(ours, floor) == {"p50": 3.0, "p90": 3.0, "p99": 5.0, "max": math.inf}


def test_histogram_counts_each_value_once_and_keeps_the_overflow() -> None:
    assert histogram([0.5, 1.0, 1.5, 2.5, 99.0], [0.0, 1.0, 2.0, 3.0]) == [1, 2, 2]
