"""Custom-field values against a product's fields."""

from __future__ import annotations

from typing import Any

import pytest

from services.checkout.domain.custom_fields import snapshot_custom_fields
from shared.contract import CustomField

LOC = ("items", 0, "custom_fields")


def field(**spec: Any) -> CustomField:
    return CustomField.model_validate({"label": spec.get("key", "f").title(), **spec})


SPICE = field(
    key="spice", label="Spice level", type="select", required=True, options=["Mild", "Medium", "Hot"]
)
NOTE = field(key="note", type="text", max_length=10)
COUNT = field(key="count", type="number", min=1, max=5)
AGREE = field(key="agree", type="checkbox", required=True)
NAPKINS = field(key="napkins", type="checkbox")


def problems_of(fields: list[CustomField], values: dict[str, Any]) -> dict[str, str]:
    _, problems = snapshot_custom_fields(fields, values, LOC)
    for problem in problems:
        assert problem.loc[:3] == LOC
    return {str(problem.loc[3]): problem.msg for problem in problems}


def test_valid_values_are_snapshotted_with_labels_in_field_order() -> None:
    snapshot, problems = snapshot_custom_fields(
        [SPICE, NOTE, COUNT, AGREE], {"agree": True, "count": 2.5, "note": "  no onion ", "spice": "Hot"}, LOC
    )
    assert problems == []
    assert [(f.key, f.label, f.value) for f in snapshot] == [
        ("spice", "Spice level", "Hot"),
        ("note", "Note", "no onion"),
        ("count", "Count", 2.5),
        ("agree", "Agree", True),
    ]


def test_optional_fields_left_out_or_empty_are_not_in_the_order() -> None:
    snapshot, problems = snapshot_custom_fields([NOTE, COUNT, NAPKINS], {"note": "   ", "count": None}, LOC)
    assert (snapshot, problems) == ([], [])


def test_an_unchecked_optional_checkbox_is_kept_as_false() -> None:
    snapshot, _ = snapshot_custom_fields([NAPKINS], {"napkins": False}, LOC)
    assert [(f.key, f.value) for f in snapshot] == [("napkins", False)]


def test_required_fields_must_be_given() -> None:
    assert problems_of([SPICE, AGREE], {}) == {
        "spice": "this field is required",
        "agree": "this field is required",
    }
    assert problems_of([field(key="name", type="text", required=True)], {"name": "  "}) == {
        "name": "this field is required"
    }
    assert problems_of([SPICE], {"spice": ""}) == {"spice": "this field is required"}


def test_a_required_checkbox_must_be_true() -> None:
    assert problems_of([AGREE], {"agree": False}) == {"agree": "must be checked"}


def test_unknown_keys_are_refused() -> None:
    assert problems_of([SPICE], {"spice": "Hot", "extra": 1, "Spice": "Hot"}) == {
        "extra": "unknown custom field",
        "Spice": "unknown custom field",
    }


@pytest.mark.parametrize("value", [True, False, "3", [3], {"n": 3}, float("nan"), float("inf")])
def test_a_number_must_be_a_json_number(value: Any) -> None:
    assert "count" in problems_of([COUNT], {"count": value})


@pytest.mark.parametrize("value", [1, 5, 3.25, 1.0])
def test_a_number_within_its_limits(value: Any) -> None:
    assert problems_of([COUNT], {"count": value}) == {}


def test_a_number_outside_its_limits() -> None:
    assert problems_of([COUNT], {"count": 0}) == {"count": "must be at least 1"}
    assert problems_of([COUNT], {"count": 5.5}) == {"count": "must be at most 5"}
    decimal_limits = field(key="grams", type="number", min=0.5, max=2.5)
    assert problems_of([decimal_limits], {"grams": 0.25}) == {"grams": "must be at least 0.5"}


def test_text_limits_and_types() -> None:
    assert problems_of([NOTE], {"note": "x" * 11}) == {"note": "must be at most 10 characters"}
    assert problems_of([NOTE], {"note": "  " + "x" * 10 + "  "}) == {}
    assert problems_of([NOTE], {"note": 12}) == {"note": "must be text"}
    assert problems_of([NOTE], {"note": "a\x00b"}) == {"note": "must not contain control characters"}


def test_text_defaults_to_200_characters() -> None:
    unlimited = field(key="msg", type="text")
    assert problems_of([unlimited], {"msg": "x" * 200}) == {}
    assert problems_of([unlimited], {"msg": "x" * 201}) == {"msg": "must be at most 200 characters"}


def test_text_keeps_markup_characters_as_given() -> None:
    snapshot, _ = snapshot_custom_fields([NOTE], {"note": "<b>&'\""}, LOC)
    assert snapshot[0].value == "<b>&'\""


@pytest.mark.parametrize("value", ["hot", "Extra hot", 1, True, ["Hot"]])
def test_a_select_value_must_be_one_of_its_options(value: Any) -> None:
    assert problems_of([SPICE], {"spice": value}) == {"spice": "must be one of: Mild, Medium, Hot"}


@pytest.mark.parametrize("value", ["true", 1, 0, None])
def test_a_checkbox_must_be_a_boolean(value: Any) -> None:
    problems = problems_of([AGREE], {"agree": value})
    assert "agree" in problems


def test_every_problem_is_reported_at_once() -> None:
    assert set(problems_of([SPICE, NOTE, COUNT, AGREE], {"note": 1, "count": "x", "zzz": 1})) == {
        "spice",
        "note",
        "count",
        "agree",
        "zzz",
    }


def test_a_number_must_be_an_integer_every_json_reader_holds_exactly() -> None:
    unbounded = field(key="grams", type="number")
    assert problems_of([unbounded], {"grams": 2**53 - 1}) == {}
    assert problems_of([unbounded], {"grams": -(2**53 - 1)}) == {}
    assert "grams" in problems_of([unbounded], {"grams": 2**53})
    assert "grams" in problems_of([unbounded], {"grams": -(2**53)})
