"""The asynchronous SendPulse client (httpx), for triggers and other event-loop code."""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Any, TypeVar

import httpx

from airflow_provider_sendpulse.client import api
from airflow_provider_sendpulse.client.api import Call
from airflow_provider_sendpulse.client.attempts import Plan, attempts
from airflow_provider_sendpulse.client.core import ClientBase, ClientConfig, ClientCore, SecretCallback
from airflow_provider_sendpulse.client.errors import SendPulseError
from airflow_provider_sendpulse.client.transport import AsyncTransport

T = TypeVar("T")


class AsyncSendPulseClient(ClientBase):
    """Async twin of :class:`~airflow_provider_sendpulse.client.SendPulseClient`.

    Use it within one event loop (``async with`` closes it). Tokens and the rate limit are shared
    with every sync and async client of the same account in the process; token minting runs in a
    worker thread, so the event loop never blocks.

    :param config: account and behaviour settings.
    :param on_new_secret: called (in a worker thread) with each new bearer token before first use.
    :param http_client: a shared ``httpx.AsyncClient`` to send API calls with; it is not closed by
        :meth:`aclose`. If omitted, the client makes (and later closes) its own.
    :param in_flight: a semaphore capping the requests in flight on a shared ``http_client`` (give
        every client of that pool the same one, with as many slots as the pool has connections).

    A task cancelled while its request is under way is released at once; the request itself still
    finishes (or times out) in the background, so its pooled connection is never lost.
    """

    def __init__(
        self,
        config: ClientConfig,
        *,
        on_new_secret: SecretCallback | None = None,
        http_client: httpx.AsyncClient | None = None,
        in_flight: asyncio.Semaphore | None = None,
    ) -> None:
        self.core = ClientCore(config, on_new_secret)
        self.transport = AsyncTransport(config.timeout, http_client, config.connection_hint, in_flight)

    async def run(self, call: Call[T]) -> T:
        """Send ``call`` and return its parsed answer; raises :class:`SendPulseError` on failure."""
        plan = Plan(attempts(self.core, call))
        while not plan.done:
            try:
                plan.send(await plan.perform(asyncio.sleep, self.transport.send, self._token))
            except SendPulseError as exc:
                plan.throw(exc)
        return plan.result

    async def call(
        self, method: str, path: str, params: dict[str, Any] | None = None, json: Any | None = None
    ) -> Any:
        """Call any endpoint and return the decoded JSON answer (the escape hatch)."""
        return await self.run(api.raw_call(method, path, params, json))

    async def _token(self) -> str:
        token = await self.core.auth.atoken()
        if self.core.new_secret(token):
            # The callback may talk to a supervisor synchronously: keep it off the event loop.
            await asyncio.to_thread(self.core.report_secret, token)
        return token

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
