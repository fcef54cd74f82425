"""How the catalog's domain errors are answered."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.catalog.domain.errors import EmailTaken, RuleViolation, SlugTaken
from shared.service import json_error

EMAIL_TAKEN = "an account with this email already exists"
SLUG_TAKEN = "this storefront name (slug) is taken; choose another"

OpenApiResponses = dict[int | str, dict[str, Any]]


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RuleViolation, _rule_violation)
    app.add_exception_handler(EmailTaken, _email_taken)
    app.add_exception_handler(SlugTaken, _slug_taken)


async def _rule_violation(_request: Request, exc: Exception) -> JSONResponse:
    """A 422 shaped like FastAPI's own, so clients read every validation error the same way."""
    assert isinstance(exc, RuleViolation)
    error = {"type": "value_error", "loc": ["body", exc.field], "msg": exc.message}
    return JSONResponse({"detail": [error]}, status_code=422)


async def _email_taken(_request: Request, _exc: Exception) -> JSONResponse:
    return json_error(409, EMAIL_TAKEN)


async def _slug_taken(_request: Request, _exc: Exception) -> JSONResponse:
    return json_error(409, SLUG_TAKEN)
