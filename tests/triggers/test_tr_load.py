"""Many event triggers in one event loop: each delivers its batch while the others poll.

The emulator runs in its own process here, so its work does not compete with the loop under test
for the interpreter lock. The heap left by importing Airflow is frozen first (``gc.freeze()``): a full
collection over it pauses any process holding it, whatever its triggers do, and is not what is measured.
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import json
import time
from typing import Any

import pytest
from wire_audit import collect

from airflow_provider_sendpulse.emulator.config import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from airflow_provider_sendpulse.emulator.control import EmulatorControl
from airflow_provider_sendpulse.triggers.events import SendPulseEventTrigger

pytestmark = pytest.mark.slow


async def deliver_all(
    triggers: list[SendPulseEventTrigger], control: EmulatorControl, lists: list[int]
) -> tuple[int, float]:
    """Run the triggers until each has fired once for contacts added after every first poll.

    Returns the batches fired and the longest lateness of a 10 ms tick seen meanwhile (reported, not
    judged: the stall budget is a ``make bench`` target, measured on an otherwise idle machine).
    """
    fired = 0

    async def consume(trigger: SendPulseEventTrigger) -> None:
        nonlocal fired
        async for _event in trigger.run():
            fired += 1

    def first_polls_done() -> bool:
        # Each trigger's first poll records the position with one count request.
        counts = [r for r in control.requests() if r["path"].endswith("/emails/total")]
        return len(counts) >= len(triggers)

    loop = asyncio.get_running_loop()
    worst = 0.0
    tasks = [asyncio.create_task(consume(t)) for t in triggers]
    deadline = time.monotonic() + 120
    added = False
    try:
        while fired < len(triggers) and time.monotonic() < deadline:
            before = time.perf_counter()
            await asyncio.sleep(0.01)
            worst = max(worst, time.perf_counter() - before - 0.01)
            if not added and await loop.run_in_executor(None, first_polls_done):
                added = True
                for list_id in lists:  # non-idle polls too
                    loop.run_in_executor(None, control.seed_contacts, list_id, 150, "new")
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return fired, worst


def test_200_triggers_in_one_loop_each_deliver_their_batch(
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
        control.clear_requests()
        triggers = [
            SendPulseEventTrigger(
                event_type="new_subscriber",
                event_params={"list_id": lists[i % len(lists)]},
                sendpulse_conn_id="sendpulse_load",
                poll_interval=1.0,
            )
            for i in range(200)
        ]
        # The client loads on a triggerer's first SendPulse poll, once per process; load it first.
        importlib.import_module("airflow_provider_sendpulse.client.async_client")
        gc.collect()
        gc.freeze()
        try:
            fired, stall = asyncio.run(deliver_all(triggers, control, lists))
        finally:
            gc.unfreeze()
        collect(control.requests())  # this emulator runs in another process
    print(f"200 triggers: {fired} batches fired; longest event-loop lateness {stall * 1000:.1f} ms")
    assert fired >= len(triggers), f"only {fired} of {len(triggers)} triggers delivered their batch"
