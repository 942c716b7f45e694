"""SendPulseEventSensor on CRM event types, against the emulator (Variables kept in memory)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from airflow.providers.common.compat.sdk import PokeReturnValue, TaskDeferred
from se_helpers import make_context

from airflow_provider_sendpulse.emulator.control import EmulatorControl
from airflow_provider_sendpulse.sensors.events import SendPulseEventSensor


@pytest.fixture
def funnel(emulator: EmulatorControl, sendpulse_conn: str) -> tuple[int, list[int]]:
    pipeline = emulator.add_pipeline("Sales", ["New", "Won"])
    return int(pipeline["id"]), [int(s["id"]) for s in pipeline["steps"]]


def test_deal_won_in_poke_mode_fires_once_per_deal(
    emulator: EmulatorControl, funnel: tuple[int, list[int]], variables: dict[str, Any]
) -> None:
    pipeline_id, steps = funnel
    ids = emulator.seed_deals(3, pipeline_id, steps[0])
    sensor = SendPulseEventSensor(
        task_id="sense", event_type="deal_won", event_params={"pipeline_id": pipeline_id}, mode="reschedule"
    )
    assert sensor.poke(make_context()) is False  # records the position
    emulator.advance_clock(1)
    emulator.win_deal(ids[1])
    done = sensor.poke(make_context())
    assert isinstance(done, PokeReturnValue)
    assert [(e["id"], e["event"]) for e in done.xcom_value] == [(ids[1], "deal_won")]
    assert sensor.poke(make_context("manual__2")) is False
    assert list(variables) == [f"sendpulse_cursor.sendpulse_default.deal_won.pipeline-{pipeline_id}"]


def test_deal_stage_changed_defers_and_the_trigger_finds_the_move(
    emulator: EmulatorControl, funnel: tuple[int, list[int]], variables: dict[str, Any]
) -> None:
    pipeline_id, steps = funnel
    ids = emulator.seed_deals(2, pipeline_id, steps[0])
    sensor = SendPulseEventSensor(
        task_id="sense",
        event_type="deal_stage_changed",
        event_params={"step_id": steps[1]},
        deferrable=True,
        poke_interval=0.05,
    )
    with pytest.raises(TaskDeferred) as deferred:
        sensor.execute(make_context())
    emulator.advance_clock(1)
    emulator.move_deal(ids[0], steps[1])

    async def first_event() -> dict[str, Any]:
        run = deferred.value.trigger.run()
        event = await asyncio.wait_for(run.__anext__(), 10)
        await run.aclose()
        return dict(event.payload)

    payload = asyncio.run(first_event())
    events = sensor.execute_complete(make_context(), {**payload})
    assert [(e["id"], e["previous_step_id"], e["new_step_id"]) for e in events] == [
        (ids[0], steps[0], steps[1])
    ]
