"""Exactly once across restarts: triggers rebuilt from their serialized kwargs while contacts arrive."""

from __future__ import annotations

import asyncio
import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tr_helpers import DeferredSensor

from airflow_provider_sendpulse.emulator.control import EmulatorControl
from airflow_provider_sendpulse.events import Cursor, drive, get_event_source
from airflow_provider_sendpulse.hooks.sendpulse import SendPulseHook

_lists = itertools.count()

steps = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.integers(1, 30)),
        st.tuples(st.just("take"), st.just(0)),  # deliver the next batch and commit its cursor
        st.tuples(st.just("crash"), st.just(0)),  # take a batch, die before committing it
        st.tuples(st.just("restart"), st.just(0)),  # triggerer restart: same kwargs again
    ),
    min_size=1,
    max_size=12,
)


def deferred_sensor(conn: str, list_id: int, cursor: Cursor, max_events: int) -> DeferredSensor:
    """A deferred ``new_subscriber`` sensor on ``list_id``."""
    return DeferredSensor(
        "email",
        event_type="new_subscriber",
        event_params={"list_id": list_id},
        sendpulse_conn_id=conn,
        cursor=cursor,
        poll_interval=0.02,
        max_events=max_events,
        fail_on_error=True,
    )


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=steps, max_events=st.integers(1, 25))
def test_every_contact_is_delivered_once(
    emulator: EmulatorControl, fast_conn: str, plan: list[tuple[str, int]], max_events: int
) -> None:
    list_id = emulator.create_list(f"exactly-once-{next(_lists)}")
    emulator.seed_contacts(list_id, 10, "base")
    source = get_event_source("new_subscriber", {"list_id": list_id})
    cursor = drive(SendPulseHook(fast_conn).get_conn(), source.poll(None, max_events)).cursor
    runner = deferred_sensor(fast_conn, list_id, cursor, max_events)
    added: list[str] = []

    async def scenario() -> None:
        size = 10
        for index, (step, n) in enumerate(plan):
            if step == "add":
                prefix = f"s{index}-"
                added.extend(f"{prefix}{k}@example.com" for k in range(size, size + n))
                size = await asyncio.to_thread(emulator.seed_contacts, list_id, n, prefix)
            elif step == "take":
                await runner.take()
            elif step == "crash":
                await runner.next_batch(0.4)
                runner.restart()
            else:
                runner.restart()
        for _ in range(200):
            if not await runner.take(1.0) and len(runner.delivered) >= len(added):
                break

    asyncio.run(scenario())
    assert runner.delivered == added
