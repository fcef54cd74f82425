"""Validation problems that point at the field they are about, like FastAPI's 422 list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class FieldProblem:
    """One thing wrong with the request; `loc` is the path inside the JSON body."""

    loc: Loc
    msg: str
    type: str = "value_error"

    def as_json(self, where: str = "body") -> dict[str, Any]:
        return {"type": self.type, "loc": [where, *self.loc], "msg": self.msg}


class CheckoutInvalid(Exception):
    """The checkout breaks the seller's rules (422)."""

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        super().__init__("; ".join(p.msg for p in problems))
        self.problems = list(problems)


class StoreClosed(Exception):
    """The seller is not accepting orders (409)."""
