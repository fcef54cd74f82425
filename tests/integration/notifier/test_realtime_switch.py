"""The Enable Real-Time Orders switch: off refuses dashboards (4403) and closes open ones
within 2 s; on lets them in and events flow."""

from __future__ import annotations

import time
import uuid

import pytest
from websockets.exceptions import ConnectionClosed

from tests.integration.notifier.conftest import (
    SellerAccount,
    Stack,
    open_socket,
    order_socket,
    running_notifier,
    seller_socket,
)
from tests.integration.notifier.test_recovery import close_broker_connection, events_withheld


async def test_a_dashboard_with_realtime_off_is_closed_with_4403(stack: Stack, notifier: str) -> None:
    account = await stack.seller(realtime=False)
    async with open_socket(notifier, "/ws/seller") as socket:
        await socket.send({"type": "subscribe", "token": account.token})
        assert await socket.close_code() == 4403


async def test_enabling_lets_events_flow_and_disabling_closes_dashboards(stack: Stack, notifier: str) -> None:
    account = await stack.seller(realtime=False)
    await stack.set_realtime(account, True)
    placed = await stack.place_order(account)
    async with (
        seller_socket(notifier, account) as by_token,
        seller_socket(notifier, account, by_cookie=True) as by_cookie,
        order_socket(notifier, placed["order"]["id"], placed["customer_key"]) as (tracker, _),
    ):
        await stack.change_status(account, placed["order"]["id"], "accepted")
        assert (await by_token.next())["seq"] == 2
        assert (await by_cookie.next())["seq"] == 2
        assert (await tracker.next())["order"]["status"] == "accepted"

        started = time.monotonic()
        await stack.set_realtime(account, False)
        assert await by_token.close_code(timeout=2) == 4403
        assert await by_cookie.close_code(timeout=2) == 4403
        assert time.monotonic() - started < 2

        # The customer's tracking does not depend on the seller's dashboard switch.
        await stack.change_status(account, placed["order"]["id"], "preparing")
        assert (await tracker.next())["order"]["status"] == "preparing"


async def test_other_sellers_dashboards_stay_open(stack: Stack, notifier: str) -> None:
    account, other = await stack.seller(), await stack.seller()
    async with seller_socket(notifier, account) as closing, seller_socket(notifier, other) as staying:
        await stack.set_realtime(account, False)
        assert await closing.close_code(timeout=2) == 4403
        await stack.place_order(other)
        assert (await staying.next())["seq"] == 1


async def a_dashboard_came_and_went(notifier: str, account: SellerAccount) -> None:
    """A dashboard subscribes (the notifier learns that real-time is on) and leaves."""
    async with seller_socket(notifier, account):
        pass


async def test_a_dashboard_after_turning_off_is_refused_even_before_the_notifier_hears_of_it(
    stack: Stack, notifier: str
) -> None:
    account = await stack.seller()
    await a_dashboard_came_and_went(notifier, account)
    async with events_withheld(stack.backing.amqp_url, "seller.#"):
        await stack.set_realtime(account, False)  # the notifier never hears of it
        async with open_socket(notifier, "/ws/seller") as socket:
            await socket.send({"type": "subscribe", "token": account.token})
            with pytest.raises(ConnectionClosed) as closed:
                await socket.next()  # no `subscribed`: the first thing it gets is the close
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403


async def test_turning_on_again_lets_the_next_dashboard_in(stack: Stack, notifier: str) -> None:
    account = await stack.seller()
    await a_dashboard_came_and_went(notifier, account)
    await stack.set_realtime(account, False)
    await stack.set_realtime(account, True)
    async with seller_socket(notifier, account) as dashboard:
        await stack.place_order(account)
        assert (await dashboard.next())["seq"] == 1


async def test_turning_off_while_the_broker_connection_was_down_closes_open_dashboards_after_it(
    stack: Stack,
) -> None:
    account = await stack.seller()
    connection_name = f"notifier-test-{uuid.uuid4().hex[:8]}"
    amqp_url = f"{stack.backing.amqp_url}?name={connection_name}"
    async with (
        running_notifier(stack, amqp_url=amqp_url) as notifier,
        seller_socket(notifier, account) as open_one,
    ):
        async with events_withheld(stack.backing.amqp_url, "seller.#"):
            await stack.set_realtime(account, False)  # the notifier never hears of it
        await close_broker_connection(connection_name)  # it reconnects and checks what it missed
        assert await open_one.close_code(timeout=10) == 4403
