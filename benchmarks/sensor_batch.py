"""Requests one delivered batch costs an event sensor in a real DAG run (``dag.test()``), nobody else polling.

A fresh Airflow home (migrated SQLite) runs a DAG with one deferrable ``new_subscriber`` sensor against an
emulator process: the first run records the position, contacts are added, the second run delivers them.
The emulator's request log (token mints left out) gives the requests the second run sent, split into the
sensor's own check before deferring, the trigger's polls, and what the sensor sent after resuming.

    .venv/bin/python benchmarks/sensor_batch.py [--contacts 3] [--list-size 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from sensor_poll import TOKEN_PATH, emulator_process

from airflow_provider_sendpulse.emulator.control import EmulatorControl, airflow_connection

DAG_SOURCE = textwrap.dedent(
    """
    import json, os
    from datetime import datetime
    from airflow.sdk import DAG
    from airflow_provider_sendpulse.sensors.events import SendPulseEventSensor

    with DAG(dag_id="bench_sensor_batch", schedule=None, start_date=datetime(2026, 1, 1)) as dag:
        sense = SendPulseEventSensor(
            task_id="sense", event_type="new_subscriber", list_id=int(os.environ["SP_LIST_ID"]),
            poke_interval=1, timeout=120,
        )

    if __name__ == "__main__":
        run = dag.test(logical_date=datetime.fromisoformat(os.environ["SP_LOGICAL_DATE"]))
        print("RESULT " + json.dumps({"state": str(run.state)}))
    """
)


def run_dag(env: dict[str, str], dag_file: Path, logical_date: str) -> str:
    """Run the DAG once with ``dag.test()``; return its final state."""
    done = subprocess.run(
        [sys.executable, str(dag_file)],
        env={**env, "SP_LOGICAL_DATE": logical_date},
        capture_output=True,
        text=True,
        timeout=300,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if not lines:
        raise RuntimeError(f"dag.test() printed no result:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return str(json.loads(lines[-1].removeprefix("RESULT "))["state"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=3, help="contacts added before the second run")
    parser.add_argument("--list-size", type=int, default=1000, help="contacts in the list beforehand")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home, emulator_process() as url:
        emulator = EmulatorControl(url)
        dags = Path(home) / "dags"
        dags.mkdir()
        dag_file = dags / "bench_sensor_batch.py"
        dag_file.write_text(DAG_SOURCE)
        list_id = emulator.create_list("bench")
        emulator.seed_contacts(list_id, args.list_size, "old")
        env = {
            **os.environ,
            "AIRFLOW_HOME": home,
            "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__UNIT_TEST_MODE": "True",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
            "AIRFLOW_CONN_SENDPULSE_DEFAULT": json.dumps(airflow_connection(url)),
            "SP_LIST_ID": str(list_id),
        }
        airflow = Path(sys.executable).with_name("airflow")
        subprocess.run([str(airflow), "db", "migrate"], env=env, check=True, capture_output=True, timeout=300)
        # First run: records the position, then waits; contacts arrive once it has looked at the list.
        first = subprocess.Popen(
            [sys.executable, str(dag_file)],
            env={**env, "SP_LOGICAL_DATE": "2026-11-01T00:00:00+00:00"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        total_path = f"/addressbooks/{list_id}/emails/total"
        while not any(r["path"] == total_path for r in emulator.requests()):
            time.sleep(0.1)
            if first.poll() is not None:
                raise RuntimeError("the first run ended before polling")
        time.sleep(1.5)  # past the sensor's own first check: the trigger records nothing new
        emulator.seed_contacts(list_id, args.contacts, "first")
        first.wait(timeout=300)
        emulator.seed_contacts(list_id, args.contacts, "new")  # waiting for the second run
        emulator.clear_requests()
        state = run_dag(env, dag_file, "2026-11-02T00:00:00+00:00")
        sent = [r for r in emulator.requests() if r["path"] != TOKEN_PATH]
        print(f"second run: {state}; {args.contacts} contacts waiting in a list of {args.list_size + args.contacts}")
        print(f"requests for one delivered batch (events already waiting): {len(sent)}")
        for request in sent:
            print(f"  {request['method']} {request['path']}?{request['query']}")
        # Third run: nothing waiting, so the sensor defers and the trigger finds the batch.
        emulator.clear_requests()
        third = subprocess.Popen(
            [sys.executable, str(dag_file)],
            env={**env, "SP_LOGICAL_DATE": "2026-11-03T00:00:00+00:00"},
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        while sum(r["path"] == total_path for r in emulator.requests()) < 2:
            time.sleep(0.1)
            if third.poll() is not None:
                raise RuntimeError("the third run ended before the trigger polled")
        mark = len(emulator.requests())
        emulator.seed_contacts(list_id, args.contacts, "later")
        out, _ = third.communicate(timeout=300)
        after = [r for r in emulator.requests()[mark:] if r["path"] != TOKEN_PATH]
        while after and after[0]["path"] != total_path:  # the tail of a poll in flight when they arrived
            after.pop(0)
        print(f"third run (deferred, the trigger finds the batch): {out.strip().splitlines()[-1]}")
        print(f"requests for one delivered batch (from the poll that finds it to the end): {len(after)}")
        for request in after:
            print(f"  {request['method']} {request['path']}?{request['query']}")

if __name__ == "__main__":
    main()
