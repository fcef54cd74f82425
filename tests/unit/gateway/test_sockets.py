from __future__ import annotations

import pytest

from services.gateway.domain.sockets import (
    MAX_CLIENT_FRAME_BYTES,
    client_close_code,
    client_frame_problem,
    rotation,
)


@pytest.mark.parametrize("code", [4400, 4401, 4403, 4404, 1008, 1013, 1000, 1011, 3000])
def test_the_notifiers_own_codes_pass_through(code: int) -> None:
    assert client_close_code(code) == code


@pytest.mark.parametrize("code", [None, 1001, 1006, 1015, 1004, 999, 2000, 5000])
def test_a_lost_or_going_away_notifier_becomes_service_restart(code: int | None) -> None:
    assert client_close_code(code) == 1012


def test_a_close_without_a_code_is_a_normal_closure() -> None:
    assert client_close_code(1005) == 1000


def test_frames_are_limited_in_utf8_bytes() -> None:
    assert client_frame_problem('{"type": "subscribe"}') is None
    assert client_frame_problem("a" * MAX_CLIENT_FRAME_BYTES) is None
    assert client_frame_problem("a" * (MAX_CLIENT_FRAME_BYTES + 1)) is not None
    assert client_frame_problem("é" * (MAX_CLIENT_FRAME_BYTES // 2)) is None  # 2 bytes each: exactly 4 KiB
    assert client_frame_problem("é" * (MAX_CLIENT_FRAME_BYTES // 2 + 1)) is not None


def test_binary_frames_are_refused() -> None:
    assert client_frame_problem(None) is not None


def test_rotation_visits_every_notifier_once_from_the_turn() -> None:
    assert rotation(3, 0) == [0, 1, 2]
    assert rotation(3, 4) == [1, 2, 0]
    assert rotation(1, 7) == [0]
