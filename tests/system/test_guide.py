"""Walk docs/develop-against-the-emulator.md step by step: its commands, its code, its DAG, in its order.

Each step is the fenced block after a ``<!-- guide: <step> -->`` marker. Only the port and the list id are
substituted (the test picks a free port; the list id is whatever the emulator gave).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from airflow_stack import AIRFLOW, free_port

pytestmark = pytest.mark.integration

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "develop-against-the-emulator.md"
GUIDE_PORT = "8089"


def guide_steps() -> dict[str, str]:
    """Step name -> the text of the fenced block that follows its marker."""
    text = GUIDE.read_text()
    found = re.findall(r"<!-- guide: (\w+) -->\n```\w*\n(.*?)\n```", text, re.S)
    return dict(found)


def test_the_guide_has_every_step() -> None:
    assert list(guide_steps()) == ["start", "environment", "data", "dag", "run", "subscribe"]


def test_walk_the_guide(tmp_path: Path) -> None:
    steps = guide_steps()
    port = str(free_port())

    def local(text: str) -> str:
        return text.replace(GUIDE_PORT, port)

    # 1. Start the emulator with the guide's command.
    command = shlex.split(local(steps["start"]))
    assert command[0] == "python"
    emulator_process = subprocess.Popen(
        [sys.executable, *command[1:]], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/_emulator/clock", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        # 2. The environment the guide exports.
        env = {**os.environ}
        for line in local(steps["environment"]).splitlines():
            name, _, value = line.removeprefix("export ").partition("=")
            env[name] = shlex.split(value)[0]
        home = tmp_path / "airflow"
        dags = home / "dags"
        dags.mkdir(parents=True)
        env.update(
            AIRFLOW_HOME=str(home),
            AIRFLOW__CORE__DAGS_FOLDER=str(dags),
            AIRFLOW__CORE__LOAD_EXAMPLES="False",
            AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{home}/airflow.db",
        )
        subprocess.run([AIRFLOW, "db", "migrate"], env=env, check=True, capture_output=True, timeout=300)

        # 3. Data through the admin API.
        namespace: dict[str, Any] = {}
        exec(local(steps["data"]), namespace)  # noqa: S102 - the guide's own code is what is tested
        emulator, list_id = namespace["emulator"], namespace["list_id"]

        # 4. The DAG, saved in the DAGs folder and run with the guide's command.
        (dags / "welcome_by_sms.py").write_text(steps["dag"])
        run_command = shlex.split(steps["run"].replace('"list_id": 1', f'"list_id": {list_id}'))
        assert run_command[:3] == ["airflow", "dags", "test"]
        run = subprocess.Popen(
            [AIRFLOW, *run_command[1:]], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        total = f"/addressbooks/{list_id}/emails/total"
        deadline = time.monotonic() + 240
        while sum(r["path"] == total for r in emulator.requests()) < 2:  # the sensor, then its trigger
            assert run.poll() is None, run.communicate()[0][-4000:]
            assert time.monotonic() < deadline, "the sensor never polled"
            time.sleep(0.2)

        # 5. Subscribers arrive after the first poll recorded the position.
        exec(steps["subscribe"], namespace)  # noqa: S102
        output, _ = run.communicate(timeout=300)
        assert run.returncode == 0, output[-4000:]
        sms = emulator.state()["sms_campaigns"]
        assert [(s["sender"], s["phones"], s["body"]) for s in sms] == [
            ("Shop", ["380501234567"], "Welcome, Ann!")
        ]
        assert "moved while waiting" not in output
    finally:
        emulator_process.terminate()
        emulator_process.wait(timeout=10)
