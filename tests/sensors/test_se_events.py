"""SendPulseEventSensor through execute()/poke() against the emulator, Variables kept in memory."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest
from airflow.providers.common.compat.sdk import (
    AirflowException,
    AirflowSensorTimeout,
    AirflowSkipException,
    PokeReturnValue,
    TaskDeferred,
)
from se_helpers import make_context

from airflow_provider_sendpulse.client.errors import SendPulseNotFoundError
from airflow_provider_sendpulse.emulator.control import EmulatorControl
from airflow_provider_sendpulse.sensors import cursor_store
from airflow_provider_sendpulse.sensors.events import SendPulseEventSensor
from airflow_provider_sendpulse.triggers.events import SendPulseEventTrigger


def sensor(list_id: int, **kwargs: Any) -> SendPulseEventSensor:
    kwargs.setdefault("deferrable", True)
    return SendPulseEventSensor(task_id="sense", event_type="new_subscriber", list_id=list_id, **kwargs)


def emails(events: list[dict[str, Any]]) -> list[str]:
    return [e["email"] for e in events]


@pytest.fixture
def list_id(emulator: EmulatorControl, sendpulse_conn: str) -> int:
    list_id = emulator.create_list("sensor")
    emulator.seed_contacts(list_id, 100, "old")
    return list_id


def test_defaults() -> None:
    s = SendPulseEventSensor(task_id="s", event_type="new_campaign")
    assert s.deferrable is False  # [operators] default_deferrable, False unless configured
    assert s.poke_interval == 300
    assert s.cursor_key() == "sendpulse_cursor.sendpulse_default.new_campaign.campaigns"
    with pytest.raises(ValueError, match="min_events"):
        SendPulseEventSensor(task_id="s", event_type="new_campaign", min_events=3, max_events=2)
    with pytest.raises(ValueError, match="start_from"):
        SendPulseEventSensor(task_id="s", event_type="new_campaign", start_from="today")


def test_first_run_records_position_then_defers(
    emulator: EmulatorControl, list_id: int, variables: dict[str, Any]
) -> None:
    s = sensor(list_id, timeout=600)
    with pytest.raises(TaskDeferred) as deferred:
        s.execute(make_context())
    key = f"sendpulse_cursor.sendpulse_default.new_subscriber.list-{list_id}"
    assert variables[key]["cursor"]["offset"] == 100
    trigger = deferred.value.trigger
    assert isinstance(trigger, SendPulseEventTrigger)
    kwargs = trigger.serialize()[1]
    assert kwargs["cursor"] == variables[key]["cursor"]
    assert kwargs["fail_on_error"] is True
    assert kwargs["deadline"] == pytest.approx(time.time() + 600, abs=5)
    assert deferred.value.method_name == "execute_complete"
    assert deferred.value.kwargs == {"start_cursor": kwargs["cursor"], "deadline": kwargs["deadline"]}

    emulator.seed_contacts(list_id, 2, "new")
    event = {"status": "success", "events": [{"email": "x"}], "cursor": {"v": 1, "type": "new_subscriber"}}
    result = s.execute_complete(make_context(), event, **deferred.value.kwargs)
    assert result == [{"email": "x"}]
    assert variables[key]["cursor"] == event["cursor"]
    delivered = variables[key]["delivered"]
    assert (delivered["task_instance"], delivered["count"]) == ("dag/manual__1/sense/-1", 1)
    assert cursor_store.unseal(delivered["sealed"]) == result


def test_events_already_waiting_are_returned_without_deferring(
    emulator: EmulatorControl, list_id: int, variables: dict[str, Any]
) -> None:
    s = sensor(list_id, max_events=2)
    with pytest.raises(TaskDeferred):
        s.execute(make_context("run1"))
    emulator.seed_contacts(list_id, 3, "new")
    assert emails(s.execute(make_context("run2"))) == ["new100@example.com", "new101@example.com"]
    assert emails(s.execute(make_context("run3"))) == ["new102@example.com"]


def test_a_retry_of_the_same_task_instance_gets_the_same_batch(
    emulator: EmulatorControl, list_id: int, variables: dict[str, Any]
) -> None:
    s = sensor(list_id)
    with pytest.raises(TaskDeferred):
        s.execute(make_context("run1"))
    emulator.seed_contacts(list_id, 2, "new")
    first = s.execute(make_context("run2"))
    emulator.seed_contacts(list_id, 1, "later")
    assert s.execute(make_context("run2")) == first  # the same task instance, tried again
    assert emails(s.execute(make_context("run3"))) == ["later102@example.com"]


def test_cursor_moved_by_another_run_while_deferred(
    emulator: EmulatorControl, list_id: int, variables: dict[str, Any]
) -> None:
    s = sensor(list_id)
    with pytest.raises(TaskDeferred) as deferred:
        s.execute(make_context("run1"))
    emulator.seed_contacts(list_id, 2, "new")
    other = s.execute(make_context("run2"))  # another DAG run takes the two contacts meanwhile
    stale = {"status": "success", "events": other, "cursor": {"v": 1, "type": "new_subscriber"}}
    with pytest.raises(TaskDeferred):  # nothing left for run1: it waits again instead of repeating them
        s.execute_complete(make_context("run1"), stale, **deferred.value.kwargs)


async def first_event(trigger: SendPulseEventTrigger) -> dict[str, Any]:
    run = trigger.run()
    try:
        event = await asyncio.wait_for(run.__anext__(), 30)
    finally:
        await run.aclose()
    payload: dict[str, Any] = event.payload
    return payload


def test_an_uncontended_batch_is_committed_without_polling_again(
    emulator: EmulatorControl, list_id: int, variables: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    s = sensor(list_id, poke_interval=0.2)
    with pytest.raises(TaskDeferred) as deferred:
        s.execute(make_context())
    emulator.seed_contacts(list_id, 2, "new")
    event = asyncio.run(first_event(deferred.value.trigger))  # type: ignore[arg-type]
    emulator.clear_requests()
    # `airflow dags test` resumes a deferred task with the trigger's event only, not the kwargs.
    result = s.execute_complete(make_context(), event)
    assert emails(result) == ["new100@example.com", "new101@example.com"]
    assert [r for r in emulator.requests() if r["path"] != "/oauth/access_token"] == []
    assert "moved while waiting" not in caplog.text


def test_timeout_error_and_soft_fail() -> None:
    s = SendPulseEventSensor(task_id="s", event_type="new_campaign")
    with pytest.raises(AirflowSensorTimeout):
        s.execute_complete(make_context(), {"status": "timeout"})
    with pytest.raises(AirflowException, match="boom"):
        s.execute_complete(make_context(), {"status": "error", "message": "boom"})
    soft = SendPulseEventSensor(task_id="s", event_type="new_campaign", soft_fail=True)
    with pytest.raises(AirflowSkipException):
        soft.resume_execution("execute_complete", {"event": {"status": "timeout"}}, make_context())


def test_poke_mode_uses_the_same_detection(
    emulator: EmulatorControl, list_id: int, variables: dict[str, Any]
) -> None:
    s = sensor(list_id, deferrable=False, mode="reschedule", min_events=2)
    assert s.poke(make_context()) is False  # records the position
    emulator.seed_contacts(list_id, 1, "a")
    assert s.poke(make_context()) is False  # one is not enough
    emulator.seed_contacts(list_id, 1, "b")
    done = s.poke(make_context())
    assert isinstance(done, PokeReturnValue)
    assert emails(done.xcom_value) == ["a100@example.com", "b101@example.com"]


def test_start_from_beginning_and_cursor_name(
    emulator: EmulatorControl, list_id: int, variables: dict[str, Any]
) -> None:
    s = sensor(list_id, start_from="beginning", max_events=3, cursor_name="backfill")
    assert emails(s.execute(make_context())) == [f"old{n}@example.com" for n in range(3)]
    assert list(variables) == [f"sendpulse_cursor.sendpulse_default.new_subscriber.list-{list_id}.backfill"]


def test_poke_mode_execute_and_templated_list_id(
    emulator: EmulatorControl, list_id: int, variables: dict[str, Any]
) -> None:
    s = sensor(str(list_id), deferrable=False, poke_interval=0.05, timeout=5)  # type: ignore[arg-type]
    s.poke(make_context())
    emulator.seed_contacts(list_id, 1, "n")
    assert emails(s.execute(make_context())) == ["n100@example.com"]


def test_missing_list_fails_or_skips_with_never_fail(
    emulator: EmulatorControl, sendpulse_conn: str, variables: dict[str, Any]
) -> None:
    with pytest.raises(SendPulseNotFoundError):
        sensor(999_999).execute(make_context())
    with pytest.raises(AirflowSkipException):
        sensor(999_999, never_fail=True).execute(make_context())


def test_the_cursor_variable_keeps_no_email_or_phone_in_clear(
    emulator: EmulatorControl, list_id: int, variables: dict[str, Any]
) -> None:
    s = sensor(list_id)
    with pytest.raises(TaskDeferred):
        s.execute(make_context("run1"))
    emulator.seed_contacts(list_id, 2, "new", variables={"Phone": "380501234567"})
    first = s.execute(make_context("run2"))
    assert emails(first) == ["new100@example.com", "new101@example.com"]
    assert [e["phone"] for e in first] == ["380501234567", "380501234567"]  # lifted from the variables
    stored = json.dumps(variables[s.cursor_key()])
    assert "@" not in stored
    assert "example.com" not in stored
    assert "380501234567" not in stored
    assert s.execute(make_context("run2")) == first  # a retry still gets its batch back


def test_an_older_cursor_with_emails_in_clear_is_still_read(
    emulator: EmulatorControl, list_id: int, variables: dict[str, Any]
) -> None:
    s = sensor(list_id)
    key = s.cursor_key()
    old_anchors = [f"old{n}@example.com" for n in range(75, 100)]
    batch = [{"email": "old99@example.com", "event": "new_subscriber"}]
    variables[key] = {
        "cursor": {"v": 1, "type": "new_subscriber", "offset": 100, "anchors": old_anchors},
        "delivered": {"task_instance": "dag/run1/sense/-1", "events": batch},
    }
    assert s.execute(make_context("run1")) == batch  # the retry of the task that took it
    emulator.seed_contacts(list_id, 1, "new")
    assert emails(s.execute(make_context("run2"))) == ["new100@example.com"]
    assert "@" not in json.dumps(variables[key])  # rewritten without addresses


def test_without_a_fernet_key_the_batch_is_not_kept(
    emulator: EmulatorControl, list_id: int, variables: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cursor_store, "_fernet", lambda: None)
    s = sensor(list_id)
    with pytest.raises(TaskDeferred):
        s.execute(make_context("run1"))
    emulator.seed_contacts(list_id, 1, "new")
    assert emails(s.execute(make_context("run2"))) == ["new100@example.com"]
    stored = variables[s.cursor_key()]
    assert stored["delivered"] == {"task_instance": "dag/run2/sense/-1", "count": 1}
    assert "@" not in json.dumps(stored)
