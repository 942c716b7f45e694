"""Async clients for triggers: the connection read without blocking, one HTTP pool per event loop.

A triggerer may run a thousand SendPulse triggers. Each ``httpx.AsyncClient`` built from scratch loads
the CA bundle (tens of milliseconds of blocked event loop, and memory per trigger), so every trigger of
a loop shares one client; tokens and the rate limiter are already shared per account by the client.
Requests in flight are capped per loop: httpcore's pool re-checks every queued request against every
connection whenever one frees up, which blocks the loop for long stretches once hundreds queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import weakref
from typing import TYPE_CHECKING, TypeVar

import httpx

if TYPE_CHECKING:
    from airflow_provider_sendpulse.client.api import Call
    from airflow_provider_sendpulse.client.async_client import AsyncSendPulseClient

MAX_IN_FLIGHT = 10
"""Requests in flight per event loop (SendPulse allows 10 per second per account anyway)."""

T = TypeVar("T")

_LIMITS = httpx.Limits(max_connections=MAX_IN_FLIGHT, max_keepalive_connections=MAX_IN_FLIGHT)
_POOLS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient] = weakref.WeakKeyDictionary()
_LOCKS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()
_GATES: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = weakref.WeakKeyDictionary()


async def shared_http_client() -> httpx.AsyncClient:
    """The ``httpx.AsyncClient`` of the running event loop (made on first use, never closed by callers)."""
    loop = asyncio.get_running_loop()
    client = _POOLS.get(loop)
    if client is not None and not client.is_closed:
        return client
    lock = _LOCKS.setdefault(loop, asyncio.Lock())
    async with lock:
        client = _POOLS.get(loop)
        if client is None or client.is_closed:
            # Building it loads the CA bundle, and the first request and connection read import modules
            # lazily: do all that in a thread, not on the event loop.
            client = await asyncio.to_thread(_prepare)
            _POOLS[loop] = client
    return client


def _prepare() -> httpx.AsyncClient:
    for module in _LAZY_IMPORTS:
        with contextlib.suppress(ImportError):
            importlib.import_module(module)
    return httpx.AsyncClient(limits=_LIMITS)


_LAZY_IMPORTS = (
    "anyio._backends._asyncio",
    "airflow.sdk.execution_time.supervisor",
    # The hook and client (requests, oauthlib) are not imported with the trigger module, to keep DAG
    # parsing cheap; they load here, off the event loop, before the first trigger uses them.
    "airflow_provider_sendpulse.client.async_client",
    "airflow_provider_sendpulse.hooks.sendpulse",
)


class GatedClient:
    """An :class:`AsyncSendPulseClient` whose calls wait for a slot of the loop's request gate."""

    def __init__(self, client: AsyncSendPulseClient, gate: asyncio.Semaphore) -> None:
        self.client = client
        self._gate = gate

    async def run(self, call: Call[T]) -> T:
        """Send ``call`` once a slot is free; same answers and errors as the client."""
        async with self._gate:
            return await self.client.run(call)


async def async_client(sendpulse_conn_id: str) -> GatedClient:
    """An async client for the connection, on the loop's shared HTTP pool and request gate.

    Nothing to close: the pool outlives the trigger.
    """
    http_client = await shared_http_client()  # first: it imports the hook and client in a thread
    from airflow_provider_sendpulse.hooks.sendpulse import SendPulseHook

    hook = SendPulseHook(sendpulse_conn_id=sendpulse_conn_id)
    client = await hook.get_async_client(http_client=http_client)
    loop = asyncio.get_running_loop()
    return GatedClient(client, _GATES.setdefault(loop, asyncio.Semaphore(MAX_IN_FLIGHT)))
