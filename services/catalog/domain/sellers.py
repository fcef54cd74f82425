"""Sellers: what a new seller starts with and how a settings change is checked."""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from services.catalog.domain.errors import RuleViolation

PAYMENT_METHODS = ("cod", "zelle")
DEFAULT_PAYMENT_METHODS = ("cod",)
DEFAULT_CURRENCY = "USD"
DEFAULT_TIMEZONE = "UTC"
# Fields of PATCH /api/seller that may be sent as null to clear them; the others may not.
CLEARABLE_FIELDS = frozenset({"phone", "zelle_handle"})
# Names zoneinfo resolves that are not places a business can be in.
_NOT_BUSINESS_ZONES = frozenset({"localtime", "Factory", "posixrules"})


@dataclass(frozen=True)
class SellerRecord:
    id: str
    email: str
    password_hash: str
    business_name: str
    slug: str
    phone: str | None
    realtime_enabled: bool
    accepting_orders: bool
    payment_methods: tuple[str, ...]
    zelle_handle: str | None
    currency: str
    timezone: str


def new_seller(
    *, seller_id: str, email: str, password_hash: str, business_name: str, slug: str, phone: str | None
) -> SellerRecord:
    """A seller as signup creates it, with the contract's defaults."""
    return SellerRecord(
        id=seller_id,
        email=normalize_email(email),
        password_hash=password_hash,
        business_name=business_name,
        slug=slug,
        phone=phone or None,
        realtime_enabled=False,
        accepting_orders=True,
        payment_methods=DEFAULT_PAYMENT_METHODS,
        zelle_handle=None,
        currency=DEFAULT_CURRENCY,
        timezone=DEFAULT_TIMEZONE,
    )


def normalize_email(email: str) -> str:
    """Emails are compared without case and surrounding spaces."""
    return email.strip().lower()


def apply_patch(current: SellerRecord, changes: Mapping[str, Any]) -> SellerRecord:
    """The seller after a PATCH with `changes` (only the fields the client sent).

    Raises `RuleViolation` for a null where a value is needed, an unknown time zone, or Zelle
    without a Zelle handle (sent in this PATCH or already stored).
    """
    cleaned: dict[str, Any] = {}
    for field, value in changes.items():
        if value is None and field not in CLEARABLE_FIELDS:
            raise RuleViolation(field, "must not be null")
        cleaned[field] = _clean(field, value)
    updated = replace(current, **cleaned)
    if "zelle" in updated.payment_methods and not updated.zelle_handle:
        field = "zelle_handle" if "zelle_handle" in changes else "payment_methods"
        raise RuleViolation(field, "accepting Zelle needs a zelle_handle")
    return updated


def _clean(field: str, value: Any) -> Any:
    if field in CLEARABLE_FIELDS:
        return value or None  # an empty string clears the field like null does
    if field == "payment_methods":
        return canonical_payment_methods(value)
    if field == "timezone":
        check_timezone(value)
    return value


def canonical_payment_methods(methods: Sequence[str]) -> tuple[str, ...]:
    """The methods without repeats, in the contract's order ("cod" before "zelle")."""
    unknown = set(methods) - set(PAYMENT_METHODS)
    if unknown:
        raise RuleViolation("payment_methods", f"unknown payment methods: {sorted(unknown)}")
    if not methods:
        raise RuleViolation("payment_methods", "must name at least one payment method")
    return tuple(method for method in PAYMENT_METHODS if method in methods)


def check_timezone(name: str) -> None:
    if not is_iana_timezone(name):
        raise RuleViolation("timezone", f"{name!r} is not an IANA time zone name (like 'America/New_York')")


def is_iana_timezone(name: str) -> bool:
    if name in _NOT_BUSINESS_ZONES:
        return False
    known = _known_timezones()
    if known:
        return name in known
    try:  # no zone list to check against (no tzdata): trust what zoneinfo can load
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


@lru_cache(maxsize=1)
def _known_timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def realtime_settings_changed(before: SellerRecord, after: SellerRecord) -> bool:
    """Whether other services must hear about the change (dashboards and checkout depend on these)."""
    return (before.realtime_enabled, before.accepting_orders) != (
        after.realtime_enabled,
        after.accepting_orders,
    )
