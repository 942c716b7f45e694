"""Requests one delivered batch costs an event sensor in a real DAG run (``dag.test()``), nobody else polling.

A fresh Airflow home (migrated SQLite) runs a DAG with one deferrable ``new_subscriber`` sensor against an
emulator process: the sensor records the position and defers; once the trigger has polled, contacts are
added. The emulator's request log (token mints left out) gives the requests from the poll that finds them
to the end of the run: the trigger's detecting poll plus whatever the sensor sends after resuming.

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
            poke_interval=1, timeout=120, deferrable=True,
        )

    if __name__ == "__main__":
        run = dag.test(logical_date=datetime.fromisoformat(os.environ["SP_LOGICAL_DATE"]))
        print("RESULT " + json.dumps({"state": str(run.state)}))
    """
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=3, help="contacts added while the sensor waits")
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
        total_path = f"/addressbooks/{list_id}/emails/total"
        # The sensor records the position and defers; contacts arrive once the trigger has polled.
        run = subprocess.Popen(
            [sys.executable, str(dag_file)],
            env={**env, "SP_LOGICAL_DATE": "2026-11-01T00:00:00+00:00"},
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        while sum(r["path"] == total_path for r in emulator.requests()) < 2:
            time.sleep(0.1)
            if run.poll() is not None:
                raise RuntimeError("the DAG run ended before the trigger polled")
        mark = len(emulator.requests())
        emulator.seed_contacts(list_id, args.contacts, "later")
        out, _ = run.communicate(timeout=300)
        after = [r for r in emulator.requests()[mark:] if r["path"] != TOKEN_PATH]
        while after and after[0]["path"] != total_path:  # the tail of a poll in flight when they arrived
            after.pop(0)
        print(f"DAG run: {out.strip().splitlines()[-1]}")
        print(f"requests for one delivered batch (from the poll that finds it to the end): {len(after)}")
        for request in after:
            print(f"  {request['method']} {request['path']}?{request['query']}")


if __name__ == "__main__":
    main()
