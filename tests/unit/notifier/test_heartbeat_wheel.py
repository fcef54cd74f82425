"""The heartbeat wheel: one heartbeat per socket per turn, spread over the turn's slots."""

from __future__ import annotations

import pytest

from services.notifier.domain.heartbeats import HeartbeatWheel


def turn(wheel: HeartbeatWheel[str], slots: int) -> list[list[str]]:
    return [wheel.advance() for _ in range(slots)]


def test_an_item_is_due_once_a_turn_and_first_one_full_turn_after_it_was_added() -> None:
    wheel: HeartbeatWheel[str] = HeartbeatWheel(4)
    wheel.add("a")
    assert turn(wheel, 4) == [[], [], [], ["a"]]
    assert turn(wheel, 4) == [[], [], [], ["a"]]


def test_items_added_at_different_moments_are_due_in_different_slots() -> None:
    wheel: HeartbeatWheel[str] = HeartbeatWheel(3)
    wheel.add("a")
    wheel.advance()
    wheel.add("b")
    wheel.add("c")
    wheel.advance()
    wheel.add("d")
    assert turn(wheel, 3) == [["a"], ["b", "c"], ["d"]]


def test_a_burst_added_while_the_wheel_turns_is_spread_over_the_slots() -> None:
    slots, per_slot = 150, 67
    wheel: HeartbeatWheel[int] = HeartbeatWheel(slots)
    for index in range(slots * per_slot):
        wheel.add(index)
        if index % per_slot == per_slot - 1:
            wheel.advance()
    due = turn(wheel, slots)
    assert max(len(items) for items in due) == per_slot
    assert sorted(item for items in due for item in items) == list(range(slots * per_slot))


def test_a_discarded_item_is_never_due_again_and_adding_twice_keeps_the_first_slot() -> None:
    wheel: HeartbeatWheel[str] = HeartbeatWheel(2)
    wheel.add("a")
    wheel.add("b")
    wheel.advance()
    wheel.add("a")  # already on the wheel
    wheel.discard("b")
    wheel.discard("never added")
    assert len(wheel) == 1
    assert turn(wheel, 2) == [["a"], []]


def test_a_wheel_needs_a_slot() -> None:
    with pytest.raises(ValueError):
        HeartbeatWheel(0)
