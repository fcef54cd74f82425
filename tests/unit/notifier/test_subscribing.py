"""Sockets subscribing at once share their upstream requests: one catalog lookup and one
event-log read per seller at a time, each serving only the sockets that came before it was
sent. Fake upstreams, no I/O."""

from __future__ import annotations

import asyncio

import pytest

from services.notifier.domain.shared_reads import ReplayRead
from services.notifier.subscribing import RealtimeCheck, ReplayReads
from services.notifier.upstream import EventPage, UpstreamUnavailable
from shared.events import OrderPlaced

WAIT_S = 2.0


class Calls:
    """A count of calls that a test can wait for."""

    def __init__(self) -> None:
        self.count = 0
        self._changed = asyncio.Condition()

    async def add(self) -> None:
        async with self._changed:
            self.count += 1
            self._changed.notify_all()

    async def reach(self, count: int) -> None:
        async with asyncio.timeout(WAIT_S), self._changed:
            await self._changed.wait_for(lambda: self.count >= count)


class FakeCatalog:
    """Answers `realtime_enabled` only when released, counting the questions."""

    def __init__(self, enabled: bool | None = True) -> None:
        self.enabled = enabled
        self.calls = Calls()
        self.release = asyncio.Event()
        self.release.set()
        self.failure: Exception | None = None

    @property
    def asked(self) -> int:
        return self.calls.count

    async def realtime_enabled(self, seller_id: str) -> bool | None:
        await self.calls.add()
        answer = self.enabled  # read when asked, as the catalog reads its database
        async with asyncio.timeout(WAIT_S):
            await self.release.wait()
        if self.failure is not None:
            raise self.failure
        return answer


def check(catalog: FakeCatalog) -> RealtimeCheck:
    return RealtimeCheck(catalog.realtime_enabled)


async def test_checks_of_a_seller_waiting_together_share_one_lookup_and_later_ones_ask_again() -> None:
    catalog = FakeCatalog()
    realtime = check(catalog)
    assert await asyncio.gather(*(realtime.enabled("s1") for _ in range(50))) == [True] * 50
    assert catalog.asked == 1
    assert await realtime.enabled("s1") is True
    assert catalog.asked == 2  # nothing is remembered: a later socket gets a later answer


async def test_checks_that_come_during_a_lookup_share_the_next_one() -> None:
    catalog = FakeCatalog()
    catalog.release.clear()
    realtime = check(catalog)
    first = asyncio.create_task(realtime.enabled("s1"))
    await catalog.calls.reach(1)
    later = [asyncio.create_task(realtime.enabled("s1")) for _ in range(10)]
    catalog.release.set()
    async with asyncio.timeout(WAIT_S):
        assert await first is True
        assert await asyncio.gather(*later) == [True] * 10
    assert catalog.asked == 2


async def test_a_check_that_comes_after_a_change_never_gets_an_answer_from_before_it() -> None:
    catalog = FakeCatalog(enabled=True)
    catalog.release.clear()
    realtime = check(catalog)
    before = asyncio.create_task(realtime.enabled("s1"))
    await catalog.calls.reach(1)
    # The seller turns real-time off (the PATCH has answered) while that lookup is under way.
    catalog.enabled = False
    after = asyncio.create_task(realtime.enabled("s1"))
    catalog.release.set()
    async with asyncio.timeout(WAIT_S):
        assert await before is True  # its socket was registered before the event: the event closes it
        assert await after is False
    assert catalog.asked == 2


async def test_other_sellers_are_asked_on_their_own() -> None:
    catalog = FakeCatalog()
    realtime = check(catalog)
    assert await asyncio.gather(realtime.enabled("s1"), realtime.enabled("s2")) == [True, True]
    assert catalog.asked == 2


async def test_off_and_unknown_are_answered_as_such() -> None:
    for answer in (False, None):
        catalog = FakeCatalog(answer)
        realtime = check(catalog)
        assert await realtime.enabled("s1") is answer


async def test_a_failed_lookup_fails_every_waiter_and_the_next_check_asks_again() -> None:
    catalog = FakeCatalog()
    catalog.failure = UpstreamUnavailable("catalog down")
    realtime = check(catalog)
    results = await asyncio.gather(*(realtime.enabled("s1") for _ in range(3)), return_exceptions=True)
    assert all(isinstance(result, UpstreamUnavailable) for result in results)
    assert catalog.asked == 1
    catalog.failure = None
    assert await realtime.enabled("s1") is True
    assert catalog.asked == 2


async def test_a_waiter_that_gives_up_does_not_cancel_the_others() -> None:
    catalog = FakeCatalog()
    catalog.release.clear()
    realtime = check(catalog)
    leaving = asyncio.create_task(realtime.enabled("s1"))
    staying = asyncio.create_task(realtime.enabled("s1"))
    await catalog.calls.reach(1)
    leaving.cancel()
    catalog.release.set()
    async with asyncio.timeout(WAIT_S):
        assert await staying is True
    assert leaving.cancelled()


async def test_closing_cancels_the_waiting_checks() -> None:
    catalog = FakeCatalog()
    catalog.release.clear()
    realtime = check(catalog)
    waiting = asyncio.create_task(realtime.enabled("s1"))
    await catalog.calls.reach(1)
    await realtime.close()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(waiting, WAIT_S)


# --- the event log -------------------------------------------------------------------------


