"""The transactions that change orders. Each one locks the seller's counter row first, makes
its change, writes exactly one event with the seller's next seq to the outbox, and leaves the
commit to its caller (`OrderedPublisher.commit_then_publish`)."""

from __future__ import annotations

import asyncio
import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from services.checkout.db.counters import (
    Counter,
    counter_update,
    lock_counter,
    lock_existing_counter,
    save_counter,
)
from services.checkout.db.idempotency import key_row
from services.checkout.db.orders import get_order, order_row, save_change
from services.checkout.db.tables import idempotency_keys, orders, outbox
from services.checkout.db.writes import NewRow, insert_then_update
from services.checkout.domain import transitions
from services.checkout.domain.checkout import new_order
from services.checkout.domain.context import CheckoutContext
from services.checkout.domain.pricing import PricedCart
from services.checkout.domain.records import OrderRecord
from services.checkout.domain.tokens import DayCount, business_day, next_day_count, token_label
from services.checkout.events import order_events
from services.checkout.events.publisher import NewEvent
from shared.contract import CheckoutIn, PaymentChangeIn, SellerContact, StatusChangeIn
from shared.driver import DriverConnection
from shared.events import OrderEvent, utcnow
from shared.outbox import PendingEvent, add_to_outbox, outbox_row

CUSTOMER_KEY_BYTES = 24  # 192 bits
# How long a transaction holding the seller's counter lock waits for the catalog's answer before
# letting the lock go: a slow catalog must not hold up the seller's other changes.
CHECK_WAIT_S = 0.1


class OrderNotFound(Exception):
    """No such order for this seller (404)."""


class NotPlaced(Exception):
    """`place_order_once_checked` wrote nothing: the check failed, named another seller, or
    was not done in time."""


@dataclass(frozen=True)
class IdempotencyKey:
    key: str
    request_hash: str


@dataclass(frozen=True)
class Placement:
    """A checkout that passed every rule, ready to become an order."""

    slug: str
    checkout: CheckoutIn
    context: CheckoutContext
    cart: PricedCart
    idempotency: IdempotencyKey | None


@dataclass(frozen=True)
class Placed:
    record: OrderRecord
    event: NewEvent | None


@dataclass(frozen=True)
class Changed:
    record: OrderRecord
    event: NewEvent | None


# Placing an order runs on SQLAlchemy's session, or on asyncpg's own connection (`shared.driver`).
OrderDb = AsyncSession | DriverConnection


async def place_order(db: OrderDb, placement: Placement) -> Placed:
    counter = await lock_counter(db, placement.context.seller.id)
    return await _place_locked(db, placement, counter)


async def place_order_once_checked(
    db: OrderDb, seller_id: str, checking: asyncio.Future[Placement]
) -> Placed:
    """`place_order` for a checkout still being checked (the catalog's answer on its way), sent
    to the seller its storefront had last time: the seller's counter is locked meanwhile.

    Raises `NotPlaced`, so the transaction is rolled back having written nothing, unless the
    check passed, for this seller, within `CHECK_WAIT_S` of the lock; the caller then learns
    from `checking` what became of it."""
    counter = await lock_counter(db, seller_id)
    done, _ = await asyncio.wait({checking}, timeout=CHECK_WAIT_S)
    if not done or checking.exception() is not None or checking.result().context.seller.id != seller_id:
        raise NotPlaced
    return await _place_locked(db, checking.result(), counter)


async def _place_locked(db: OrderDb, placement: Placement, counter: Counter) -> Placed:
    seller = placement.context.seller
    now = utcnow()
    day = next_day_count(counter.day, business_day(now, seller.timezone))
    order = new_order(
        order_id=uuid.uuid4().hex,
        seller_id=seller.id,
        token_number=token_label(day.orders),
        checkout=placement.checkout,
        cart=placement.cart,
        currency=seller.currency,
        now=now,
    )
    record = OrderRecord(
        order=order,
        seller_contact=SellerContact(business_name=seller.business_name, phone=seller.phone),
        zelle_handle=seller.zelle_handle,
        customer_key=secrets.token_urlsafe(CUSTOMER_KEY_BYTES),
        storefront_slug=placement.slug,
    )
    seq = counter.last_seq + 1
    event = order_events.order_placed(record, seq)
    return Placed(record, event=await _write_placed(db, placement, record, day, event))


async def _write_placed(
    db: OrderDb, placement: Placement, record: OrderRecord, day: DayCount, event: OrderEvent
) -> NewEvent:
    """Write the order, its idempotency key, its event and the seller's counter (on PostgreSQL
    in one statement)."""
    event_row = outbox_row(event)
    rows: list[NewRow] = [(orders, order_row(record, day.day))]
    if placement.idempotency is not None:
        # A key used before fails here (IntegrityError), undoing the whole transaction: the
        # caller then answers with the order the key placed.
        key = placement.idempotency
        stored = key_row(placement.slug, key.key, key.request_hash, record.order.id, record.order.created_at)
        rows.append((idempotency_keys, stored))
    rows.append((outbox, event_row))
    await insert_then_update(db, rows, *counter_update(event.seller_id, Counter(event.seq, day)))
    return NewEvent(event.seller_id, event.seq, PendingEvent.of_row(event_row))


async def change_status(
    session: AsyncSession, seller_id: str, order_id: str, change: StatusChangeIn
) -> Changed:
    counter, record = await _locked_order(session, seller_id, order_id)
    order = transitions.change_status(
        record.order,
        change.status,
        reason=change.reason,
        expected_version=change.expected_version,
        now=utcnow(),
    )
    changed = record.with_order(order)
    seq = counter.last_seq + 1
    await save_change(session, order)
    event = order_events.order_status_changed(changed, seq, previous_status=record.order.status)
    return Changed(changed, await _log_event(session, Counter(seq, counter.day), event))


async def receive_payment(
    session: AsyncSession, seller_id: str, order_id: str, change: PaymentChangeIn
) -> Changed:
    counter, record = await _locked_order(session, seller_id, order_id)
    order = transitions.receive_payment(record.order, expected_version=change.expected_version, now=utcnow())
    changed = record.with_order(order)
    seq = counter.last_seq + 1
    await save_change(session, order)
    event = order_events.order_payment_received(changed, seq)
    return Changed(changed, await _log_event(session, Counter(seq, counter.day), event))


async def _locked_order(session: AsyncSession, seller_id: str, order_id: str) -> tuple[Counter, OrderRecord]:
    """The seller's locked counter and the order as of the lock. Every change of a seller's
    orders takes this lock first, so the order needs no lock of its own."""
    counter = await lock_existing_counter(session, seller_id)
    record = await get_order(session, order_id, seller_id) if counter is not None else None
    if counter is None or record is None:
        raise OrderNotFound(order_id)
    return counter, record


async def _log_event(session: AsyncSession, counter: Counter, event: OrderEvent) -> NewEvent:
    """Write the event to the outbox and advance the seller's counter to its seq."""
    pending = await add_to_outbox(session, outbox, event)
    await save_counter(session, event.seller_id, counter)
    return NewEvent(event.seller_id, event.seq, pending)
