"""Cancelled trigger requests: 10,000 cancellations in the middle of requests leave the loop's pool whole.

A triggerer cancels triggers all the time (timeouts, reschedules, triggers moved to another triggerer).
Here trigger requests on the shared HTTP pool of one event loop are cancelled while connecting, sending
or reading, 10,000 times, with the emulator (in its own process) dropping a quarter of the connections
so that new ones keep being opened. httpcore's trace hooks say where each request was when its task
was cancelled. Afterwards the pool must still serve as many requests at once as it has connections,
and the open connections to the emulator must be back to what they were before.
"""

from __future__ import annotations

import asyncio
import collections
import contextvars
import json
import random
from typing import Any
from urllib.parse import urlsplit

import httpx
import psutil
import pytest
from account_zone import emulator_connection
from wire_audit import collect

from airflow_provider_sendpulse.client import api
from airflow_provider_sendpulse.client.async_client import AsyncSendPulseClient
from airflow_provider_sendpulse.client.errors import SendPulseError
from airflow_provider_sendpulse.emulator.control import EmulatorControl
from airflow_provider_sendpulse.triggers._client import MAX_IN_FLIGHT, async_client, shared_http_client

pytestmark = pytest.mark.slow

CANCELLATIONS = 10_000
"""Trigger requests cancelled while connecting, sending or reading."""
CALLERS = 3 * MAX_IN_FLIGHT
"""Trigger requests under way at once: more than the pool has connections."""
PHASES = {
    "connection.connect_tcp": "connecting",
    "http11.send_request_headers": "sending",
    "http11.send_request_body": "sending",
    "http11.receive_response_headers": "reading",
    "http11.receive_response_body": "reading",
    "http11.response_closed": "closing",
}
"""httpcore trace steps, by the phase of a request they belong to."""
IN_FLIGHT = ("connecting", "sending", "reading")

CONN_ID = "sendpulse_cancel"


class Probe:
    """Follows one request through httpcore's trace hooks; cancels ``caller`` once it reaches ``target``.

    With no ``delay`` the caller is cancelled as the step starts (sending on loopback takes no longer
    than that); otherwise that many seconds later, wherever the request then is.
    """

    def __init__(self, caller: asyncio.Task[Any] | None = None, target: str = "", delay: float = 0.0) -> None:
        self.caller = caller
        self.target = target
        self.delay = delay
        self.phase = "queued"
        self.cancelled_in: str | None = None

    async def trace(self, event: str, info: dict[str, Any]) -> None:
        step, _, stage = event.rpartition(".")
        if stage != "started" or step not in PHASES:
            return
        self.phase = PHASES[step]
        if self.phase == self.target and self.cancelled_in is None:
            if self.delay:
                asyncio.get_running_loop().call_later(self.delay, self._cancel)
            else:
                self._cancel()

    def _cancel(self) -> None:
        if self.caller is not None and not self.caller.done():
            self.cancelled_in = self.phase
            self.caller.cancel()


PROBE: contextvars.ContextVar[Probe] = contextvars.ContextVar("probe")


class TracingTransport(httpx.AsyncBaseTransport):
    """The pool's own transport, with the probe of the calling trigger request hooked into each request."""

    def __init__(self, pool: httpx.AsyncBaseTransport) -> None:
        self.pool = pool

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        probe = PROBE.get(None)
        if probe is not None:
            request.extensions["trace"] = probe.trace
        return await self.pool.handle_async_request(request)

    async def aclose(self) -> None:
        await self.pool.aclose()


def open_connections(port: int) -> int:
    """TCP connections of this process to the emulator."""
    return sum(1 for c in psutil.Process().net_connections("tcp") if c.raddr and c.raddr.port == port)


async def run_probed(client: AsyncSendPulseClient, call: api.Call[Any], probe: Probe) -> Any:
    PROBE.set(probe)  # the request's own task copies this context, so its trace hooks see the probe
    return await client.run(call)


async def most_answers_awaited_at_once(client: AsyncSendPulseClient, count: int) -> int:
    """Send ``count`` slow requests at once; the most that were waiting for their answers together."""
    probes = [Probe() for _ in range(count)]
    tasks = [asyncio.create_task(run_probed(client, api.get_user_info(), probe)) for probe in probes]
    most = 0
    while not all(task.done() for task in tasks):
        most = max(most, sum(1 for probe in probes if probe.phase == "reading"))
        await asyncio.sleep(0.01)
    await asyncio.gather(*tasks)  # and every one of them was answered
    return most


def test_10000_cancelled_trigger_requests_leave_the_pool_whole(
    emulator_process: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    connection = emulator_connection(
        emulator_process, max_requests_per_second=100_000, max_retries=0, timeout=10
    )
    monkeypatch.setenv(f"AIRFLOW_CONN_{CONN_ID.upper()}", json.dumps(connection))
    port = urlsplit(emulator_process).port or 80
    rng = random.Random(7)
    cancelled: collections.Counter[str] = collections.Counter()
    outcomes: collections.Counter[str] = collections.Counter()

    with EmulatorControl(emulator_process) as control:
        control.reset()
        list_id = control.create_list("cancel")
        control.seed_contacts(list_id, 10)
        control.add_fault(method="GET", path="/user/info", delay=0.5, times=None)
        # A quarter of the polls lose their connection, so that new ones are opened all the time.
        control.add_fault(
            method="GET", path="/addressbooks/*/emails/total", drop=True, times=None, probability=0.25, seed=3
        )
    # (closed: from here on every connection to the emulator is the pool's)

    async def scenario() -> tuple[int, int, int, int]:
        http = await shared_http_client()
        monkeypatch.setattr(http, "_transport", TracingTransport(http._transport))
        client = await async_client(CONN_ID)
        baseline_readers = await most_answers_awaited_at_once(client, MAX_IN_FLIGHT)
        baseline = open_connections(port)

        async def caller() -> None:
            # Bounded: with a pool that lost its connections, requests only time out and the test ends.
            while (
                sum(cancelled[phase] for phase in IN_FLIGHT) < CANCELLATIONS
                and sum((cancelled + outcomes).values()) < 3 * CANCELLATIONS
            ):
                delay = rng.choice((0.0, rng.uniform(0, 0.001)))
                probe = Probe(target=rng.choice(IN_FLIGHT), delay=delay)
                task = asyncio.create_task(run_probed(client, api.count_contacts(list_id), probe))
                probe.caller = task
                try:
                    await task
                    outcomes["answered"] += 1
                except asyncio.CancelledError:
                    cancelled[probe.cancelled_in or "unknown"] += 1
                except SendPulseError as error:
                    outcomes["timed out" if "timed out" in str(error) else "dropped by the emulator"] += 1

        await asyncio.gather(*(caller() for _ in range(CALLERS)))
        readers = await most_answers_awaited_at_once(client, MAX_IN_FLIGHT)
        return baseline_readers, baseline, readers, open_connections(port)

    baseline_readers, baseline, readers, after = asyncio.run(scenario())
    with EmulatorControl(emulator_process) as control:
        # The wire audit (this emulator runs in another process): each distinct request once.
        distinct = {(r["method"], r["path"], r.get("query"), r.get("body")): r for r in control.requests()}
        collect(distinct.values())

    print(f"cancelled: {dict(cancelled)}; not cancelled: {dict(outcomes)}")
    print(f"answers awaited at once: {baseline_readers} before, {readers} after (cap {MAX_IN_FLIGHT})")
    print(f"connections to the emulator: {baseline} before, {after} after")
    assert not outcomes["timed out"], "requests timed out waiting for a pooled connection"
    assert sum(cancelled[phase] for phase in IN_FLIGHT) >= CANCELLATIONS
    for phase in IN_FLIGHT:
        assert cancelled[phase] >= CANCELLATIONS // 20, (phase, dict(cancelled))
    assert baseline_readers == MAX_IN_FLIGHT
    assert readers == MAX_IN_FLIGHT, "the pool lost connections to cancelled requests"
    assert baseline == after == MAX_IN_FLIGHT
