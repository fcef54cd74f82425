"""Checking the custom-field values a customer gave for one item against the product's fields."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from services.checkout.domain.problems import FieldProblem, Loc
from shared.contract import CustomField, OrderItemField, clean_text

DEFAULT_TEXT_MAX_LENGTH = 200
# The integers every JSON reader (a browser's included) holds exactly: |n| <= 2**53 - 1.
SAFE_INTEGER = 2**53 - 1


class _Invalid(Exception):
    def __init__(self, msg: str, kind: str = "value_error") -> None:
        super().__init__(msg)
        self.msg = msg
        self.kind = kind


_OMITTED = object()  # an optional field the customer left empty: not part of the order


def snapshot_custom_fields(
    fields: Sequence[CustomField], values: Mapping[str, Any], loc: Loc
) -> tuple[list[OrderItemField], list[FieldProblem]]:
    """The order's copy of the values (label included, in the product's field order) and the
    problems found, each located at `loc + (key,)`."""
    known = {f.key for f in fields}
    problems = [
        FieldProblem((*loc, key), "unknown custom field", "extra_forbidden")
        for key in values
        if key not in known
    ]
    snapshot: list[OrderItemField] = []
    for field in fields:
        try:
            value = _checked_value(field, values.get(field.key))
        except _Invalid as invalid:
            problems.append(FieldProblem((*loc, field.key), invalid.msg, invalid.kind))
            continue
        if value is not _OMITTED:
            snapshot.append(OrderItemField(key=field.key, label=field.label, value=value))
    return snapshot, problems


def _checked_value(field: CustomField, raw: Any) -> Any:
    if raw is None:
        return _missing(field)
    checker = _CHECKERS[field.type]
    return checker(field, raw)


def _missing(field: CustomField) -> Any:
    if field.required:
        raise _Invalid("this field is required", "missing")
    return _OMITTED


def _text(field: CustomField, raw: Any) -> Any:
    if not isinstance(raw, str):
        raise _Invalid("must be text", "string_type")
    try:
        value = clean_text(raw, multiline=True)
    except ValueError as exc:
        raise _Invalid(str(exc)) from exc
    if not value:
        return _missing(field)
    limit = field.max_length or DEFAULT_TEXT_MAX_LENGTH
    if len(value) > limit:
        raise _Invalid(f"must be at most {limit} characters", "string_too_long")
    return value


def _number(field: CustomField, raw: Any) -> Any:
    # bool is an int subclass in Python, but `true` is not a number in JSON.
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise _Invalid("must be a number", "number_type")
    if isinstance(raw, float) and not math.isfinite(raw):
        raise _Invalid("must be a finite number", "finite_number")
    if isinstance(raw, int) and abs(raw) > SAFE_INTEGER:
        raise _Invalid(f"must be between -{SAFE_INTEGER} and {SAFE_INTEGER}", "less_than_equal")
    if field.min is not None and raw < field.min:
        raise _Invalid(f"must be at least {_plain(field.min)}", "greater_than_equal")
    if field.max is not None and raw > field.max:
        raise _Invalid(f"must be at most {_plain(field.max)}", "less_than_equal")
    return raw


def _select(field: CustomField, raw: Any) -> Any:
    options = field.options or []
    value = raw.strip() if isinstance(raw, str) else raw
    if value == "":  # a form's "choose one" placeholder
        return _missing(field)
    if not isinstance(value, str) or value not in options:
        raise _Invalid("must be one of: " + ", ".join(options), "enum")
    return value


def _checkbox(field: CustomField, raw: Any) -> Any:
    if not isinstance(raw, bool):
        raise _Invalid("must be true or false", "bool_type")
    if field.required and not raw:
        raise _Invalid("must be checked", "missing")
    return raw


def _plain(number: float) -> str:
    """2.0 → "2", 2.5 → "2.5": how people write limits."""
    return str(int(number)) if number.is_integer() else str(number)


_CHECKERS = {"text": _text, "number": _number, "select": _select, "checkbox": _checkbox}
