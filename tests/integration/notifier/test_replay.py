"""Replay: a dashboard that reconnects with its last seq gets every missed event exactly once,
in order, even from a notifier that was restarted in between."""

from __future__ import annotations

from typing import Any

from tests.integration.notifier.conftest import SellerAccount, Stack, running_notifier, seller_socket


async def make_events(stack: Stack, account: SellerAccount, count: int) -> None:
    """`count` events: orders placed, each followed by its acceptance while the count lasts."""
    made = 0
    while made < count:
        placed = await stack.place_order(account)
        made += 1
        if made < count:
            await stack.change_status(account, placed["order"]["id"], "accepted")
            made += 1


def summary(frames: list[dict[str, Any]]) -> list[tuple[int, str, str, int]]:
    return [(f["seq"], f["type"], f["order"]["id"], f["order"]["version"]) for f in frames]


def logged_summary(events: list[dict[str, Any]]) -> list[tuple[int, str, str, int]]:
    kinds = {"order.placed": "order.created"}
    return [
        (e["seq"], kinds.get(e["type"], "order.updated"), e["order"]["id"], e["order"]["version"])
        for e in events
    ]


async def test_a_reconnect_with_last_seq_gets_exactly_the_missed_events(stack: Stack) -> None:
    account = await stack.seller()
    # A small page, so the replay takes several reads of the log.
    async with running_notifier(stack, notifier_replay_page_size=7) as notifier:
        async with seller_socket(notifier, account) as dashboard:
            await make_events(stack, account, 1)
            assert (await dashboard.next())["seq"] == 1
        await make_events(stack, account, 20)
        async with seller_socket(notifier, account, last_seq=1) as dashboard:
            assert dashboard.head_seq == 21
            replayed = await dashboard.next_events(20)
            await dashboard.nothing_within(0.5)
            await make_events(stack, account, 1)
            live = await dashboard.next()
    assert [f["seq"] for f in replayed] == list(range(2, 22))
    assert summary(replayed) == logged_summary(await stack.events(account, after=1))[:20]
    assert live["seq"] == 22


async def test_replay_carries_each_order_as_it_was_right_after_its_event(stack: Stack, notifier: str) -> None:
    account = await stack.seller()
    placed = await stack.place_order(account)
    await stack.change_status(account, placed["order"]["id"], "accepted")
    await stack.change_status(account, placed["order"]["id"], "preparing")
    async with seller_socket(notifier, account, last_seq=0) as dashboard:
        frames = await dashboard.next_events(3)
    assert [(f["type"], f["order"]["status"]) for f in frames] == [
        ("order.created", "pending"),
        ("order.updated", "accepted"),
        ("order.updated", "preparing"),
    ]


async def test_a_restarted_notifier_still_replays(stack: Stack) -> None:
    account = await stack.seller()
    async with running_notifier(stack) as first, seller_socket(first, account) as dashboard:
        await make_events(stack, account, 2)
        seen = await dashboard.next_events(2)
    last_seq = seen[-1]["seq"]
    await make_events(stack, account, 5)
    async with (
        running_notifier(stack) as second,
        seller_socket(second, account, last_seq=last_seq) as dashboard,
    ):
        replayed = await dashboard.next_events(5)
        await make_events(stack, account, 1)
        live = await dashboard.next()
    assert [f["seq"] for f in replayed] == [3, 4, 5, 6, 7]
    assert live["seq"] == 8


async def test_without_last_seq_only_live_events_follow(stack: Stack, notifier: str) -> None:
    account = await stack.seller()
    await make_events(stack, account, 3)
    async with seller_socket(notifier, account) as dashboard:
        assert dashboard.head_seq == 3
        await dashboard.nothing_within(0.3)
        await make_events(stack, account, 1)
        assert (await dashboard.next())["seq"] == 4


async def test_last_seq_at_the_head_replays_nothing(stack: Stack, notifier: str) -> None:
    account = await stack.seller()
    await make_events(stack, account, 2)
    async with seller_socket(notifier, account, last_seq=2) as dashboard:
        await dashboard.nothing_within(0.3)


async def test_a_last_seq_out_of_reach_gets_a_reset_then_live_events(stack: Stack, notifier: str) -> None:
    account = await stack.seller()
    await make_events(stack, account, 2)
    for past_head in (None, 1, 10**30):  # None: a negative last_seq
        head = len(await stack.events(account, after=0))
        last_seq = -1 if past_head is None else head + past_head
        async with seller_socket(notifier, account, last_seq=last_seq) as dashboard:
            assert dashboard.head_seq == head
            assert await dashboard.next() == {"type": "reset", "head_seq": head}
            await make_events(stack, account, 1)
            assert (await dashboard.next())["seq"] == head + 1