def event(seq: int) -> OrderPlaced:
    return OrderPlaced(seller_id="s1", seq=seq, order_id=f"o{seq}", order={}, seller={})


class FakeLog:
    """checkout's event log of one seller; reads wait for `release`, and are recorded."""

    def __init__(self, head: int, oldest: int = 1) -> None:
        self.head = head
        self.oldest = oldest
        self.reads: list[tuple[int | None, int]] = []
        self.calls = Calls()
        self.release = asyncio.Event()
        self.release.set()
        self.failure: Exception | None = None

    async def seller_events(self, seller_id: str, *, after: int | None, limit: int) -> EventPage:
        self.reads.append((after, limit))
        await self.calls.add()
        async with asyncio.timeout(WAIT_S):
            await self.release.wait()
        if self.failure is not None:
            raise self.failure
        seqs = [] if after is None else list(range(max(after + 1, self.oldest), self.head + 1))[:limit]
        return EventPage(head_seq=self.head, events=[event(seq) for seq in seqs])


def reads_of(log: FakeLog) -> ReplayReads:
    return ReplayReads(log)  # type: ignore[arg-type]  # only `seller_events` is used


def seqs(page: EventPage) -> list[int]:
    return [e.seq for e in page.events]


async def test_sockets_subscribing_together_share_one_read_and_each_gets_its_part() -> None:
    log = FakeLog(head=100)
    reads = reads_of(log)
    pages = await asyncio.gather(
        reads.read("s1", ReplayRead(95, 250)),
        reads.read("s1", ReplayRead(98, 250)),
        reads.read("s1", ReplayRead(None, 250)),
        reads.read("s1", ReplayRead(100, 250)),
    )
    assert log.reads == [(95, 250)]
    assert [seqs(page) for page in pages] == [[96, 97, 98, 99, 100], [99, 100], [], []]
    assert {page.head_seq for page in pages} == {100}


async def test_sockets_that_come_during_a_read_share_the_next_one() -> None:
    log = FakeLog(head=10)
    log.release.clear()
    reads = reads_of(log)
    first = asyncio.create_task(reads.read("s1", ReplayRead(9, 100)))
    await log.calls.reach(1)
    later = [asyncio.create_task(reads.read("s1", ReplayRead(after, 100))) for after in (3, 5, 7)]
    await asyncio.sleep(0)  # let them all queue up behind the read under way
    assert len(log.reads) == 1
    log.release.set()
    async with asyncio.timeout(WAIT_S):
        assert seqs(await first) == [10]
        assert [seqs(await task) for task in later] == [list(range(4, 11)), list(range(6, 11)), [8, 9, 10]]
    assert log.reads == [(9, 100), (3, 100)]


async def test_a_socket_beyond_a_full_page_gets_a_read_further_on() -> None:
    log = FakeLog(head=1000)
    reads = reads_of(log)
    behind, ahead = await asyncio.gather(
        reads.read("s1", ReplayRead(0, 100)), reads.read("s1", ReplayRead(900, 100))
    )
    assert log.reads == [(0, 100), (900, 100)]
    assert seqs(behind) == list(range(1, 101))
    assert seqs(ahead) == list(range(901, 1001))


async def test_other_sellers_read_on_their_own() -> None:
    log = FakeLog(head=5)
    reads = reads_of(log)
    await asyncio.gather(reads.read("s1", ReplayRead(1, 10)), reads.read("s2", ReplayRead(2, 10)))
    assert sorted(log.reads, key=str) == [(1, 10), (2, 10)]


async def test_a_failed_read_fails_its_waiters_and_the_next_ones_read_again() -> None:
    log = FakeLog(head=5)
    log.failure = UpstreamUnavailable("checkout down")
    reads = reads_of(log)
    results = await asyncio.gather(
        reads.read("s1", ReplayRead(1, 10)), reads.read("s1", ReplayRead(2, 10)), return_exceptions=True
    )
    assert all(isinstance(result, UpstreamUnavailable) for result in results)
    log.failure = None
    assert seqs(await reads.read("s1", ReplayRead(3, 10))) == [4, 5]


async def test_an_unexpected_failure_is_reported_as_unavailable() -> None:
    log = FakeLog(head=5)
    log.failure = ValueError("nonsense")
    with pytest.raises(UpstreamUnavailable):
        await reads_of(log).read("s1", ReplayRead(1, 10))


async def test_a_waiter_that_gives_up_is_left_out_of_the_next_read() -> None:
    log = FakeLog(head=10)
    log.release.clear()
    reads = reads_of(log)
    first = asyncio.create_task(reads.read("s1", ReplayRead(9, 100)))
    await log.calls.reach(1)
    leaving = asyncio.create_task(reads.read("s1", ReplayRead(1, 100)))
    staying = asyncio.create_task(reads.read("s1", ReplayRead(6, 100)))
    await asyncio.sleep(0)
    leaving.cancel()
    log.release.set()
    async with asyncio.timeout(WAIT_S):
        await first
        assert seqs(await staying) == [7, 8, 9, 10]
    assert log.reads == [(9, 100), (6, 100)]


async def test_closing_cancels_the_waiters() -> None:
    log = FakeLog(head=10)
    log.release.clear()
    reads = reads_of(log)
    waiting = asyncio.create_task(reads.read("s1", ReplayRead(1, 100)))
    await log.calls.reach(1)
    await reads.close()
    with pytest.raises(asyncio.CancelledError):
        async with asyncio.timeout(WAIT_S):
            await waiting
