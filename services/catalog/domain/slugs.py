"""Storefront slugs: the URL name of a seller's storefront, `[a-z0-9-]{3,40}`."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

SLUG_MIN = 3
SLUG_MAX = 40
FALLBACK_SLUG = "shop"
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def derive_slug(business_name: str) -> str:
    """A slug from a business name: ASCII letters and digits joined by single hyphens.

    "Priya's Kitchen & Café" → "priyas-kitchen-cafe". Names with nothing to transliterate
    (for example only Tamil script) get "shop"; very short ones get "-shop" appended.
    """
    ascii_name = unicodedata.normalize("NFKD", business_name).encode("ascii", "ignore").decode()
    words = ascii_name.lower().replace("'", "").replace("’", "")
    slug = _NOT_SLUG.sub("-", words).strip("-")[:SLUG_MAX].rstrip("-")
    if not slug:
        return FALLBACK_SLUG
    if len(slug) < SLUG_MIN:
        return f"{slug}-{FALLBACK_SLUG}"
    return slug


def numbered_slug(base: str, number: int) -> str:
    """The `number`-th choice for `base`: base itself, then base-2, base-3, … within 40 characters."""
    if number <= 1:
        return base
    suffix = f"-{number}"
    return base[: SLUG_MAX - len(suffix)].rstrip("-") + suffix


def slug_candidates(base: str, first: int, count: int) -> Iterator[str]:
    """`count` successive choices for `base`, starting with choice number `first`."""
    for number in range(first, first + count):
        yield numbered_slug(base, number)
