"""The rules of PATCH /api/seller, checked on records without a database."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from services.catalog.domain.errors import RuleViolation
from services.catalog.domain.sellers import (
    SellerRecord,
    apply_patch,
    canonical_payment_methods,
    is_iana_timezone,
    new_seller,
    normalize_email,
    realtime_settings_changed,
)


def seller(**changes: Any) -> SellerRecord:
    record = new_seller(
        seller_id="s1",
        email="  Asha@Example.COM ",
        password_hash="hash",
        business_name="Asha's Kitchen",
        slug="ashas-kitchen",
        phone=None,
    )
    return replace(record, **changes)


def test_a_new_seller_starts_with_the_contract_defaults() -> None:
    record = seller()
    assert record.email == "asha@example.com"
    assert record.realtime_enabled is False
    assert record.accepting_orders is True
    assert record.payment_methods == ("cod",)
    assert record.phone is None
    assert record.zelle_handle is None
    assert record.currency == "USD"
    assert record.timezone == "UTC"


def test_an_empty_signup_phone_is_stored_as_none() -> None:
    assert (
        new_seller(
            seller_id="x", email="a@b.co", password_hash="h", business_name="B", slug="bbb", phone=""
        ).phone
        is None
    )


def test_normalize_email() -> None:
    assert normalize_email("  MiXed@Example.Com\t") == "mixed@example.com"


def test_patch_changes_only_the_fields_sent() -> None:
    updated = apply_patch(seller(), {"business_name": "Asha's Dosa", "timezone": "Asia/Kolkata"})
    assert updated.business_name == "Asha's Dosa"
    assert updated.timezone == "Asia/Kolkata"
    assert updated.currency == "USD"
    assert updated.slug == "ashas-kitchen"


def test_an_empty_patch_changes_nothing() -> None:
    assert apply_patch(seller(), {}) == seller()


@pytest.mark.parametrize(
    "field",
    ["business_name", "realtime_enabled", "accepting_orders", "payment_methods", "currency", "timezone"],
)
def test_null_is_refused_where_a_value_is_needed(field: str) -> None:
    with pytest.raises(RuleViolation) as caught:
        apply_patch(seller(), {field: None})
    assert caught.value.field == field


@pytest.mark.parametrize("empty", [None, ""])
def test_phone_and_zelle_handle_can_be_cleared(empty: str | None) -> None:
    updated = apply_patch(
        seller(phone="+1 555 0100", zelle_handle="pay@x.example"), {"phone": empty, "zelle_handle": empty}
    )
    assert updated.phone is None
    assert updated.zelle_handle is None


def test_payment_methods_are_deduplicated_in_contract_order() -> None:
    assert canonical_payment_methods(["zelle", "cod", "zelle"]) == ("cod", "zelle")
    assert canonical_payment_methods(["zelle"]) == ("zelle",)


@pytest.mark.parametrize("methods", [[], ["card"], ["cod", "cash"]])
def test_payment_methods_must_be_a_non_empty_subset(methods: list[str]) -> None:
    with pytest.raises(RuleViolation) as caught:
        canonical_payment_methods(methods)
    assert caught.value.field == "payment_methods"


def test_zelle_without_a_handle_is_refused() -> None:
    with pytest.raises(RuleViolation) as caught:
        apply_patch(seller(), {"payment_methods": ["cod", "zelle"]})
    assert caught.value.field == "payment_methods"


def test_zelle_with_a_handle_in_the_same_patch_is_accepted() -> None:
    updated = apply_patch(seller(), {"payment_methods": ["zelle"], "zelle_handle": "pay@asha.example"})
    assert updated.payment_methods == ("zelle",)
    assert updated.zelle_handle == "pay@asha.example"


def test_zelle_with_a_handle_already_stored_is_accepted() -> None:
    updated = apply_patch(seller(zelle_handle="pay@asha.example"), {"payment_methods": ["cod", "zelle"]})
    assert updated.payment_methods == ("cod", "zelle")


def test_clearing_the_handle_while_zelle_is_accepted_is_refused() -> None:
    current = seller(payment_methods=("cod", "zelle"), zelle_handle="pay@asha.example")
    with pytest.raises(RuleViolation) as caught:
        apply_patch(current, {"zelle_handle": None})
    assert caught.value.field == "zelle_handle"
    assert apply_patch(current, {"zelle_handle": None, "payment_methods": ["cod"]}).zelle_handle is None


@pytest.mark.parametrize("name", ["UTC", "America/New_York", "Asia/Kolkata", "Europe/London", "Etc/GMT+5"])
def test_real_time_zones_are_accepted(name: str) -> None:
    assert is_iana_timezone(name)
    assert apply_patch(seller(), {"timezone": name}).timezone == name


@pytest.mark.parametrize(
    "name",
    [
        "",
        "Mars/Olympus_Mons",
        "america/new_york",
        "EST5EDT ",
        "../../etc/passwd",
        "/etc/localtime",
        "localtime",
        "posix/UTC",
        "Factory",
    ],
)
def test_anything_else_is_not_a_time_zone(name: str) -> None:
    assert not is_iana_timezone(name)
    with pytest.raises(RuleViolation) as caught:
        apply_patch(seller(), {"timezone": name})
    assert caught.value.field == "timezone"


def test_only_realtime_and_accepting_orders_changes_are_announced() -> None:
    before = seller()
    assert realtime_settings_changed(before, replace(before, realtime_enabled=True))
    assert realtime_settings_changed(before, replace(before, accepting_orders=False))
    assert not realtime_settings_changed(before, replace(before, business_name="Other", currency="EUR"))
    assert not realtime_settings_changed(before, apply_patch(before, {"realtime_enabled": False}))
