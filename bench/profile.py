"""py-spy profiles of the services under load: where their CPU time goes.

`py-spy record --format raw` writes collapsed stacks (`frame;frame;… count`); from them we
keep, per process, the functions with the most samples on top of the stack (self) and
anywhere in it (inclusive), so the report can point at files and lines.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RATE_HZ = 100
TOP = 15
# Leaf frames that mean "waiting", not working: an event loop in epoll (uvloop's run is native,
# so the loop shows as Runner.run), a pool thread waiting for work.
IDLE_LEAVES = (
    "Runner.run (",
    "Condition.wait (",
    "_worker (concurrent/futures/thread.py",
    "select (selectors.py",
)


@dataclass
class Recorder:
    name: str
    output: Path
    process: subprocess.Popen[bytes]


def py_spy() -> str:
    beside = Path(sys.executable).parent / "py-spy"
    found = str(beside) if beside.exists() else shutil.which("py-spy")
    if not found:
        raise RuntimeError("py-spy not found: pip install -r requirements-bench.txt")
    return found


def record(pids: dict[str, int], duration_s: float, out_dir: str) -> list[Recorder]:
    directory = Path(out_dir)
    directory.mkdir(parents=True, exist_ok=True)
    recorders = []
    for name, pid in pids.items():
        output = directory / f"{name}.collapsed"
        command = [
            py_spy(),
            "record",
            "--pid",
            str(pid),
            "--duration",
            str(int(duration_s)),
            "--rate",
            str(RATE_HZ),
            "--format",
            "raw",
            "--output",
            str(output),
        ]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        recorders.append(Recorder(name, output, process))
    return recorders


def collect(recorders: list[Recorder]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for recorder in recorders:
        _, error = recorder.process.communicate(timeout=120)
        if recorder.process.returncode != 0 or not recorder.output.exists():
            found[recorder.name] = {"error": error.decode(errors="replace")[-500:]}
            continue
        found[recorder.name] = {"file": str(recorder.output), **summarize(recorder.output.read_text())}
    return found


def summarize(collapsed: str) -> dict[str, Any]:
    """Top functions by self and inclusive samples of the busy stacks (idle ones counted apart),
    and the project's own functions (services/, shared/) by inclusive samples."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = idle = 0
    for line in collapsed.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [
            frame
            for frame in stack.split(";")
            if not frame.startswith("process ") and not frame.startswith("thread ")
        ]
        if not frames:
            continue
        if frames[-1].startswith(IDLE_LEAVES):
            idle += count
            continue
        total += count
        own[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
    project = [
        (frame, count)
        for frame, count in inclusive.most_common()
        if "(services/" in frame or "(shared/" in frame
    ]
    return {
        "samples": total,
        "idle_samples": idle,
        "project": [(frame, count / total) for frame, count in project[: TOP * 2]] if total else [],
        "self": [(frame, count / total) for frame, count in own.most_common(TOP)] if total else [],
        "inclusive": [(frame, count / total) for frame, count in inclusive.most_common(TOP * 3)]
        if total
        else [],
    }
