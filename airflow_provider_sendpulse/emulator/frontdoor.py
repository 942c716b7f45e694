"""What every API request passes before its route: path clean-up, request log, faults, auth, rate limit.

This is a plain ASGI wrapper rather than Starlette middleware because a `drop` fault must close the
client's connection without sending anything, which needs uvicorn's transport.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import threading
import time
from collections import deque
from typing import TYPE_CHECKING, Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import ApiError, unauthorized

if TYPE_CHECKING:
    from .app import Emulator
    from .faults import FaultRule

log = logging.getLogger(__name__)

TOKEN_PATH = "/oauth/access_token"  # noqa: S105 - a path, not a secret
ADMIN_PREFIX = "/_emulator"
RATE_LIMIT_CODE = 2020202020
_SLASHES = re.compile(r"/{2,}")


class LogEntry:
    """One received request; `status` is filled in when the answer starts (None if none was sent)."""

    __slots__ = (
        "account",
        "body",
        "body_length",
        "content_type",
        "dropped",
        "fault",
        "method",
        "path",
        "query",
        "status",
        "time",
    )

    def __init__(self, method: str, path: str, query: str, time: float) -> None:
        self.method = method
        self.path = path
        self.query = query
        self.time = time
        self.status: int | None = None
        self.account: str | None = None
        self.fault = False
        self.dropped = False
        self.body: bytearray | None = None
        self.body_length = 0
        self.content_type: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The entry as the admin API shows it."""
        entry: dict[str, Any] = {
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "status": self.status,
            "time": self.time,
            "account": self.account,
        }
        if self.fault:
            entry["fault"] = True
        if self.dropped:
            entry["dropped"] = True
        # Only a body read whole: a request answered before its route ran (a fault, 401, 429) was not read.
        if self.body is not None and len(self.body) == self.body_length:
            entry["body"] = self.body.decode("utf-8", "replace")
            entry["content_type"] = self.content_type
        return entry


class RequestLog:
    """The last `maxlen` requests the API received (admin routes excluded)."""

    def __init__(self, maxlen: int = 100_000) -> None:
        self._lock = threading.Lock()
        self._entries: deque[LogEntry] = deque(maxlen=maxlen)

    def append(self, entry: LogEntry) -> None:
        """Remember a request."""
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list[dict[str, Any]]:
        """All remembered requests, oldest first."""
        with self._lock:
            return [e.to_json() for e in self._entries]

    def clear(self) -> None:
        """Forget every request."""
        with self._lock:
            self._entries.clear()


class RateLimiter:
    """At most N requests per sliding second per account."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[str, deque[float]] = {}

    def allow(self, account: str, limit: int) -> bool:
        """Count a request; False when the account already made `limit` in the last second."""
        now = time.monotonic()
        with self._lock:
            window = self._seen.setdefault(account, deque())
            while window and window[0] <= now - 1.0:
                window.popleft()
            if len(window) >= limit:
                return False
            window.append(now)
            return True

    def clear(self) -> None:
        """Forget all counted requests."""
        with self._lock:
            self._seen.clear()


def normalize_path(path: str) -> str:
    """Collapse repeated slashes and drop a trailing one (the official client sends `//sms/...`)."""
    path = _SLASHES.sub("/", path)
    return path.rstrip("/") or "/"


async def send_json(
    send: Send, status: int, body: Any, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    """Answer with a JSON body."""
    await send_raw(send, status, json.dumps(body).encode(), "application/json", headers)


async def send_raw(
    send: Send, status: int, body: bytes, content_type: str, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    """Answer with raw bytes."""
    all_headers = [
        (b"content-type", content_type.encode("latin-1")),
        (b"content-length", str(len(body)).encode()),
        *(headers or []),
    ]
    await send({"type": "http.response.start", "status": status, "headers": all_headers})
    await send({"type": "http.response.body", "body": body})


async def drop_connection(send: Send) -> None:
    """Close the client's connection without an answer."""
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None:
        raise ConnectionAbortedError("fault: drop")
    transport.close()
    # Let uvicorn notice the closed connection so it does not try to answer with a 500.
    await asyncio.sleep(0)
    await asyncio.sleep(0)


