"""The benchmark's own dependencies (requirements-bench.txt), installed into the running
environment when one is missing, so `make bench` works on a fresh clone after the README's setup."""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata
from pathlib import Path

REQUIREMENTS = Path(__file__).resolve().parent.parent / "requirements-bench.txt"


def pinned(text: str) -> dict[str, str]:
    """name -> version of each `name==version` line."""
    pins = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[name.strip()] = version.strip()
    return pins


def missing(pins: dict[str, str]) -> list[str]:
    absent = []
    for name, version in pins.items():
        try:
            if metadata.version(name) != version:
                absent.append(f"{name}=={version}")
        except metadata.PackageNotFoundError:
            absent.append(f"{name}=={version}")
    return absent


def ensure_installed() -> None:
    absent = missing(pinned(REQUIREMENTS.read_text()))
    if absent:
        print(f"installing the benchmark's requirements: {', '.join(absent)}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-r", str(REQUIREMENTS)], check=True)
