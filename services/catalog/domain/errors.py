"""Errors the catalog's rules raise; the API turns them into 409 and 422 answers."""

from __future__ import annotations


class RuleViolation(Exception):
    """A request that is well-formed but breaks a rule about one field (→ 422)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class EmailTaken(Exception):
    """An account with this email already exists (→ 409)."""


class SlugTaken(Exception):
    """The storefront name asked for belongs to another seller (→ 409)."""
