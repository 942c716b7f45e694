"""The event sensor inside real DAG runs (``dag.test()``, migrated SQLite metadata database)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from account_zone import emulator_connection

from airflow_provider_sendpulse.emulator.control import EmulatorControl

pytestmark = pytest.mark.integration

DAG_FILE = Path(__file__).parent / "dags" / "sendpulse_sensor_dag.py"


@pytest.fixture(scope="module")
def airflow_env(dag_test_env: Callable[[Path], dict[str, str]]) -> dict[str, str]:
    return dag_test_env(DAG_FILE)


def add_after_first_poll(
    emulator: EmulatorControl, list_id: int, count: int, prefix: str
) -> threading.Thread:
    """Add contacts once the sensor has looked at the list (so they come after its first position)."""

    def work() -> None:
        path = f"/addressbooks/{list_id}/emails/total"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if any(r["path"] == path for r in emulator.requests()):
                time.sleep(1.5)
                emulator.seed_contacts(list_id, count, prefix)
                return
            time.sleep(0.2)

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread


def run_dag(env: dict[str, str], emulator: EmulatorControl, **settings: str) -> dict[str, Any]:
    connection = json.dumps(emulator_connection(emulator.url))
    run_env = {**env, "AIRFLOW_CONN_SENDPULSE_DEFAULT": connection, **settings}
    dag_file = Path(env["AIRFLOW__CORE__DAGS_FOLDER"]) / DAG_FILE.name
    done = subprocess.run(
        [sys.executable, str(dag_file)], env=run_env, capture_output=True, text=True, timeout=240
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, f"dag.test() printed no result:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    result: dict[str, Any] = json.loads(lines[-1].removeprefix("RESULT "))
    return result


def mapped_results(result: dict[str, Any]) -> list[str]:
    found = {
        k: v for k, v in result["xcoms"].items() if k.startswith("handle[") and k.endswith(".return_value")
    }
    return [found[k] for k in sorted(found, key=lambda k: int(k[len("handle[") : k.index("]")]))]


@pytest.mark.parametrize("mode", ["deferrable", "poke", "reschedule"])
def test_each_new_contact_reaches_one_dag_run(
    airflow_env: dict[str, str], emulator: EmulatorControl, mode: str
) -> None:
    list_id = emulator.create_list(f"sensor-{mode}")
    emulator.seed_contacts(list_id, 50, "old")
    settings = {"SP_MODE": mode, "SP_LIST_ID": str(list_id), "SP_CURSOR_NAME": f"it-{mode}"}

    adder = add_after_first_poll(emulator, list_id, 3, "first")
    first = run_dag(airflow_env, emulator, SP_LOGICAL_DATE="2026-11-01T00:00:00+00:00", **settings)
    adder.join()
    assert first["state"] == "success", first
    events = first["xcoms"]["sense[-1].return_value"]
    assert [e["email"] for e in events] == [f"first{n}@example.com" for n in range(50, 53)]
    assert all(e["list_id"] == list_id for e in events)
    assert mapped_results(first) == [e["email"] for e in events]
    assert first["cursor"]["cursor"]["offset"] == 53

    emulator.clear_requests()
    adder = add_after_first_poll(emulator, list_id, 2, "second")
    second = run_dag(airflow_env, emulator, SP_LOGICAL_DATE="2026-11-02T00:00:00+00:00", **settings)
    adder.join()
    assert second["state"] == "success", second
    assert mapped_results(second) == ["second53@example.com", "second54@example.com"]


def test_soft_fail_skips_on_timeout(airflow_env: dict[str, str], emulator: EmulatorControl) -> None:
    list_id = emulator.create_list("quiet")
    result = run_dag(
        airflow_env,
        emulator,
        SP_MODE="deferrable",
        SP_LIST_ID=str(list_id),
        SP_CURSOR_NAME="it-soft-fail",
        SP_TIMEOUT="3",
        SP_SOFT_FAIL="1",
        SP_LOGICAL_DATE="2026-11-03T00:00:00+00:00",
    )
    assert result["tasks"]["sense[-1]"] == "skipped", result
