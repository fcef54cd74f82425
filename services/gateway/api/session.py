"""The seller's session: who a request speaks for, the cookie, and the cross-site check."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from services.gateway.domain.credentials import (
    SESSION_COOKIE,
    BadCredentials,
    Credential,
    Via,
    resolve_seller,
)
from services.gateway.domain.origin import is_same_origin, needs_origin_check
from services.gateway.state import GatewayState, gateway_state
from shared.security import ACCESS_TOKEN_TTL, seller_id_from_token

router = APIRouter(tags=["sellers"])
SESSION_MAX_AGE_S = int(ACCESS_TOKEN_TTL.total_seconds())


def authenticate(request: Request, state: GatewayState) -> Credential | JSONResponse:
    """The seller behind the request, or the 401/403 answer to give instead."""
    try:
        credential = resolve_seller(
            authorization=request.headers.get("authorization"),
            cookie=request.cookies.get(SESSION_COOKIE),
            verify=lambda token: seller_id_from_token(state.settings.secret_key, token),
        )
    except BadCredentials as exc:
        return JSONResponse({"detail": str(exc)}, status_code=401, headers={"WWW-Authenticate": "Bearer"})
    if needs_origin_check(request.method, via_cookie=credential.via is Via.COOKIE) and not is_same_origin(
        origin=request.headers.get("origin"),
        referer=request.headers.get("referer"),
        own_origin=state.own_origin,
    ):
        return JSONResponse({"detail": "cross-site request refused"}, status_code=403)
    return credential


def set_session_cookie(response: Response, token: str, state: GatewayState) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=SESSION_MAX_AGE_S,
        path="/",
        secure=state.cookie_secure,
        httponly=True,
        samesite="lax",
    )


def clear_session_cookie(response: Response, state: GatewayState) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", secure=state.cookie_secure, httponly=True, samesite="lax"
    )


@router.post(
    "/api/auth/logout",
    status_code=204,
    summary="Log out: clears the session cookie",
    responses={204: {"description": "The session cookie is cleared"}},
)
async def logout(request: Request) -> Response:
    response = Response(status_code=204)
    clear_session_cookie(response, gateway_state(request))
    return response
