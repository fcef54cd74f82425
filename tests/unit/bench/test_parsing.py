"""The benchmark's small parsers: pinned requirements, py-spy's collapsed stacks, HTTP answers."""

from __future__ import annotations

import asyncio

import pytest

from bench.http1 import read_response
from bench.profile import summarize
from bench.report import failed_cell
from bench.requirements import REQUIREMENTS, pinned
from bench.targets import shed_count


def test_pins_are_read_from_name_equals_version_lines() -> None:
    text = "# a comment\nmatplotlib==3.11.2  # plots\n\npsutil==7.2.2\nnot-pinned\n"
    assert pinned(text) == {"matplotlib": "3.11.2", "psutil": "7.2.2"}


def test_the_benchmark_requirements_are_all_pinned() -> None:
    pins = pinned(REQUIREMENTS.read_text())
    assert {"matplotlib", "psutil", "py-spy"} <= set(pins)


def test_collapsed_stacks_give_self_and_inclusive_shares() -> None:
    collapsed = (
        "process 1;thread (0x1);main (app.py:1);handle (app.py:5);encode (json.py:9) 6\n"
        "process 1;thread (0x1);main (app.py:1);handle (app.py:5) 2\n"
        "process 1;thread (0x1);main (app.py:1);query (db.py:3) 2\n"
    )
    found = summarize(collapsed)
    assert found["samples"] == 10
    assert found["self"][0] == ("encode (json.py:9)", 0.6)
    assert dict(found["inclusive"])["handle (app.py:5)"] == 0.8
    assert dict(found["inclusive"])["main (app.py:1)"] == 1.0


def test_no_stacks_no_shares() -> None:
    assert summarize("") == {"samples": 0, "idle_samples": 0, "project": [], "self": [], "inclusive": []}


def read(raw: bytes) -> tuple[int, bytes, bool]:
    async def go() -> tuple[int, bytes, bool]:
        reader = asyncio.StreamReader()
        reader.feed_data(raw)
        reader.feed_eof()
        response, keep = await read_response(reader)
        return response.status, response.body, keep

    return asyncio.run(go())


def test_a_response_with_a_content_length() -> None:
    assert read(b"HTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\n{}") == (201, b"{}", True)


def test_a_chunked_response() -> None:
    raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
    assert read(raw) == (200, b"abcde", True)


def test_connection_close_is_not_kept() -> None:
    assert (
        read(b"HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")[2]
        is False
    )


def test_a_cut_response_fails() -> None:
    with pytest.raises(asyncio.IncompleteReadError):
        read(b"HTTP/1.1 201 Created\r\ncontent-length: 10\r\n\r\n{}")


def test_idle_stacks_are_counted_apart_and_project_frames_listed() -> None:
    collapsed = (
        "process 1;thread (0x1);run (uvicorn/main.py:1);Runner.run (asyncio/runners.py:118) 90\n"
        "process 1;thread (0x1);handle (services/checkout/api/storefront.py:70);dumps (json.py:9) 10\n"
    )
    found = summarize(collapsed)
    assert (found["samples"], found["idle_samples"]) == (10, 90)
    assert found["project"] == [("handle (services/checkout/api/storefront.py:70)", 1.0)]


def test_the_shed_count_sums_every_service_label_of_the_counter() -> None:
    exposition = (
        "# HELP santhai_http_requests_shed_total HTTP requests answered 503 at once\n"
        "# TYPE santhai_http_requests_shed_total counter\n"
        'santhai_http_requests_shed_total{service="gateway"} 3.0\n'
        'santhai_http_requests_shed_total{service="checkout"} 64.0\n'
        'santhai_http_requests_shed_created{service="gateway"} 1.7e+09\n'
        'santhai_http_requests_total{service="gateway"} 900.0\n'
    )
    assert shed_count(exposition) == 67.0
    assert shed_count("") == 0.0


def test_failed_requests_name_the_services_that_refused_them() -> None:
    step = {"failed_requests": 67, "shed": {"gateway": 0.0, "checkout": 67.0}}
    assert failed_cell(step) == "67 (67 by the checkout refused as busy)"
    assert failed_cell({"failed_requests": 2}) == "2"
