"""The catalog request a checkout starts beside its transaction never outlives the checkout."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import pytest

from services.checkout.api.storefront import _in_background


async def test_work_still_running_when_the_block_fails_is_cancelled_and_awaited() -> None:
    started, cancelled = asyncio.Event(), asyncio.Event()

    async def catalog_request() -> None:
        started.set()
        try:
            await asyncio.sleep(60)
        finally:
            cancelled.set()

    with pytest.raises(ConnectionError):
        async with _in_background(catalog_request()) as task:
            assert started.is_set(), "the work had its first turn before the block"
            raise ConnectionError("the database went away")
    assert task.cancelled() and cancelled.is_set()


async def test_a_cancelled_block_cancels_the_work() -> None:
    entered = asyncio.Event()

    async def block() -> None:
        async with _in_background(asyncio.sleep(60)) as task:
            entered.set()
            await asyncio.sleep(60)
        raise AssertionError(task)

    outer = asyncio.create_task(block())
    await entered.wait()
    outer.cancel()
    with pytest.raises(asyncio.CancelledError):
        await outer
    assert not [t for t in asyncio.all_tasks() if t.get_coro().__name__ == "sleep"]


async def test_a_failure_of_the_work_nobody_asked_for_is_not_reported_as_unretrieved() -> None:
    reported: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: reported.append(context))
    try:
        await _refused_while_the_database_fails()
        gc.collect()  # an unretrieved exception is reported when its task is collected
    finally:
        loop.set_exception_handler(previous)
    assert reported == []


async def _refused_while_the_database_fails() -> None:
    async def refused() -> None:
        raise LookupError("unknown storefront")

    try:
        async with _in_background(refused()):
            await asyncio.sleep(0.01)  # the work fails meanwhile
            raise ConnectionError("the database went away")
    except ConnectionError:
        pass  # (not kept: its traceback would keep the task alive)
