"""A DAG for the sensor tests: the event sensor feeding a mapped task; run with ``python <file>``.

Settings come from the environment: ``SP_MODE`` (deferrable, poke or reschedule), ``SP_LIST_ID``,
``SP_LOGICAL_DATE``, ``SP_TIMEOUT``, ``SP_SOFT_FAIL``, ``SP_MAX_EVENTS``, ``SP_CURSOR_NAME``.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from typing import Any

from airflow.sdk import DAG, task

from airflow_provider_sendpulse.sensors.events import SendPulseEventSensor

MODE = os.environ.get("SP_MODE", "deferrable")

with DAG(dag_id="sendpulse_sensor_it", schedule=None, start_date=datetime(2026, 1, 1), catchup=False) as dag:
    sense = SendPulseEventSensor(
        task_id="sense",
        event_type="new_subscriber",
        list_id=os.environ.get("SP_LIST_ID", "1"),
        deferrable=MODE == "deferrable",
        mode="reschedule" if MODE == "reschedule" else "poke",
        poke_interval=1,
        timeout=float(os.environ.get("SP_TIMEOUT", "60")),
        soft_fail=os.environ.get("SP_SOFT_FAIL") == "1",
        max_events=int(os.environ.get("SP_MAX_EVENTS", "100")),
        cursor_name=os.environ.get("SP_CURSOR_NAME") or None,
    )

    @task
    def handle(event: dict[str, Any]) -> str:
        return str(event["email"])

    handle.expand(event=sense.output)


if __name__ == "__main__":
    from airflow.models import TaskInstance, Variable
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    logical_date = datetime.fromisoformat(os.environ.get("SP_LOGICAL_DATE", "2026-11-27T00:00:00+00:00"))
    run = dag.test(logical_date=logical_date)
    with create_session() as session:
        tis = session.query(TaskInstance).filter_by(dag_id=dag.dag_id, run_id=run.run_id).all()
        xcoms = session.query(XComModel).filter_by(dag_id=dag.dag_id, run_id=run.run_id).all()
        result = {
            "run_id": run.run_id,
            "state": str(run.state),
            "tasks": {f"{ti.task_id}[{ti.map_index}]": str(ti.state) for ti in tis},
            "xcoms": {f"{x.task_id}[{x.map_index}].{x.key}": XComModel.deserialize_value(x) for x in xcoms},
            "cursor": Variable.get(sense.cursor_key(), default_var=None, deserialize_json=True),
        }
    print("RESULT " + json.dumps(result, default=str))
