"""Validating emulator traffic against SendPulse's OpenAPI documents with openapi-core.

The vendor documents are loaded once and patched in memory where they are broken (each patch is listed in
docs/emulator.md); `httpx` requests and responses are adapted to openapi-core's protocols.
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import yaml
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

from .openapi_crm import patch_crm

SPEC_DIR = Path(__file__).resolve().parent / "openapi"

ERROR_SCHEMA = {
    "type": "object",
    "required": ["message", "error_code"],
    "properties": {"message": {"type": "string"}, "error_code": {"type": "integer"}},
}


@functools.cache
def _raw(name: str) -> dict[str, Any]:
    with (SPEC_DIR / name).open() as handle:
        loaded: dict[str, Any] = yaml.safe_load(handle)
    return loaded


def patched_spec(name: str, server_url: str) -> dict[str, Any]:
    """The vendor document with the documented in-memory fixes, served from `server_url`."""
    spec = copy.deepcopy(_raw(name))
    spec["servers"] = [{"url": server_url}]
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    # The documents reference #/components/schemas/Error but never define it.
    schemas.setdefault("Error", ERROR_SCHEMA)
    # openapi-core cannot check oauth2; both schemes send `Authorization: Bearer ...`, which this one checks.
    spec["security"] = [{"apiKey": []}]
    paths = spec["paths"]
    if name == "bulk-email.yml":
        # The two add-emails schemas declare no required fields, so every body matches both and oneOf fails.
        add = paths["/addressbooks/{id}/emails"]["post"]["requestBody"]["content"]["application/json"][
            "schema"
        ]
        add["anyOf"] = add.pop("oneOf")
    if name == "sms.yml":
        # Documented as arrays; SendPulse's reference and its other SMS answers wrap one object.
        for path in ("/sms/campaigns/info/{id}", "/sms/numbers/info/{addressBookId}/{phoneNumber}"):
            answer = paths[path]["get"]["responses"]["200"]["content"]["application/json"]
            answer["schema"] = {
                "type": "object",
                "required": ["result", "data"],
                "properties": {"result": {"type": "boolean"}, "data": {"type": "object"}},
            }
    if name == "crm.yml":
        patch_crm(spec)
    return spec


@functools.cache
def _openapi(name: str, server_url: str) -> OpenAPI:
    return OpenAPI.from_dict(patched_spec(name, server_url))


def openapi_for(name: str, server_url: str) -> OpenAPI:
    """A (cached) openapi-core validator for one vendor document."""
    return _openapi(name, server_url)


class HttpxOpenAPIRequest:
    """An `httpx.Request` seen through openapi-core's request protocol."""

    def __init__(self, request: httpx.Request) -> None:
        self._request = request
        query: dict[str, list[str]] = {}
        for key, value in parse_qsl(request.url.query.decode(), keep_blank_values=True):
            query.setdefault(key, []).append(value)
        self.parameters = RequestParameters(
            query=ImmutableMultiDict([(k, v) for k, values in query.items() for v in values]),
            header=Headers(dict(request.headers)),
            cookie=ImmutableMultiDict(),
        )

    @property
    def host_url(self) -> str:
        url = self._request.url
        return f"{url.scheme}://{url.netloc.decode()}"

    @property
    def path(self) -> str:
        return self._request.url.path

    @property
    def method(self) -> str:
        return self._request.method.lower()

    @property
    def body(self) -> bytes | None:
        return self._request.content or None

    @property
    def content_type(self) -> str:
        return self._request.headers.get("content-type", "application/json").lower()


class HttpxOpenAPIResponse:
    """An `httpx.Response` seen through openapi-core's response protocol."""

    def __init__(self, response: httpx.Response) -> None:
        self._response = response

    @property
    def status_code(self) -> int:
        return self._response.status_code

    @property
    def content_type(self) -> str:
        return self._response.headers.get("content-type", "").lower()

    @property
    def headers(self) -> Headers:
        return Headers(dict(self._response.headers))

    @property
    def data(self) -> bytes | None:
        return self._response.content


def validate(openapi: OpenAPI, response: httpx.Response) -> None:
    """Validate the request that produced `response`, and `response` itself; raises on mismatch."""
    request = HttpxOpenAPIRequest(response.request)
    openapi.validate_request(request)
    openapi.validate_response(request, HttpxOpenAPIResponse(response))
