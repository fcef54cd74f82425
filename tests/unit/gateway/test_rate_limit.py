from __future__ import annotations

import pytest

from services.gateway.domain.rate_limit import SlidingWindowLimiter, account_key


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def test_allows_up_to_the_limit_then_refuses_with_the_wait(clock: FakeClock) -> None:
    limiter = SlidingWindowLimiter(3, 60, clock=clock)
    assert [limiter.acquire("ip") for _ in range(3)] == [None, None, None]
    clock.advance(10)
    assert limiter.acquire("ip") == 50


def test_window_slides_one_hit_at_a_time(clock: FakeClock) -> None:
    limiter = SlidingWindowLimiter(2, 60, clock=clock)
    limiter.hit("ip")
    clock.advance(30)
    limiter.hit("ip")
    clock.advance(29)
    assert limiter.retry_after("ip") == 1
    clock.advance(1)  # the first hit is now exactly a window old
    assert limiter.retry_after("ip") is None
    limiter.hit("ip")
    assert limiter.retry_after("ip") == 30


def test_refused_attempts_are_not_recorded(clock: FakeClock) -> None:
    limiter = SlidingWindowLimiter(1, 60, clock=clock)
    assert limiter.acquire("ip") is None
    for _ in range(100):
        clock.advance(0.5)
        assert limiter.acquire("ip") is not None
    clock.advance(10)
    assert limiter.acquire("ip") is None


def test_retry_after_is_at_least_one_second(clock: FakeClock) -> None:
    limiter = SlidingWindowLimiter(1, 60, clock=clock)
    limiter.hit("ip")
    clock.advance(59.9)
    assert limiter.retry_after("ip") == 1


def test_keys_are_independent(clock: FakeClock) -> None:
    limiter = SlidingWindowLimiter(1, 60, clock=clock)
    assert limiter.acquire("a") is None
    assert limiter.acquire("b") is None
    assert limiter.acquire("a") == 60


def test_retry_after_records_nothing(clock: FakeClock) -> None:
    limiter = SlidingWindowLimiter(1, 60, clock=clock)
    for _ in range(5):
        assert limiter.retry_after("a") is None
    assert len(limiter) == 0


def test_expired_keys_are_evicted(clock: FakeClock) -> None:
    limiter = SlidingWindowLimiter(5, 60, clock=clock)
    for i in range(1000):
        limiter.hit(f"ip-{i}")
    clock.advance(61)
    limiter.hit("fresh")
    limiter.retry_after("fresh")
    assert len(limiter) == 1


def test_table_never_exceeds_max_keys(clock: FakeClock) -> None:
    limiter = SlidingWindowLimiter(5, 60, clock=clock, max_keys=100)
    for i in range(10_000):
        limiter.hit(f"ip-{i}")
    assert len(limiter) == 100
    assert limiter.retry_after("ip-9999") is None  # recent keys kept, oldest dropped


def test_per_key_history_is_bounded_by_the_limit(clock: FakeClock) -> None:
    limiter = SlidingWindowLimiter(3, 60, clock=clock)
    for _ in range(1000):
        limiter.hit("ip")
    assert len(limiter._hits["ip"]) == 3


@pytest.mark.parametrize(("limit", "window"), [(0, 60), (1, 0), (1, -1)])
def test_rejects_nonsense_configuration(limit: int, window: float) -> None:
    with pytest.raises(ValueError):
        SlidingWindowLimiter(limit, window)


@pytest.mark.parametrize(
    ("email", "key"),
    [(" Asha@Example.COM ", "asha@example.com"), ("", None), ("   ", None), (None, None), (42, None)],
)
def test_account_key_is_the_trimmed_lowercased_email(email: object, key: str | None) -> None:
    assert account_key(email) == key


def test_release_takes_back_a_reservation(clock: FakeClock) -> None:
    limiter = SlidingWindowLimiter(2, 60, clock=clock)
    assert limiter.acquire("account") is None  # in flight
    assert limiter.acquire("account") is None  # in flight
    assert limiter.acquire("account") is not None  # a third concurrent guess cannot overshoot
    limiter.release("account")  # the first turned out to be a success
    assert limiter.acquire("account") is None
    limiter.release("account")
    limiter.release("account")
    assert len(limiter) == 0
    limiter.release("never-seen")
