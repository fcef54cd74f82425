"""A busy service's 503 is asked again within the timeout; anything else is answered at once."""

from __future__ import annotations

import time
from typing import Any, cast

import pytest

from services.notifier import upstream
from services.notifier.upstream import UpstreamUnavailable
from shared.http import InternalClient, InternalResponse


class Answers:
    """An upstream client that gives these answers in turn (the last one for ever)."""

    def __init__(self, statuses: list[int], timeout_s: float = 2.0) -> None:
        self.statuses = statuses
        self.timeout_s = timeout_s
        self.asked = 0
        self.base_url = "http://upstream"

    async def get(self, path: str, *, params: Any = None) -> InternalResponse:
        status = self.statuses[min(self.asked, len(self.statuses) - 1)]
        self.asked += 1
        return InternalResponse(status, {}, b'{"ok": true}')  # type: ignore[arg-type]


async def get_json(answers: Answers) -> Any:
    return await upstream._get_json(cast(InternalClient, answers), "/internal/x")


async def test_a_busy_service_is_asked_again_until_it_answers() -> None:
    answers = Answers([503, 503, 503, 200])
    assert await get_json(answers) == {"ok": True}
    assert answers.asked == 4


async def test_a_service_busy_for_longer_than_the_timeout_is_unavailable_in_time() -> None:
    answers = Answers([503], timeout_s=0.5)
    started = time.monotonic()
    with pytest.raises(UpstreamUnavailable, match="503"):
        await get_json(answers)
    assert time.monotonic() - started < 0.5 + upstream.BUSY_LONGEST_PAUSE_S
    assert answers.asked > 1


@pytest.mark.parametrize("status", [500, 502, 401])
async def test_other_failures_are_not_asked_again(status: int) -> None:
    answers = Answers([status, 200])
    with pytest.raises(UpstreamUnavailable):
        await get_json(answers)
    assert answers.asked == 1


async def test_an_unknown_thing_is_none_at_once() -> None:
    answers = Answers([404, 200])
    assert await get_json(answers) is None
    assert answers.asked == 1
