"""The operators inside real DAG runs (``dag.test()`` with a migrated SQLite metadata database)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from account_zone import emulator_connection

pytestmark = pytest.mark.integration

DAG_FILE = Path(__file__).parent / "dags" / "sendpulse_operators_dag.py"


@pytest.fixture(scope="module")
def airflow_env(dag_test_env: Callable[[Path], dict[str, str]]) -> dict[str, str]:
    return dag_test_env(DAG_FILE)


def run_dag(env: dict[str, str], emulator_url: str, export: Path) -> dict[str, Any]:
    run_env = {
        **env,
        "AIRFLOW_CONN_SENDPULSE_DEFAULT": json.dumps(emulator_connection(emulator_url)),
        "SENDPULSE_TEST_EXPORT": str(export),
    }
    dag_file = Path(env["AIRFLOW__CORE__DAGS_FOLDER"]) / DAG_FILE.name
    done = subprocess.run(
        [sys.executable, str(dag_file)], env=run_env, capture_output=True, text=True, timeout=240
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, f"dag.test() printed no result:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    result: dict[str, Any] = json.loads(lines[-1].removeprefix("RESULT "))
    return result


def test_dag_run_with_a_crash_after_campaign_creation(
    airflow_env: dict[str, str], emulator: Any, tmp_path: Path
) -> None:
    export = tmp_path / "members.csv"
    result = run_dag(airflow_env, emulator.url, export)

    assert result["state"] == "success", result
    tasks = result["tasks"]
    assert all(state == "success" for state, _ in tasks.values()), tasks
    assert tasks["create_campaign"][1] == 2  # the first try died after creating the campaign

    state = emulator.state()
    [campaign] = state["campaigns"]
    run_id = result["run_id"]
    assert campaign["name"] == f"airflow sendpulse_operators_it.create_campaign {run_id}"
    [book] = state["lists"]
    assert book["total"] == 30
    assert campaign["list_ids"] == [book["id"]]

    xcoms = result["xcoms"]
    url = f"{emulator.url}/_emulator/campaigns/{campaign['id']}"
    assert xcoms["create_campaign.campaign_id"] == campaign["id"]
    assert xcoms["create_campaign.campaign_url"] == url
    assert xcoms["create_campaign._link_SendPulseCampaignLink"] == url
    assert xcoms["create_campaign.return_value"]["created"] is False
    assert xcoms["add_contacts.return_value"]["added"] == 30
    assert xcoms["stats.return_value"]["id"] == campaign["id"]
    assert xcoms["export.return_value"]["count"] == 30
    assert len(export.read_text().splitlines()) == 31
    assert xcoms["sms.return_value"]["emulate"] is True
    assert [s["phones"] for s in state["sms_campaigns"]] == [["380931234567"]]
    assert isinstance(xcoms["balance.return_value"], dict)
