"""Settings shared by every service: one base class, one subclass per service."""

from __future__ import annotations

import hashlib
import hmac
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET_KEY = "dev-only-insecure-secret-change-me"


class BaseServiceSettings(BaseSettings):
    """What every service reads from the environment (and `.env`)."""

    model_config = SettingsConfigDict(env_file=".env", env_ignore_empty=True, extra="ignore")

    app_env: Literal["dev", "prod"] = "dev"
    secret_key: str = DEV_SECRET_KEY
    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    gateway_port: int = 8000
    public_base_url: str = ""
    bind_host: str = "127.0.0.1"
    catalog_port: int = 8001
    checkout_port: int = 8002
    notifier_port: int = 8003
    catalog_url: str = ""
    checkout_url: str = ""
    log_level: str = "INFO"
    log_json: bool = True
    # HTTP requests answered at once; past this a request gets 503 and Retry-After at once.
    # Above what the callers can send at once (the gateway's 64 connections to a service and
    # the notifier's 16), so the callers' own queues do the waiting and a service refuses only
    # what comes beyond them.
    max_requests_in_flight: int = Field(default=128, ge=1)

    @model_validator(mode="after")
    def _refuse_dev_secret_outside_dev(self) -> BaseServiceSettings:
        if self.app_env != "dev" and self.secret_key == DEV_SECRET_KEY:
            raise ValueError("SECRET_KEY must be set to a real secret when APP_ENV is not 'dev'")
        if self.app_env != "dev" and len(self.secret_key) < 32:
            raise ValueError("SECRET_KEY must be at least 32 characters when APP_ENV is not 'dev'")
        return self

    @property
    def public_url(self) -> str:
        """How the outside world reaches the gateway, without a trailing slash."""
        return (self.public_base_url or f"http://127.0.0.1:{self.gateway_port}").rstrip("/")

    @property
    def catalog_base_url(self) -> str:
        return (self.catalog_url or f"http://127.0.0.1:{self.catalog_port}").rstrip("/")

    @property
    def checkout_base_url(self) -> str:
        return (self.checkout_url or f"http://127.0.0.1:{self.checkout_port}").rstrip("/")

    @property
    def internal_token(self) -> str:
        """The token services present to each other; derived so operators set one secret."""
        return hmac.new(self.secret_key.encode(), b"santhai-internal", hashlib.sha256).hexdigest()
