"""Token numbers: the seller's business day in the seller's time zone, and their labels."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.checkout.domain.tokens import DayCount, business_day, next_day_count, token_label


@pytest.mark.parametrize(
    ("n", "label"),
    [(1, "A-001"), (17, "A-017"), (999, "A-999"), (1000, "B-001"), (1998, "B-999"), (1999, "C-001"),
     (26 * 999, "Z-999"), (26 * 999 + 1, "AA-001"), (27 * 999 + 1, "AB-001")],
)  # fmt: skip
def test_labels(n: int, label: str) -> None:
    assert token_label(n) == label


def test_labels_are_distinct_and_short_for_a_very_busy_day() -> None:
    labels = [token_label(n) for n in range(1, 60_001)]
    assert len(set(labels)) == len(labels)
    assert max(len(label) for label in labels) <= 12


def test_labels_start_at_one() -> None:
    with pytest.raises(ValueError):
        token_label(0)


def test_business_day_is_the_date_in_the_sellers_zone() -> None:
    instant = datetime(2025, 3, 2, 3, 30, tzinfo=UTC)  # 22:30 on March 1st in New York
    assert business_day(instant, "America/New_York") == date(2025, 3, 1)
    assert business_day(instant, "UTC") == date(2025, 3, 2)
    assert business_day(instant, "Asia/Kolkata") == date(2025, 3, 2)


def test_an_unknown_zone_counts_as_utc() -> None:
    instant = datetime(2025, 3, 2, 3, 30, tzinfo=UTC)
    assert business_day(instant, "Mars/Olympus_Mons") == date(2025, 3, 2)
    assert business_day(instant, "../etc/passwd") == date(2025, 3, 2)


def test_the_count_grows_within_a_day_and_resets_the_next() -> None:
    first = next_day_count(None, date(2025, 3, 1))
    assert first == DayCount(date(2025, 3, 1), 1)
    second = next_day_count(first, date(2025, 3, 1))
    assert second == DayCount(date(2025, 3, 1), 2)
    assert next_day_count(second, date(2025, 3, 2)) == DayCount(date(2025, 3, 2), 1)


def test_rollover_happens_at_the_sellers_midnight_not_utcs() -> None:
    zone = "America/Los_Angeles"
    late_evening = datetime(2025, 3, 2, 7, 59, tzinfo=UTC)  # 23:59 on March 1st local
    after_midnight = datetime(2025, 3, 2, 8, 0, tzinfo=UTC)  # 00:00 on March 2nd local
    count = next_day_count(None, business_day(datetime(2025, 3, 1, 20, 0, tzinfo=UTC), zone))
    count = next_day_count(count, business_day(late_evening, zone))
    assert (count.orders, token_label(count.orders)) == (2, "A-002")
    count = next_day_count(count, business_day(after_midnight, zone))
    assert (count.day, token_label(count.orders)) == (date(2025, 3, 2), "A-001")


def test_a_day_never_goes_backwards() -> None:
    """A seller who moves their time zone west must not get a token of the day again."""
    count = DayCount(date(2025, 3, 2), 4)
    assert next_day_count(count, date(2025, 3, 1)) == DayCount(date(2025, 3, 2), 5)
