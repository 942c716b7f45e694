"""The asynchronous SendPulse client (httpx), for triggers and other event-loop code."""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Any, TypeVar

import httpx
from tenacity import AsyncRetrying

from airflow_provider_sendpulse.client import api
from airflow_provider_sendpulse.client.api import Call
from airflow_provider_sendpulse.client.core import (
    ClientConfig,
    ClientCore,
    Replay,
    SecretCallback,
    guard_create,
    interpret,
    refused_fresh_token,
)
from airflow_provider_sendpulse.client.errors import SendPulseAuthError, SendPulseError
from airflow_provider_sendpulse.client.transport import AsyncTransport

T = TypeVar("T")


class AsyncSendPulseClient:
    """Async twin of :class:`~airflow_provider_sendpulse.client.SendPulseClient`.

    Use it within one event loop (``async with`` closes it). Tokens and the rate limit are shared
    with every sync and async client of the same account in the process; token minting runs in a
    worker thread, so the event loop never blocks.

    :param config: account and behaviour settings.
    :param on_new_secret: called (in a worker thread) with each new bearer token before first use.
    :param http_client: a shared ``httpx.AsyncClient`` to send API calls with; it is not closed by
        :meth:`aclose`. If omitted, the client makes (and later closes) its own.
    """

    def __init__(
        self,
        config: ClientConfig,
        *,
        on_new_secret: SecretCallback | None = None,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        self.core = ClientCore(config, on_new_secret)
        self.transport = AsyncTransport(config.timeout, http_client, config.connection_hint)

    def __repr__(self) -> str:
        return f"AsyncSendPulseClient({self.core.config!r})"

    @property
    def config(self) -> ClientConfig:
        """The client's settings."""
        return self.core.config

    async def run(self, call: Call[T]) -> T:
        """Send ``call`` and return its parsed answer; raises :class:`SendPulseError` on failure."""
        retrying = AsyncRetrying(sleep=asyncio.sleep, **self.core.policy.tenacity_kwargs())
        result: T = await retrying(self._attempt, call, Replay())
        return result

    async def call(
        self, method: str, path: str, params: dict[str, Any] | None = None, json: Any | None = None
    ) -> Any:
        """Call any endpoint and return the decoded JSON answer (the escape hatch)."""
        return await self.run(api.raw_call(method, path, params, json))

    async def _attempt(self, call: Call[T], replay: Replay) -> T:
        token = await self._token()
        try:
            return await self._send(call, token, replay)
        except SendPulseAuthError as exc:
            if exc.status != 401 or not self.core.auth.refreshable:
                raise
            self.core.auth.invalidate(token)
        token = await self._token()
        try:
            return await self._send(call, token, replay)
        except SendPulseAuthError as exc:
            if exc.status != 401:
                raise
            raise refused_fresh_token(call, exc) from None

    async def _token(self) -> str:
        token = await self.core.auth.atoken()
        if self.core.new_secret(token):
            # The callback may talk to a supervisor synchronously: keep it off the event loop.
            await asyncio.to_thread(self.core.report_secret, token)
        return token

    async def _send(self, call: Call[T], token: str, replay: Replay) -> T:
        if self.core.limiter is not None:
            await self.core.limiter.aacquire()
        try:
            raw = await self.transport.send(self.core.request(call, token), call.describe())
            return interpret(call, raw)
        except SendPulseError as exc:
            if replay.settles(call, exc):
                return call.parse(None)
            guarded = guard_create(call, exc)
            if guarded is exc:
                raise
            raise guarded from exc

    async def aclose(self) -> None:
        """Close the HTTP client if this client made it (the shared token stays cached)."""
        await self.transport.aclose()

    async def __aenter__(self) -> AsyncSendPulseClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
