"""Capture every request a hook sends and validate it against SendPulse's OpenAPI documents.

Reuses the emulator tests' openapi-core adapter (patched vendor documents); loaded by file path so
this works whichever test directories are collected.
"""

from __future__ import annotations

import functools
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs

import httpx
import requests
from by_path import load
from openapi_core import OpenAPI

ADAPTER_PATH = Path(__file__).resolve().parents[1] / "emulator" / "openapi_adapter.py"

# Paths SendPulse's published documents do not describe; checked by hand instead.
UNDOCUMENTED = {"/user/info"}
TOKEN_PATH = "/oauth/access_token"


def _adapter() -> ModuleType:
    return load("_sendpulse_openapi_adapter", ADAPTER_PATH)


@functools.cache
def openapi_for(name: str, server_url: str) -> OpenAPI:
    """The emulator tests' patched vendor document, plus the client-side patch below."""
    spec: dict[str, Any] = _adapter().patched_spec(name, server_url)
    if name == "sms.yml":
        # `date` of POST /sms/campaigns is typed RFC 3339 date-time, unlike every other SendPulse date
        # (`YYYY-MM-DD HH:MM:SS`, also what the emulator reads); the client sends the common form.
        body = spec["paths"]["/sms/campaigns"]["post"]["requestBody"]["content"]["application/json"]
        body["schema"]["properties"]["date"].pop("format", None)
    return OpenAPI.from_dict(spec)


class RequestRecorder:
    """Collects outgoing requests (as ``httpx.Request``) from requests sessions and httpx clients."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def attach_session(self, session: requests.Session) -> None:
        def on_response(response: requests.Response, *args: Any, **kwargs: Any) -> None:
            prepared = response.request
            body = prepared.body
            content = body.encode() if isinstance(body, str) else body
            self.requests.append(
                httpx.Request(
                    prepared.method or "", prepared.url or "", headers=dict(prepared.headers), content=content
                )
            )

        session.hooks["response"].append(on_response)

    def attach_httpx(self, client: httpx.AsyncClient) -> None:
        async def on_request(request: httpx.Request) -> None:
            await request.aread()
            self.requests.append(request)

        client.event_hooks["request"].append(on_request)


def validate_all(requests_seen: list[httpx.Request], server_url: str) -> dict[str, int]:
    """Validate every request; returns how many were checked per document (raises on a mismatch)."""
    adapter = _adapter()
    counts = {"bulk-email.yml": 0, "sms.yml": 0, "by hand": 0}
    for request in requests_seen:
        path = request.url.path
        if path == TOKEN_PATH:
            form = parse_qs(request.content.decode())
            assert form["grant_type"] == ["client_credentials"], "token request is not client credentials"
            assert form.get("client_id")
            assert form.get("client_secret")
            counts["by hand"] += 1
            continue
        assert request.headers["authorization"].startswith("Bearer ")
        if path in UNDOCUMENTED:
            counts["by hand"] += 1
            continue
        name = "sms.yml" if path.startswith("/sms/") else "bulk-email.yml"
        openapi = openapi_for(name, server_url)
        try:
            openapi.validate_request(adapter.HttpxOpenAPIRequest(request))
        except Exception as exc:
            raise AssertionError(f"{request.method} {path}?{request.url.query.decode()}: {exc!r}") from exc
        counts[name] += 1
    return counts
