"""The two thin transports: requests (sync) and httpx (async).

They only move bytes and turn network failures into :class:`SendPulseConnectionError`; what to send
and how to read the answer lives in :mod:`.core`.
"""

from __future__ import annotations

import asyncio
import http.client
import json as jsonlib
import math
import socket
import ssl
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
import requests
import urllib3.exceptions

from airflow_provider_sendpulse.client.errors import SendPulseConnectionError, SendPulseTLSError
from airflow_provider_sendpulse.client.wire import QueryPairs


@dataclass(frozen=True)
class RawResponse:
    """An HTTP answer reduced to what the client reads."""

    status: int
    body: Any
    is_json: bool
    retry_after: float | None = None

    @classmethod
    def read(cls, status: int, content: bytes, headers: Mapping[str, str]) -> RawResponse:
        """The answer from its status, raw body and headers (either library's response)."""
        body, is_json = decode_body(content)
        return cls(status, body, is_json, parse_retry_after(headers.get("Retry-After")))


@dataclass(frozen=True)
class Request:
    """An HTTP request ready to send (headers hold the bearer token: never log or show them)."""

    method: str
    url: str
    params: QueryPairs | None
    json: Any | None
    headers: Mapping[str, str]

    def __repr__(self) -> str:
        return f"Request({self.method} {self.url})"

    def arguments(self, timeout: float) -> dict[str, Any]:
        """Keyword arguments for ``requests.Session.request`` and ``httpx.AsyncClient.request``."""
        return {
            "method": self.method,
            "url": self.url,
            "params": self.params,
            "json": self.json,
            "headers": dict(self.headers),
            "timeout": timeout,
        }


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
    if isinstance(exc, requests.ConnectTimeout | requests.exceptions.SSLError):
        return True
    if isinstance(exc, requests.ConnectionError):
        reason: Any = exc.args[0] if exc.args else None
        if isinstance(reason, urllib3.exceptions.MaxRetryError):
            reason = reason.reason
        return isinstance(reason, urllib3.exceptions.NewConnectionError)
    return False


def safe_url(url: str) -> str:
    """``scheme://host:port/path`` of a URL: no user info, query or fragment (they may hold secrets)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None:
        port = 443 if parts.scheme == "https" else 80
    return f"{parts.scheme}://{host}:{port}{parts.path}"


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and everything it wraps (``__cause__``, ``__context__``, urllib3's ``reason``, args)."""
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        linked = [current.__cause__, current.__context__, getattr(current, "reason", None), *current.args]
        pending.extend(item for item in linked if isinstance(item, BaseException))


def _is_tls_failure(exc: BaseException) -> bool:
    return any(
        isinstance(cause, ssl.SSLError | requests.exceptions.SSLError | urllib3.exceptions.SSLError)
        for cause in _causes(exc)
    )


def network_failure_cause(exc: BaseException, timeout: float) -> str:
    """A network failure in words: connection refused, name not resolved, timed out after N s..."""
    causes = list(_causes(exc))
    if any(isinstance(c, requests.Timeout | httpx.TimeoutException | TimeoutError) for c in causes):
        return f"timed out after {timeout:g} s"
    for cause in causes:
        if isinstance(cause, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in str(cause):
            return "certificate verify failed"
    for cause in causes:
        if isinstance(cause, ssl.SSLError) and "WRONG_VERSION_NUMBER" in str(cause):
            return "TLS handshake failed (wrong version number: the server may speak plain http)"
    if _is_tls_failure(exc):
        return "TLS handshake failed"
    for cause in causes:
        if isinstance(cause, socket.gaierror | urllib3.exceptions.NameResolutionError):
            return "name not resolved"
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, ConnectionResetError):
            return "connection reset by the server"
    for cause in causes:
        if isinstance(cause, http.client.RemoteDisconnected | httpx.RemoteProtocolError):
            return "connection closed without an answer"
    return f"connection failed ({type(exc).__name__})"


def _connection_error(
    exc: BaseException, what: str, url: str, timeout: float, *, never_sent: bool, hint: str
) -> SendPulseConnectionError:
    message = f"SendPulse {what} to {safe_url(url)} failed: {network_failure_cause(exc, timeout)}"
    if hint:
        message += f" ({hint})"
    if _is_tls_failure(exc):
        return SendPulseTLSError(message)
    return SendPulseConnectionError(message, request_sent=not never_sent)


