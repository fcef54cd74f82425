"""The order status and payment state machine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import product

import pytest

from services.checkout.domain.transitions import (
    NEXT_STATUSES,
    ChangeRefused,
    can_change_status,
    change_status,
    receive_payment,
)
from shared.contract import Address, Customer, HistoryEntry, Order, OrderStatus

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
T1 = T0 + timedelta(minutes=5)
ALLOWED = {
    ("pending", "accepted"),
    ("pending", "rejected"),
    ("accepted", "preparing"),
    ("accepted", "out_for_delivery"),
    ("accepted", "delivered"),
    ("accepted", "cancelled"),
    ("preparing", "out_for_delivery"),
    ("preparing", "delivered"),
    ("preparing", "cancelled"),
    ("out_for_delivery", "delivered"),
}


def an_order(status: OrderStatus = "pending", version: int = 1) -> Order:
    return Order(
        id="o1",
        seller_id="s1",
        token_number="A-001",
        status=status,
        payment_method="cod",
        payment_status="pending",
        payment_received_at=None,
        customer=Customer(name="Asha", phone="+1 555 0100"),
        delivery_address=Address(
            line1="12 Main St", line2="", city="Springfield", postal_code="", instructions=""
        ),
        items=[],
        total_cents=900,
        currency="USD",
        created_at=T0,
        updated_at=T0,
        version=version,
        history=[HistoryEntry(status="pending", at=T0)],
    )


def test_exactly_the_contracts_transitions_are_allowed() -> None:
    statuses = list(NEXT_STATUSES)
    for current, target in product(statuses, statuses):
        assert can_change_status(current, target) == ((current, target) in ALLOWED), (current, target)


@pytest.mark.parametrize("final", ["delivered", "rejected", "cancelled"])
def test_final_statuses_go_nowhere(final: OrderStatus) -> None:
    assert NEXT_STATUSES[final] == frozenset()


def test_a_status_change_bumps_the_version_and_appends_history_with_the_reason() -> None:
    changed = change_status(an_order(), "rejected", reason="Out of rice", expected_version=1, now=T1)
    assert changed.status == "rejected"
    assert changed.version == 2
    assert changed.updated_at == T1
    assert changed.created_at == T0
    assert [(h.status, h.at, h.reason) for h in changed.history] == [
        ("pending", T0, None),
        ("rejected", T1, "Out of rice"),
    ]


def test_an_empty_reason_is_not_recorded() -> None:
    changed = change_status(an_order(), "accepted", reason="", expected_version=None, now=T1)
    assert changed.history[-1].reason is None


def test_an_invalid_transition_is_refused_with_the_current_order() -> None:
    order = an_order("pending")
    with pytest.raises(ChangeRefused) as refused:
        change_status(order, "delivered", reason=None, expected_version=None, now=T1)
    assert refused.value.order == order
    assert "pending" in refused.value.detail


def test_a_repeated_status_is_refused() -> None:
    with pytest.raises(ChangeRefused):
        change_status(an_order("accepted"), "accepted", reason=None, expected_version=None, now=T1)


def test_a_stale_expected_version_is_refused_even_for_a_valid_transition() -> None:
    with pytest.raises(ChangeRefused) as refused:
        change_status(an_order(version=3), "accepted", reason=None, expected_version=2, now=T1)
    assert "version 3" in refused.value.detail


def test_payment_is_received_once() -> None:
    paid = receive_payment(an_order("delivered", version=5), expected_version=5, now=T1)
    assert (paid.payment_status, paid.payment_received_at, paid.version) == ("received", T1, 6)
    assert paid.status == "delivered"
    assert paid.history == an_order().history  # payment is not a status
    with pytest.raises(ChangeRefused):
        receive_payment(paid, expected_version=None, now=T1)


@pytest.mark.parametrize("status", ["rejected", "cancelled"])
def test_no_payment_on_a_rejected_or_cancelled_order(status: OrderStatus) -> None:
    with pytest.raises(ChangeRefused):
        receive_payment(an_order(status), expected_version=None, now=T1)


@pytest.mark.parametrize("status", ["pending", "accepted", "preparing", "out_for_delivery", "delivered"])
def test_payment_in_any_other_status(status: OrderStatus) -> None:
    assert receive_payment(an_order(status), expected_version=None, now=T1).payment_status == "received"


def test_payment_with_a_stale_version_is_refused() -> None:
    with pytest.raises(ChangeRefused):
        receive_payment(an_order(version=2), expected_version=1, now=T1)
