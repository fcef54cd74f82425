"""Slug derivation: what a storefront is called when the seller does not choose."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.catalog.domain.slugs import derive_slug, numbered_slug, slug_candidates
from shared.contract import SLUG_PATTERN


@pytest.mark.parametrize(
    ("business_name", "slug"),
    [
        ("Santhai Demo Bakery", "santhai-demo-bakery"),
        ("Priya's Kitchen & Café", "priyas-kitchen-cafe"),
        ("  --Dosa   Corner!!  ", "dosa-corner"),
        ("ÉCLAIR ÜBER ALLES", "eclair-uber-alles"),
        ("24/7 Tiffin", "24-7-tiffin"),
        ("Mom’s Food", "moms-food"),
        ("சந்தை", "shop"),
        ("!!!", "shop"),
        ("AB", "ab-shop"),
        ("Q", "q-shop"),
    ],
)
def test_derive_slug_examples(business_name: str, slug: str) -> None:
    assert derive_slug(business_name) == slug


def test_a_long_name_is_cut_at_forty_without_a_trailing_hyphen() -> None:
    slug = derive_slug("The Very Best Homemade Biryani And Kebab House Of Springfield")
    assert len(slug) <= 40
    assert not slug.endswith("-")
    assert slug.startswith("the-very-best-homemade-biryani")


@given(st.text(max_size=200))
def test_every_derived_slug_is_a_valid_slug(business_name: str) -> None:
    assert re.fullmatch(SLUG_PATTERN, derive_slug(business_name))


def test_numbered_slugs_start_with_the_base_then_count_from_two() -> None:
    assert list(slug_candidates("dosa-corner", 1, 4)) == [
        "dosa-corner",
        "dosa-corner-2",
        "dosa-corner-3",
        "dosa-corner-4",
    ]
    assert list(slug_candidates("dosa-corner", 10, 2)) == ["dosa-corner-10", "dosa-corner-11"]


def test_a_number_on_a_forty_character_base_still_fits() -> None:
    base = "a" * 39 + "b"
    assert numbered_slug(base, 2) == "a" * 38 + "-2"
    assert numbered_slug(base, 123) == "a" * 36 + "-123"


@given(st.text(max_size=80), st.integers(min_value=1, max_value=100_000))
def test_numbered_slugs_are_valid_and_distinct(business_name: str, number: int) -> None:
    base = derive_slug(business_name)
    slug = numbered_slug(base, number)
    assert re.fullmatch(SLUG_PATTERN, slug)
    if number > 1:
        assert slug != numbered_slug(base, number - 1)
        assert slug.endswith(f"-{number}")
