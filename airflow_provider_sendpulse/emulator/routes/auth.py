"""`POST /oauth/access_token`: client-credentials tokens."""

from __future__ import annotations

import secrets

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse

from ..params import body_args
from .common import emulator_of

router = APIRouter()

_UNSUPPORTED_GRANT = "The authorization grant type is not supported by the authorization server."
_GRANT_HINT = "Check that all required parameters have been provided"

_INVALID_REQUEST = (
    "The request is missing a required parameter, includes an invalid parameter value, includes a parameter "
    "more than once, or is otherwise malformed."
)


def _oauth_error(status: int, error: str, description: str, hint: str | None = None) -> JSONResponse:
    body = {"error": error, "error_description": description, "message": description}
    if hint:
        body["hint"] = hint
    return JSONResponse(body, status_code=status)


@router.post("/oauth/access_token")
async def access_token(request: Request) -> JSONResponse:
    """Mint a bearer token for the configured client id and secret."""
    emulator = emulator_of(request)
    args = await body_args(request) or dict(request.query_params)
    if args.get("grant_type") != "client_credentials":
        return _oauth_error(400, "unsupported_grant_type", _UNSUPPORTED_GRANT, _GRANT_HINT)
    client_id, client_secret = args.get("client_id"), args.get("client_secret")
    if not isinstance(client_id, str) or not client_id:
        return _oauth_error(400, "invalid_request", _INVALID_REQUEST, "Check the `client_id` parameter")
    config = emulator.config
    valid = (
        isinstance(client_secret, str)
        and secrets.compare_digest(client_id.encode(), config.client_id.encode())
        and secrets.compare_digest(client_secret.encode(), config.client_secret.encode())
    )
    if not valid:
        return _oauth_error(401, "invalid_client", "Client authentication failed")
    with emulator.state.lock:
        token, ttl = emulator.state.mint_token(config.client_id)
    return JSONResponse({"token_type": "Bearer", "expires_in": ttl, "access_token": token})
