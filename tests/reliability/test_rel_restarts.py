"""Triggerer restarts under load: triggers killed mid-poll hundreds of times while subscribers keep arriving.

tests/triggers/test_tr_exactly_once.py explores short random plans with hypothesis; this is the stress
variant: a producer adds contacts continuously, the "triggerer" kills its trigger at random moments (often
in the middle of an HTTP request), sometimes after the trigger fired but before the cursor was committed,
and 10% of the polling requests fail. Every contact must be delivered exactly once, in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from typing import Any

import pytest

from airflow_provider_sendpulse.emulator.control import EmulatorControl
from airflow_provider_sendpulse.events import drive, get_event_source
from airflow_provider_sendpulse.hooks.sendpulse import SendPulseHook
from airflow_provider_sendpulse.triggers.events import SendPulseEventTrigger

ROUNDS = 250
"""Batches of contacts the producer adds."""
MIN_RESTARTS = 50
"""Restarts the run must at least see (fewer on a loaded machine, where each poll takes longer)."""


@pytest.mark.slow
@pytest.mark.stress
@pytest.mark.parametrize("seed", [1, 2])
def test_restarts_mid_poll_deliver_every_event_once(
    emulator: EmulatorControl, rel_conn: str, seed: int
) -> None:
    rng = random.Random(seed)
    list_id = emulator.create_list("restarts")
    emulator.seed_contacts(list_id, 30, "base")
    source = get_event_source("new_subscriber", {"list_id": list_id})
    committed: dict[str, Any] = SendPulseEventTrigger(
        event_type="new_subscriber",
        event_params={"list_id": list_id},
        sendpulse_conn_id=rel_conn,
        cursor=drive(SendPulseHook(rel_conn).get_conn(), source.poll(None, 10)).cursor,
        poll_interval=0.01,
        max_events=rng.randint(3, 40),
        fail_on_error=True,
        max_errors=1,
    ).serialize()[1]
    for n, status in enumerate((500, 503)):
        emulator.add_fault(
            method="GET",
            path="/addressbooks/*/emails**",
            status=status,
            times=None,
            probability=0.05,
            seed=seed * 10 + n,
        )
    emulator.add_fault(
        method="GET",
        path="/addressbooks/*/emails**",
        drop=True,
        times=None,
        probability=0.05,
        seed=seed * 10 + 9,
    )
    added: list[str] = []
    delivered: list[str] = []
    counts = {"restarts": 0, "killed_mid_poll": 0, "lost_before_commit": 0, "error_events": 0, "batches": 0}

    async def produce() -> None:
        size = 30
        for index in range(ROUNDS):
            count = rng.randint(1, 6)
            prefix = f"r{index}-"
            added.extend(f"{prefix}{k}@example.com" for k in range(size, size + count))
            size = await asyncio.to_thread(emulator.seed_contacts, list_id, count, prefix)
            await asyncio.sleep(rng.uniform(0, 0.02))

    async def consume(producer: asyncio.Task[None]) -> None:
        nonlocal committed
        while not producer.done() or len(delivered) < len(added):
            counts["restarts"] += 1
            run = SendPulseEventTrigger(**committed).run()  # a (re)started triggerer rebuilds it from kwargs
            try:
                event = await asyncio.wait_for(run.__anext__(), rng.choice([0.003, 0.01, 0.03, 0.2, 1.0]))
            except TimeoutError:
                counts["killed_mid_poll"] += 1
                continue
            finally:
                with contextlib.suppress(Exception):
                    await run.aclose()
            payload = event.payload
            if payload["status"] == "error":
                counts["error_events"] += 1
                continue
            assert payload["status"] == "success", payload
            if rng.random() < 0.2:
                counts["lost_before_commit"] += 1  # fired, but the triggerer died before the task resumed
                continue
            counts["batches"] += 1
            delivered.extend(e["email"] for e in payload["events"])
            committed = dict(committed, cursor=payload["cursor"])

    async def scenario() -> None:
        producer = asyncio.create_task(produce())
        await asyncio.wait_for(consume(producer), 120)
        await producer

    asyncio.run(scenario())
    assert delivered == added
    assert len(set(delivered)) == len(delivered)
    assert counts["restarts"] >= MIN_RESTARTS, counts
    assert counts["killed_mid_poll"] > 0, counts
    assert counts["lost_before_commit"] > 0, counts
