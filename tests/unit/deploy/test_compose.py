"""The compose file, validated the way this Docker-less machine can: `docker-compose config`."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

DEPLOY = Path(__file__).resolve().parents[3] / "deploy"
SECRETS = {"SECRET_KEY": "s" * 40, "POSTGRES_PASSWORD": "pg-secret", "RABBITMQ_PASSWORD": "mq-secret"}


def compose_config(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    if not shutil.which("docker-compose"):
        pytest.fail("docker-compose not found: apt-get install -y docker-compose", pytrace=False)
    clean = {k: v for k, v in os.environ.items() if k not in SECRETS}
    return subprocess.run(
        ["docker-compose", "-f", str(DEPLOY / "docker-compose.yml"), "config"],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=DEPLOY,
    )


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    result = compose_config(SECRETS)
    assert result.returncode == 0, result.stderr
    parsed: dict[str, Any] = yaml.safe_load(result.stdout)
    return parsed


def test_compose_file_is_valid_and_has_every_part(config: dict[str, Any]) -> None:
    services = config["services"]
    assert {"postgres", "rabbitmq", "catalog", "checkout", "notifier", "gateway", "prometheus"} <= set(
        services
    )


def test_secrets_are_required_from_the_environment() -> None:
    for missing in SECRETS:
        result = compose_config({k: v for k, v in SECRETS.items() if k != missing})
        assert result.returncode != 0, f"compose accepted a missing {missing}"
        assert missing in result.stderr


def test_only_the_gateway_and_operator_uis_are_published(config: dict[str, Any]) -> None:
    published = {name: svc.get("ports", []) for name, svc in config["services"].items() if svc.get("ports")}
    assert set(published) == {"gateway", "rabbitmq", "prometheus"}
    for name in ("rabbitmq", "prometheus"):
        for port in published[name]:
            host_ip = port.get("host_ip") if isinstance(port, dict) else str(port).split(":")[0]
            assert host_ip == "127.0.0.1", published[name]


def test_services_wait_for_healthy_dependencies(config: dict[str, Any]) -> None:
    services = config["services"]
    for name in ("catalog", "checkout", "notifier", "gateway"):
        svc = services[name]
        assert "healthcheck" in svc, name
        conditions = {dep: spec["condition"] for dep, spec in svc["depends_on"].items()}
        assert all(c in ("service_healthy", "service_completed_successfully") for c in conditions.values())
        assert svc["environment"]["APP_ENV"] == "prod"
    assert services["gateway"]["depends_on"]["notifier"]["condition"] == "service_healthy"


def test_prometheus_scrapes_all_four_services() -> None:
    prometheus = yaml.safe_load((DEPLOY / "prometheus.yml").read_text())
    targets = {
        t for job in prometheus["scrape_configs"] for sc in job["static_configs"] for t in sc["targets"]
    }
    assert targets == {"gateway:8000", "catalog:8001", "checkout:8002", "notifier:8003"}
