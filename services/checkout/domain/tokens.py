"""Token numbers: what the seller calls out ("A-017"), unique within the seller's business day.

The n-th order of a business day gets block letters for (n - 1) // 999 and a number for
(n - 1) % 999 + 1: A-001 … A-999, B-001 … Z-999, AA-001 … — at most 12 characters for any
plausible day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PER_BLOCK = 999
MAX_TOKEN_LENGTH = 12


@dataclass(frozen=True)
class DayCount:
    """How many orders the seller has had on `day` (a date in the seller's time zone)."""

    day: date
    orders: int


def seller_zone(name: str) -> ZoneInfo:
    """The seller's IANA zone; UTC when the name is unknown (the catalog validates it anyway)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def business_day(now: datetime, timezone: str) -> date:
    """The seller's calendar date at the aware instant `now`."""
    return now.astimezone(seller_zone(timezone)).date()


def next_day_count(current: DayCount | None, today: date) -> DayCount:
    """The count for the next order. A day never goes backwards: if the seller's clock or time
    zone moves back, orders keep counting on the later day, so a token is never handed out twice."""
    if current is None or today > current.day:
        return DayCount(today, 1)
    return DayCount(current.day, current.orders + 1)


def token_label(n: int) -> str:
    """The token of the n-th order of a day (n ≥ 1)."""
    if n < 1:
        raise ValueError("token numbers start at 1")
    block, number = divmod(n - 1, PER_BLOCK)
    label = f"{_block_letters(block)}-{number + 1:03d}"
    if len(label) > MAX_TOKEN_LENGTH:
        raise ValueError("too many orders in one day for a token number")
    return label


def _block_letters(block: int) -> str:
    """0 → A, 25 → Z, 26 → AA (spreadsheet-column style)."""
    letters = ""
    block += 1
    while block:
        block, remainder = divmod(block - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters
