"""Many event triggers in one event loop: the loop never stalls.

The emulator runs in its own process here, so its work does not compete with the loop under test
for the interpreter lock. The heap left by importing Airflow is frozen first (``gc.freeze()``): a full
collection over it pauses any process holding it, whatever its triggers do, and is not what is measured.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from airflow_provider_sendpulse.emulator.config import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from airflow_provider_sendpulse.emulator.control import EmulatorControl
from airflow_provider_sendpulse.triggers.events import SendPulseEventTrigger

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def emulator_process() -> Iterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "airflow_provider_sendpulse.emulator", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--rate-limit", "0", "--no-campaign-limits"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/_emulator/state", timeout=1).status_code == 200:
                    break
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


async def longest_stall(
    triggers: list[SendPulseEventTrigger], control: EmulatorControl, lists: list[int]
) -> float:
    """Run the triggers for a few seconds while contacts arrive; the longest lateness of a 10 ms tick."""
    fired = 0

    async def consume(trigger: SendPulseEventTrigger) -> None:
        nonlocal fired
        async for _event in trigger.run():
            fired += 1

    worst = 0.0
    tasks = [asyncio.create_task(consume(t)) for t in triggers]
    started = time.perf_counter()
    added = False
    while time.perf_counter() - started < 6.0:
        before = time.perf_counter()
        await asyncio.sleep(0.01)
        worst = max(worst, time.perf_counter() - before - 0.01)
        if not added and time.perf_counter() - started > 2.0:
            added = True
            for list_id in lists:  # non-idle polls too
                asyncio.get_running_loop().run_in_executor(None, control.seed_contacts, list_id, 150, "new")
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    assert fired >= len(triggers), f"only {fired} batches fired"
    return worst


def test_200_triggers_never_stall_the_loop_for_50_ms(
    emulator_process: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    connection: dict[str, Any] = {
        "conn_type": "sendpulse",
        "host": emulator_process,
        "login": DEFAULT_CLIENT_ID,
        "password": DEFAULT_CLIENT_SECRET,
        "extra": {"max_requests_per_second": 5000},
    }
    monkeypatch.setenv("AIRFLOW_CONN_SENDPULSE_LOAD", json.dumps(connection))
    with EmulatorControl(emulator_process) as control:
        lists = [control.create_list(f"load-{i}") for i in range(20)]
        for list_id in lists:
            control.seed_contacts(list_id, 1000)
        triggers = [
            SendPulseEventTrigger(
                event_type="new_subscriber",
                event_params={"list_id": lists[i % len(lists)]},
                sendpulse_conn_id="sendpulse_load",
                poll_interval=1.0,
            )
            for i in range(200)
        ]
        # The client loads on a triggerer's first SendPulse poll, once per process; load it before the
        # measured window so that the first polls all finish before contacts arrive.
        importlib.import_module("airflow_provider_sendpulse.client.async_client")
        gc.collect()
        gc.freeze()
        try:
            stall = asyncio.run(longest_stall(triggers, control, lists))
        finally:
            gc.unfreeze()
    assert stall < 0.05, f"the event loop stalled for {stall * 1000:.1f} ms"
