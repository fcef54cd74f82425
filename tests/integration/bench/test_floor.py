"""Smoke test of the benchmark: the floor alone for a couple of seconds, as `make bench` runs it
(its own databases and vhost, a load generator in other processes), then what it writes: the
JSON, the Markdown summary and the latency plot."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from scripts.system import ROOT


def test_the_floor_delivers_every_order_to_every_dashboard(tmp_path: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "bench",
        "--only",
        "floor",
        "--quick",
        "--rates",
        "50",
        "--duration",
        "2",
        "--sellers",
        "5",
        "--socket-processes",
        "1",
        "--docs",
        str(tmp_path / "docs"),
        "--wait-quiet",
        "0",
        "--results",
        str(tmp_path),
    ]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]

    (written,) = tmp_path.glob("*.json")
    summary = (tmp_path / "docs" / "latest.md").read_text()
    assert "![latency](latency.png)" in summary and "| 50 |" in summary
    assert (tmp_path / "docs" / "latency.png").read_bytes().startswith(b"\x89PNG")
    step = json.loads(written.read_text())["floor"]["latency"][0]
    assert step["rate"] == 50
    assert step["accepted"] == step["orders"] == 100
    assert step["expected_deliveries"] == step["delivered"] == 200  # 5 sellers × 2 dashboards each
    assert step["lost"] == step["duplicated"] == 0
    latency = step["latency_ms"]
    assert 0 < latency["p50"] <= latency["p90"] <= latency["p99"] <= latency["max"]