def connection_error_from_requests(
    exc: requests.RequestException, what: str, url: str, timeout: float, hint: str = ""
) -> SendPulseConnectionError:
    """Map a requests failure to an error naming the call, the URL (no secrets) and the cause."""
    return _connection_error(exc, what, url, timeout, never_sent=_never_sent_requests(exc), hint=hint)


def connection_error_from_httpx(
    exc: httpx.TransportError, what: str, url: str, timeout: float, hint: str = ""
) -> SendPulseConnectionError:
    """Map an httpx failure (connect errors are known not to have reached the server)."""
    never_sent = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
    return _connection_error(exc, what, url, timeout, never_sent=never_sent, hint=hint)


class SyncTransport:
    """Send requests with a ``requests.Session``."""

    def __init__(self, timeout: float, session: requests.Session | None = None, hint: str = "") -> None:
        self.timeout = timeout
        self.session = session or requests.Session()
        self.hint = hint

    def send(self, request: Request, what: str) -> RawResponse:
        """Send one request; network failures raise :class:`SendPulseConnectionError`."""
        try:
            response = self.session.request(**request.arguments(self.timeout))
            content = response.content
        except requests.RequestException as exc:
            raise connection_error_from_requests(exc, what, request.url, self.timeout, self.hint) from None
        return RawResponse.read(response.status_code, content, response.headers)

    def close(self) -> None:
        """Release pooled connections."""
        self.session.close()


class AsyncTransport:
    """Send requests with an ``httpx.AsyncClient`` (bound to the event loop that first uses it).

    A client passed in is shared and never closed here; otherwise one is made on first use, in a
    worker thread (building it loads the CA bundle, which would block the event loop).

    Each exchange (connect, send, read the answer, give the connection back) runs in a task of its
    own that the caller's cancellation does not reach: a caller cancelled mid-request gets
    ``CancelledError`` at once, and the exchange still ends by the timeout and returns its
    connection to the pool. httpcore 1.0 is written for anyio's cancel scopes; a plain
    ``Task.cancel()`` (how a triggerer stops triggers) that lands between taking a pooled
    connection and giving it back leaves the connection connecting, new or active for good, and
    once every slot is lost so, each request fails with ``PoolTimeout``.

    :param in_flight: a semaphore shared by the transports of one pool, held for the whole exchange,
        so that requests queue here rather than in httpcore's pool (cheap to wake, and a cancelled
        caller's exchange keeps its slot until its connection is back).
    """

    def __init__(
        self,
        timeout: float,
        client: httpx.AsyncClient | None = None,
        hint: str = "",
        in_flight: asyncio.Semaphore | None = None,
    ) -> None:
        self.timeout = timeout
        self.hint = hint
        self._client = client
        self._owns_client = client is None
        self._in_flight = in_flight
        self._exchanges: set[asyncio.Task[RawResponse]] = set()

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
        if self._in_flight is not None:
            await self._in_flight.acquire()
        exchange = asyncio.get_running_loop().create_task(self._exchange(request, what))
        self._exchanges.add(exchange)  # the loop keeps only weak references to tasks
        exchange.add_done_callback(self._exchange_done)
        return await asyncio.shield(exchange)

    async def _exchange(self, request: Request, what: str) -> RawResponse:
        client = await self.http_client()
        try:
            response = await client.request(**request.arguments(self.timeout))
        except httpx.TransportError as exc:
            raise connection_error_from_httpx(exc, what, request.url, self.timeout, self.hint) from None
        return RawResponse.read(response.status_code, response.content, response.headers)

    def _exchange_done(self, exchange: asyncio.Task[RawResponse]) -> None:
        self._exchanges.discard(exchange)
        if self._in_flight is not None:
            self._in_flight.release()
        if not exchange.cancelled():
            exchange.exception()  # mark it retrieved: a cancelled caller no longer wants the outcome

    async def aclose(self) -> None:
        """Close the HTTP client if this transport made it (a shared one is left open).

        Exchanges still running (their callers were cancelled) are waited for first.
        """
        if self._exchanges:
            await asyncio.wait(set(self._exchanges))
        if self._owns_client and self._client is not None:
            await self._client.aclose()
            self._client = None
