"""End to end on real Airflow processes: scheduler, triggerer, DAG processor and API server on SQLite.

Runs the example DAGs `sendpulse_new_subscribers` (a deferrable sensor) and `sendpulse_event_driven`
(scheduled by an AssetWatcher) against the emulator, and checks that the sensor really deferred to the
triggerer, the triggers fired on the new subscribers, the downstream tasks ran, and the runs succeeded.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from airflow_stack import EXAMPLE_DAGS, AirflowStack, airflow_stack, emulator_connection_env

from airflow_provider_sendpulse.client import Contact, SendPulseClient, api
from airflow_provider_sendpulse.client.core import ClientConfig
from airflow_provider_sendpulse.emulator import run_emulator
from airflow_provider_sendpulse.emulator.config import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from airflow_provider_sendpulse.emulator.control import EmulatorControl

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(600)]

SIGNUPS = [
    Contact("ana.signup@example.com", {"Name": "Ana", "Phone": "380501112233"}),
    Contact("ben.signup@example.com", {"Name": "Ben"}),
    Contact("chen.signup@example.com", {"Name": "Chen", "Phone": "380671234567"}),
]


def wait_until(check: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(1)
    raise TimeoutError(f"timed out after {timeout} s waiting for {what}")


def first_run(stack: AirflowStack, dag_id: str) -> str | None:
    rows = stack.query("SELECT run_id FROM dag_run WHERE dag_id = ? ORDER BY id", dag_id)
    return str(rows[0][0]) if rows else None


def test_sensor_and_asset_watcher_on_real_airflow(tmp_path: Path) -> None:
    with run_emulator(rate_limit=10) as url, EmulatorControl(url) as emulator:
        list_id = emulator.create_list("Welcome list")
        env = {
            **emulator_connection_env(url, poll_interval=2),
            "AIRFLOW_VAR_SENDPULSE_WELCOME_LIST_NAME": "Welcome list",
            "AIRFLOW_VAR_SENDPULSE_SMS_SENDER": "Acme",
            "SENDPULSE_WATCHED_LIST_ID": str(list_id),
        }
        with airflow_stack(tmp_path, EXAMPLE_DAGS, env) as stack:
            for dag_id in ("sendpulse_new_subscribers", "sendpulse_event_driven"):
                stack.wait_for_dag(dag_id)
                stack.cli("dags", "unpause", dag_id)

            # The continuous DAG starts a run by itself once unpaused; its sensor records the list's
            # position and defers. The watcher records its own position in the asset state store.
            run_id = wait_until(lambda: first_run(stack, "sendpulse_new_subscribers"), 120, "a run")
            wait_until(
                lambda: (
                    ("wait_for_new_subscribers", "deferred")
                    in stack.task_events("sendpulse_new_subscribers", run_id)
                ),
                180,
                "the sensor to defer",
            )
            wait_until(lambda: stack.query("SELECT 1 FROM asset_state_store"), 180, "the watcher's baseline")

            client = SendPulseClient(
                ClientConfig(base_url=url, client_id=DEFAULT_CLIENT_ID, client_secret=DEFAULT_CLIENT_SECRET)
            )
            client.run(api.add_contacts(list_id, SIGNUPS))

            assert stack.wait_for_run("sendpulse_new_subscribers", run_id, timeout=300) == "success"
            events = stack.task_events("sendpulse_new_subscribers", run_id)
            sensor_events = [event for task, event in events if task == "wait_for_new_subscribers"]
            assert sensor_events[:2] == ["running", "deferred"]
            assert sensor_events[-1] == "success"
            trigger_log = stack.task_log(
                "sendpulse_new_subscribers", run_id, "wait_for_new_subscribers", ".trigger"
            )
            assert "Trigger fired event" in trigger_log
            sms_tasks = [event for task, event in events if task == "send_welcome_sms" and event == "success"]
            assert len(sms_tasks) == 2, events

            sent = emulator.state()["sms_campaigns"]
            assert sorted(phone for sms in sent for phone in sms["phones"]) == [
                "380501112233",
                "380671234567",
            ]

            driven = wait_until(
                lambda: first_run(stack, "sendpulse_event_driven"), 180, "an event-driven run"
            )
            assert stack.wait_for_run("sendpulse_event_driven", driven, timeout=180) == "success"
            greet_log = stack.task_log("sendpulse_event_driven", driven, "greet_new_subscribers")
            assert "3 new subscribers in this run" in greet_log
