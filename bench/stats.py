"""Latency statistics: nearest-rank percentiles, summaries and ratios. Pure; no I/O."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

PERCENTILES = (50, 90, 99)


def percentile(sorted_values: Sequence[float], pct: float) -> float:
    """The nearest-rank percentile of already sorted values: the smallest value with at least
    `pct` % of the values at or below it (so p100 is the max and nothing is interpolated)."""
    if not sorted_values:
        raise ValueError("percentile of no values")
    if not 0 < pct <= 100:
        raise ValueError(f"percentile must be in (0, 100], not {pct}")
    rank = math.ceil(pct / 100 * len(sorted_values))
    return float(sorted_values[max(rank, 1) - 1])


@dataclass(frozen=True)
class Summary:
    """Latencies in milliseconds."""

    count: int
    p50: float
    p90: float
    p99: float
    max: float
    mean: float

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)

    def at(self, name: str) -> float:
        value: float = getattr(self, name)
        return value


def summarize(latencies_s: Iterable[float]) -> Summary | None:
    """Summary in ms of latencies given in seconds; None when there are none."""
    values = sorted(value * 1000.0 for value in latencies_s)
    if not values:
        return None
    return Summary(
        count=len(values),
        p50=percentile(values, 50),
        p90=percentile(values, 90),
        p99=percentile(values, 99),
        max=values[-1],
        mean=sum(values) / len(values),
    )


def ratios(ours: Summary, floor: Summary) -> dict[str, float]:
    """Ours divided by the floor, per percentile and at the max."""
    return {
        name: (ours.at(name) / floor.at(name)) if floor.at(name) > 0 else math.inf
        for name in ("p50", "p90", "p99", "max")
    }


def histogram(latencies_ms: Sequence[float], edges_ms: Sequence[float]) -> list[int]:
    """Counts per bucket [edges[i], edges[i+1]); values past the last edge land in the last bucket."""
    counts = [0] * (len(edges_ms) - 1)
    for value in latencies_ms:
        for i in range(len(counts)):
            if value < edges_ms[i + 1] or i == len(counts) - 1:
                if value >= edges_ms[i]:
                    counts[i] += 1
                break
    return counts
