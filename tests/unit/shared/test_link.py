"""The link's frame format: what the gateway and a notifier say about their channels."""

from __future__ import annotations

import pytest

from shared import link
from shared.link import BadLinkFrame, ChannelOpen


def test_a_client_frame_passes_through_a_link_frame_unchanged() -> None:
    text = '{"type":"subscribe","token":"t"}\nwith a newline and ünïcode'
    assert link.parse(link.text_frame(7, text)) == ("F", 7, text)


def test_an_opening_carries_the_path_the_signed_in_seller_and_the_request_id() -> None:
    opening = ChannelOpen("/ws/orders/abc%2F1", None, "req-1")
    op, number, body = link.parse(link.open_frame(12, opening))
    assert (op, number) == ("O", 12)
    assert ChannelOpen.decode(body) == opening
    assert ChannelOpen.decode(ChannelOpen("/ws/seller", "s1").encode()) == ChannelOpen("/ws/seller", "s1", "")


def test_a_close_carries_its_code_and_reason() -> None:
    op, number, body = link.parse(link.close_frame(3, 4403, "real-time orders are disabled"))
    assert (op, number) == ("C", 3)
    assert link.parse_close(body) == (4403, "real-time orders are disabled")
    assert link.parse_close(link.parse(link.close_frame(3, 1000))[2]) == (1000, "")


@pytest.mark.parametrize(
    "frame",
    ["", "F7", "X7\nbody", "F\nbody", "F-1\nbody", "F²\nbody", "Fseven\nbody", "F" + "9" * 19 + "\nbody"],
)
def test_a_frame_not_in_the_format_is_refused(frame: str) -> None:
    with pytest.raises(BadLinkFrame):
        link.parse(frame)


@pytest.mark.parametrize("body", ["", "x", " reason", "４４００ reason"])
def test_a_close_without_a_code_is_refused(body: str) -> None:
    with pytest.raises(BadLinkFrame):
        link.parse_close(body)


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[]",
        '{"path": 1, "seller_id": null, "request_id": ""}',
        '{"path": "/ws/seller"}',
        '{"path": "/ws/seller", "seller_id": 5, "request_id": ""}',
    ],
)
def test_an_unreadable_opening_is_refused(body: str) -> None:
    with pytest.raises(BadLinkFrame):
        ChannelOpen.decode(body)
