"""schemathesis against the gateway's own /openapi.json, on the running system: every operation,
examples from the schema, its coverage phase and bounded fuzzing, as a seller. No 5xx, ever."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from scripts.system import ROOT, System
from tests.conftest import ARTIFACTS

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "30"))
TIME_LIMIT_S = 420


@pytest.mark.slow
@pytest.mark.timeout(TIME_LIMIT_S + 120)
def test_schemathesis_finds_no_server_error(module_system: System) -> None:
    with httpx.Client(base_url=module_system.gateway_url, timeout=30) as api:
        signup = api.post(
            "/api/auth/signup",
            json={"email": "fuzz@example.com", "password": "long enough", "business_name": "Fuzz Kitchen"},
        )
        assert signup.status_code == 201, signup.text
        token = signup.json()["access_token"]
    report = ARTIFACTS / "reliability" / "schemathesis"
    report.mkdir(parents=True, exist_ok=True)
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--no-color",
        "run",
        f"{module_system.gateway_url}/openapi.json",
        "--checks",
        "not_a_server_error",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        "4",
        "--workers",
        "2",
        "--phases",
        "examples,coverage,fuzzing",
        "--request-timeout",
        "15",
        "--header",
        f"Authorization: Bearer {token}",
        "--report",
        "junit",
        "--report-dir",
        str(report),
    ]
    result = subprocess.run(
        command,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT_S,
        env={**os.environ, "NO_COLOR": "1"},
    )
    (report / "output.txt").write_text(result.stdout + result.stderr)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
