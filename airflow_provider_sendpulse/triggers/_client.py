"""Async clients for triggers: one HTTP pool per event loop, one client per connection and loop.

A triggerer may run a thousand SendPulse triggers. Each ``httpx.AsyncClient`` built from scratch loads
the CA bundle (tens of milliseconds of blocked event loop, and memory per trigger), so every trigger of
a loop shares one pool. Requests in flight are capped per loop: httpcore's pool re-checks every queued
request against every connection whenever one frees up, which blocks the loop for long stretches once
hundreds queue.

Reading a connection costs the event loop about a millisecond (secrets backends, masking), and a client
built from it holds a token, a rate limiter and a retry policy that triggers of one connection share
anyway: triggers of a loop that start within :data:`CLIENT_TTL` of a read share the client built from it,
and a burst of triggers starting together reads the connection once. A trigger that starts later reads
it again, so an edited connection reaches new triggers within that time.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import time
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from airflow_provider_sendpulse.client.async_client import AsyncSendPulseClient

MAX_IN_FLIGHT = 10
"""Requests in flight per event loop (SendPulse allows 10 per second per account anyway)."""

CLIENT_TTL = 60.0
"""Seconds a client built from a connection read is handed to triggers that start afterwards."""

_LIMITS = httpx.Limits(max_connections=MAX_IN_FLIGHT, max_keepalive_connections=MAX_IN_FLIGHT)


@dataclass
class _Shared:
    """What the triggers of one event loop share."""

    http_client: httpx.AsyncClient
    in_flight: asyncio.Semaphore
    clients: dict[str, tuple[float, asyncio.Task[AsyncSendPulseClient]]]


_SHARED: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Shared] = weakref.WeakKeyDictionary()
_LOCKS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()


async def shared_http_client() -> httpx.AsyncClient:
    """The ``httpx.AsyncClient`` of the running event loop (made on first use, never closed by callers)."""
    return (await _shared()).http_client


async def _shared() -> _Shared:
    loop = asyncio.get_running_loop()
    shared = _SHARED.get(loop)
    if shared is not None and not shared.http_client.is_closed:
        return shared
    lock = _LOCKS.setdefault(loop, asyncio.Lock())
    async with lock:
        shared = _SHARED.get(loop)
        if shared is None or shared.http_client.is_closed:
            # Building it loads the CA bundle, and the first request and connection read import modules
            # lazily: do all that in a thread, not on the event loop.
            http_client = await asyncio.to_thread(_prepare)
            shared = _SHARED[loop] = _Shared(http_client, asyncio.Semaphore(MAX_IN_FLIGHT), {})
    return shared


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


async def async_client(sendpulse_conn_id: str) -> AsyncSendPulseClient:
    """The loop's client for the connection, on its shared HTTP pool and request cap.

    Nothing to close: the client and the pool outlive the trigger. A failed connection read is not
    kept: the next call reads again.
    """
    shared = await _shared()  # first: it imports the hook and client in a thread
    now = time.monotonic()
    entry = shared.clients.get(sendpulse_conn_id)
    if entry is None or now - entry[0] > CLIENT_TTL:
        entry = (now, asyncio.get_running_loop().create_task(_new_client(sendpulse_conn_id, shared)))
        shared.clients[sendpulse_conn_id] = entry
        entry[1].add_done_callback(lambda task: _forget_failed(shared, sendpulse_conn_id, entry))
    # Shielded: a trigger cancelled while the connection is read does not fail the others waiting for it.
    return await asyncio.shield(entry[1])


async def _new_client(sendpulse_conn_id: str, shared: _Shared) -> AsyncSendPulseClient:
    from airflow_provider_sendpulse.hooks.sendpulse import SendPulseHook

    hook = SendPulseHook(sendpulse_conn_id=sendpulse_conn_id)
    return await hook.get_async_client(http_client=shared.http_client, in_flight=shared.in_flight)


def _forget_failed(
    shared: _Shared, sendpulse_conn_id: str, entry: tuple[float, asyncio.Task[AsyncSendPulseClient]]
) -> None:
    task = entry[1]
    failed = task.cancelled() or task.exception() is not None  # exception(): retrieved, even if unawaited
    if failed and shared.clients.get(sendpulse_conn_id) is entry:
        del shared.clients[sendpulse_conn_id]
