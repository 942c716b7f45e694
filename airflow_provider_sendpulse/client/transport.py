"""The two thin transports: requests (sync) and httpx (async).

They only move bytes and turn network failures into :class:`SendPulseConnectionError`; what to send
and how to read the answer lives in :mod:`.core`.
"""

from __future__ import annotations

import asyncio
import json as jsonlib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import requests
import urllib3.exceptions

from airflow_provider_sendpulse.client.errors import SendPulseConnectionError


@dataclass(frozen=True)
class RawResponse:
    """An HTTP answer reduced to what the client reads."""

    status: int
    body: Any
    is_json: bool
    retry_after: float | None = None


@dataclass(frozen=True)
class Request:
    """An HTTP request ready to send (headers hold the bearer token: never log or show them)."""

    method: str
    url: str
    params: Mapping[str, Any] | None
    json: Any | None
    headers: Mapping[str, str]

    def __repr__(self) -> str:
        return f"Request({self.method} {self.url})"


def decode_body(content: bytes) -> tuple[Any, bool]:
    """Decode a JSON answer; a non-JSON one (an HTML error page) becomes ``(None, False)``."""
    if not content.strip():
        return None, True
    try:
        return jsonlib.loads(content), True
    except (ValueError, RecursionError):
        # RecursionError: nesting deeper than the decoder's stack allows; not an answer to read either.
        return None, False


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        # "nan" and "inf" parse as floats but are no wait at all.
        return max(seconds, 0.0) if math.isfinite(seconds) else None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


def _never_sent_requests(exc: requests.RequestException) -> bool:
    if isinstance(exc, requests.ConnectTimeout):
        return True
    if isinstance(exc, requests.ConnectionError):
        reason: Any = exc.args[0] if exc.args else None
        if isinstance(reason, urllib3.exceptions.MaxRetryError):
            reason = reason.reason
        return isinstance(reason, urllib3.exceptions.NewConnectionError)
    return False


def connection_error_from_requests(exc: requests.RequestException, what: str) -> SendPulseConnectionError:
    """Map a requests failure; the message names the call and the failure kind, not the URL's query."""
    kind = "timed out" if isinstance(exc, requests.Timeout) else "connection failed"
    return SendPulseConnectionError(
        f"SendPulse {what} {kind}: {type(exc).__name__}", request_sent=not _never_sent_requests(exc)
    )


def connection_error_from_httpx(exc: httpx.TransportError, what: str) -> SendPulseConnectionError:
    """Map an httpx failure (connect errors are known not to have reached the server)."""
    kind = "timed out" if isinstance(exc, httpx.TimeoutException) else "connection failed"
    never_sent = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
    return SendPulseConnectionError(
        f"SendPulse {what} {kind}: {type(exc).__name__}", request_sent=not never_sent
    )


class SyncTransport:
    """Send requests with a ``requests.Session``."""

    def __init__(self, timeout: float, session: requests.Session | None = None) -> None:
        self.timeout = timeout
        self.session = session or requests.Session()

    def send(self, request: Request, what: str) -> RawResponse:
        """Send one request; network failures raise :class:`SendPulseConnectionError`."""
        try:
            response = self.session.request(
                request.method,
                request.url,
                params=request.params,
                json=request.json,
                headers=dict(request.headers),
                timeout=self.timeout,
            )
            content = response.content
        except requests.RequestException as exc:
            raise connection_error_from_requests(exc, what) from None
        body, is_json = decode_body(content)
        return RawResponse(
            response.status_code, body, is_json, parse_retry_after(response.headers.get("Retry-After"))
        )

    def close(self) -> None:
        """Release pooled connections."""
        self.session.close()


class AsyncTransport:
    """Send requests with an ``httpx.AsyncClient`` (bound to the event loop that first uses it).

    A client passed in is shared and never closed here; otherwise one is made on first use, in a
    worker thread (building it loads the CA bundle, which would block the event loop).
    """

    def __init__(self, timeout: float, client: httpx.AsyncClient | None = None) -> None:
        self.timeout = timeout
        self._client = client
        self._owns_client = client is None

    async def http_client(self) -> httpx.AsyncClient:
        """The ``httpx.AsyncClient`` in use, made now if needed."""
        if self._client is None:
            made = await asyncio.to_thread(httpx.AsyncClient, timeout=self.timeout)
            if self._client is None:
                self._client = made
            else:
                await made.aclose()
        return self._client

    async def send(self, request: Request, what: str) -> RawResponse:
        """Send one request; network failures raise :class:`SendPulseConnectionError`."""
        client = await self.http_client()
        try:
            response = await client.request(
                request.method,
                request.url,
                params=_httpx_params(request.params),
                json=request.json,
                headers=dict(request.headers),
                timeout=self.timeout,
            )
        except httpx.TransportError as exc:
            raise connection_error_from_httpx(exc, what) from None
        body, is_json = decode_body(response.content)
        return RawResponse(
            response.status_code, body, is_json, parse_retry_after(response.headers.get("Retry-After"))
        )

    async def aclose(self) -> None:
        """Close the HTTP client if this transport made it (a shared one is left open)."""
        if self._owns_client and self._client is not None:
            await self._client.aclose()
            self._client = None


def _httpx_params(
    params: Mapping[str, Any] | None,
) -> list[tuple[str, str | int | float | bool | None]] | None:
    # requests and httpx encode lists the same (repeated keys); spell it out so both agree exactly.
    if params is None:
        return None
    pairs: list[tuple[str, str | int | float | bool | None]] = []
    for key, value in params.items():
        for item in value if isinstance(value, list | tuple) else [value]:
            pairs.append((key, str(item)))
    return pairs
