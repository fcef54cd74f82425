"""Open-loop load: when each request is due, whatever the answers to earlier ones.

A closed loop (send, wait, send) slows down with the system and hides its queueing; here
request i is due at start + i / rate and its latency counts from that moment, so a late
sender or a slow system both show in the figures (no coordinated omission). Pure; no I/O.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Due:
    index: int
    at: float  # monotonic seconds
    seller: int  # index of the seller the order is for


def fixed_rate(rate: float, duration_s: float, start: float, sellers: int) -> Iterator[Due]:
    """Requests at `rate` per second for `duration_s`, round robin over `sellers`."""
    if rate <= 0 or duration_s <= 0 or sellers <= 0:
        raise ValueError("rate, duration and sellers must be positive")
    count = round(rate * duration_s)
    interval = 1.0 / rate
    for index in range(count):
        yield Due(index=index, at=start + index * interval, seller=index % sellers)


def lateness(due_at: Sequence[float], sent_at: Sequence[float]) -> float:
    """The worst delay between when requests were due and when the sender sent them."""
    return max((sent - due for due, sent in zip(due_at, sent_at, strict=True)), default=0.0)


def next_rate(rates: Sequence[float], results: Mapping[float, bool]) -> float | None:
    """The step search of the sustained-throughput test over ascending `rates`, given the
    rates tried so far (rate -> held it?): one step above the highest that held, unless that
    step already failed; when none held yet, one step below the lowest that failed. None once
    the answer is known. The caller starts at the highest rate it already expects to hold."""
    held = [rate for rate, ok in results.items() if ok]
    failed = [rate for rate, ok in results.items() if not ok]
    if held:
        above = [rate for rate in rates if rate > max(held)]
        if not above or (failed and above[0] >= min(failed)):
            return None
        return above[0]
    if not failed:
        return None
    below = [rate for rate in rates if rate < min(failed)]
    return below[-1] if below else None
