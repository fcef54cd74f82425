"""The notifier's defaults are the contract's numbers."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.notifier.config import Settings


def test_defaults() -> None:
    settings = Settings(_env_file=None)
    assert settings.notifier_subscribe_timeout_s == 5.0
    assert settings.notifier_heartbeat_interval_s == 15.0
    assert settings.notifier_send_queue_limit == 1000


def test_the_heartbeat_interval_cannot_exceed_the_contracts_20_s() -> None:
    with pytest.raises(ValidationError):
        Settings(_env_file=None, notifier_heartbeat_interval_s=21)
