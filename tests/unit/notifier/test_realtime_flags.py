"""The "real-time on" flags the notifier remembers per seller: never a stale "on" past the event
that changed it, never "off" or "unknown" at all, bounded in size and age."""

from __future__ import annotations

from services.notifier.domain.realtime_flags import RealtimeFlags


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def flags(max_sellers: int = 100, max_age_s: float = 60.0, clock: FakeClock | None = None) -> RealtimeFlags:
    return RealtimeFlags(max_sellers=max_sellers, max_age_s=max_age_s, clock=clock or FakeClock())


def remember(cache: RealtimeFlags, seller_id: str, enabled: bool | None = True) -> None:
    cache.finish_lookup(cache.start_lookup(seller_id), enabled)


def test_an_answered_on_is_remembered() -> None:
    cache = flags()
    assert not cache.known_enabled("s1")
    remember(cache, "s1")
    assert cache.known_enabled("s1")
    assert not cache.known_enabled("s2")


def test_off_and_unknown_sellers_are_not_remembered() -> None:
    cache = flags()
    remember(cache, "off", False)
    remember(cache, "unknown", None)
    assert not cache.known_enabled("off")
    assert not cache.known_enabled("unknown")
    assert len(cache) == 0


def test_a_change_forgets_the_seller() -> None:
    cache = flags()
    remember(cache, "s1")
    remember(cache, "s2")
    cache.changed("s1")
    assert not cache.known_enabled("s1")
    assert cache.known_enabled("s2")


def test_an_answer_to_a_lookup_under_way_during_a_change_is_not_remembered() -> None:
    cache = flags()
    lookup = cache.start_lookup("s1")
    cache.changed("s1")  # the catalog may have answered from before the change
    cache.finish_lookup(lookup, True)
    assert not cache.known_enabled("s1")


def test_after_a_change_nobody_joins_the_lookup_that_predates_it() -> None:
    cache = flags()
    before = cache.start_lookup("s1")
    assert cache.lookup_under_way("s1") is before
    cache.changed("s1")
    assert cache.lookup_under_way("s1") is None
    after = cache.start_lookup("s1")
    cache.finish_lookup(before, True)  # the old answer arrives last: still not remembered
    assert not cache.known_enabled("s1")
    assert cache.lookup_under_way("s1") is after
    cache.finish_lookup(after, True)
    assert cache.known_enabled("s1")
    assert cache.lookup_under_way("s1") is None


def test_a_change_of_another_seller_does_not_outdate_a_lookup() -> None:
    cache = flags()
    lookup = cache.start_lookup("s1")
    cache.changed("s2")
    cache.finish_lookup(lookup, True)
    assert cache.known_enabled("s1")


def test_forgetting_all_forgets_every_seller_and_every_lookup_under_way() -> None:
    cache = flags()
    remember(cache, "s1")
    lookup = cache.start_lookup("s2")
    cache.forget_all()
    cache.finish_lookup(lookup, True)
    assert not cache.known_enabled("s1")
    assert not cache.known_enabled("s2")
    assert cache.lookup_under_way("s2") is None


def test_a_failed_lookup_ends_without_remembering() -> None:
    cache = flags()
    lookup = cache.start_lookup("s1")
    cache.finish_lookup(lookup, None)
    assert cache.lookup_under_way("s1") is None
    assert not cache.known_enabled("s1")


def test_an_entry_is_trusted_for_max_age_only() -> None:
    clock = FakeClock()
    cache = flags(max_age_s=60, clock=clock)
    remember(cache, "s1")
    clock.now += 60
    assert cache.known_enabled("s1")
    clock.now += 0.001
    assert not cache.known_enabled("s1")
    assert len(cache) == 0


def test_the_least_recently_used_seller_goes_first_when_full() -> None:
    cache = flags(max_sellers=2)
    remember(cache, "s1")
    remember(cache, "s2")
    assert cache.known_enabled("s1")  # s1 used: s2 is now the oldest
    remember(cache, "s3")
    assert len(cache) == 2
    assert cache.known_enabled("s1")
    assert not cache.known_enabled("s2")
    assert cache.known_enabled("s3")