def _recording(receive: Receive, entry: LogEntry, scope: Scope) -> Receive:
    """`receive` that also keeps the request body (and its content type) in the log entry."""
    entry.body = bytearray()
    headers = dict(scope.get("headers", []))
    entry.content_type = headers[b"content-type"].decode("latin-1") if b"content-type" in headers else None
    try:
        entry.body_length = int(headers.get(b"content-length", b"0"))
    except ValueError:
        entry.body_length = -1

    async def wrapped() -> Message:
        message = await receive()
        if message["type"] == "http.request" and entry.body is not None:
            entry.body.extend(message.get("body", b""))
        return message

    return wrapped


def bearer_token(scope: Scope) -> str | None:
    """The token of an `Authorization: Bearer <token>` header."""
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            header: str = value.decode("latin-1")
            scheme, _, token = header.strip().partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
            return None
    return None


class FrontDoor:
    """ASGI wrapper applying the request log, faults, authentication and the rate limit."""

    def __init__(self, app: ASGIApp, emulator: Emulator) -> None:
        self.app = app
        self.emulator = emulator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self._serve(scope, receive, tracking_send, send)
        except Exception:
            # Starlette re-raises after its catch-all handler has answered; answer here only if nobody did.
            log.debug("request %s %s failed", scope["method"], scope["path"], exc_info=True)
            if not started:
                await send_json(send, 400, {"message": "Bad request", "error_code": 400})

    async def _serve(self, scope: Scope, receive: Receive, send: Send, raw_send: Send) -> None:
        path = normalize_path(scope["path"])
        scope = {**scope, "path": path, "raw_path": path.encode()}
        if path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/"):
            await self.app(scope, receive, send)
            return
        emulator = self.emulator
        entry = LogEntry(
            scope["method"],
            path,
            scope.get("query_string", b"").decode("latin-1"),
            emulator.state.clock.now(),
        )
        emulator.requests.append(entry)
        if emulator.config.record_bodies and path != TOKEN_PATH:  # token requests carry the credentials
            receive = _recording(receive, entry, scope)

        fault = emulator.faults.take(scope["method"], path)
        if fault is not None:
            entry.fault = True
            if fault.after:
                await self._serve_then_fault(fault, entry, scope, receive, send, raw_send)
                return
            if fault.delay:
                await asyncio.sleep(fault.delay)
            if await self._answer_fault(fault, entry, send, raw_send):
                return
        await self._authorize_and_route(entry, path, scope, receive, send)

    @staticmethod
    async def _answer_fault(fault: FaultRule, entry: LogEntry, send: Send, raw_send: Send) -> bool:
        """Drop or answer as the rule says; False when it says neither (a delay only)."""
        if fault.drop:
            entry.dropped = True
            entry.status = None
            await drop_connection(raw_send)
            return True
        if fault.body is not None:
            entry.status = fault.status or 500
            await send_raw(send, entry.status, fault.body.encode(), fault.content_type)
            return True
        if fault.status is not None:
            entry.status = fault.status
            await send_json(send, fault.status, fault.error_body())
            return True
        return False

    async def _serve_then_fault(
        self, fault: FaultRule, entry: LogEntry, scope: Scope, receive: Receive, send: Send, raw_send: Send
    ) -> None:
        """Let the route act, then lose, replace or delay its answer."""
        held: list[Message] = []

        async def holding_send(message: Message) -> None:
            held.append(message)

        try:
            await self._authorize_and_route(entry, scope["path"], scope, receive, holding_send)
        except Exception:
            # Starlette re-raises after its catch-all handler answered; that answer is held here.
            if not held:
                raise
            log.debug("request %s %s failed", scope["method"], scope["path"], exc_info=True)
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if await self._answer_fault(fault, entry, send, raw_send):
            return
        for message in held:
            await send(message)

    async def _authorize_and_route(
        self, entry: LogEntry, path: str, scope: Scope, receive: Receive, send: Send
    ) -> None:
        emulator = self.emulator
        if path != TOKEN_PATH:
            token = bearer_token(scope)
            with emulator.state.lock:
                account = emulator.state.account_for(token) if token else None
            if account is None:
                entry.status = 401
                await send_json(send, 401, unauthorized().body())
                return
            entry.account = account
            limit = emulator.config.rate_limit
            if limit and not emulator.limiter.allow(account, limit):
                entry.status = 429
                error = ApiError(429, "Too Many Requests", RATE_LIMIT_CODE)
                await send_json(send, 429, error.body())
                return

        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                entry.status = message["status"]
            await send(message)

        await self.app(scope, receive, recording_send)
