"""A DAG using the SendPulse operators, run with ``dag.test()`` by tests/operators/test_op_dag_runs.py.

The campaign task dies right after creating its campaign on the first try, to prove that the retry
returns that campaign instead of sending a second one.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import DAG, task

from airflow_provider_sendpulse.operators import (
    SendPulseAddContactsOperator,
    SendPulseApiOperator,
    SendPulseCreateCampaignOperator,
    SendPulseCreateMailingListOperator,
    SendPulseExportContactsOperator,
    SendPulseGetCampaignStatsOperator,
    SendPulseSendSmsOperator,
)

EXPORT_PATH = os.environ.get("SENDPULSE_TEST_EXPORT", "/tmp/sendpulse-export.csv")


class CrashAfterCreateOperator(SendPulseCreateCampaignOperator):
    """Fails on the first try after the campaign exists, as a worker lost at that moment would."""

    def result(self, context: Any, campaign: Any, created: bool) -> dict[str, Any]:
        if context["ti"].try_number == 1:
            raise RuntimeError("simulated worker crash right after creating the campaign")
        return super().result(context, campaign, created)


with DAG(
    dag_id="sendpulse_operators_it",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    default_args={"retries": 1, "retry_delay": timedelta(seconds=0)},
) as dag:

    @task
    def new_customers() -> list[dict[str, Any]]:
        return [{"email": f"customer{i}@example.com", "name": f"Customer {i}"} for i in range(30)]

    create_list = SendPulseCreateMailingListOperator(task_id="create_list", name="Customers {{ ds }}")
    add_contacts = SendPulseAddContactsOperator(
        task_id="add_contacts",
        list_id="{{ ti.xcom_pull(task_ids='create_list') }}",
        contacts=new_customers(),
    )
    create_campaign = CrashAfterCreateOperator(
        task_id="create_campaign",
        sender_name="Shop",
        sender_email="sender@example.com",
        subject="Hello {{ ds }}",
        body_html="<p>New arrivals for {{ ds }}</p>",
        list_ids="{{ ti.xcom_pull(task_ids='create_list') }}",
    )
    stats = SendPulseGetCampaignStatsOperator(
        task_id="stats", campaign_id="{{ ti.xcom_pull(task_ids='create_campaign', key='campaign_id') }}"
    )
    export = SendPulseExportContactsOperator(
        task_id="export", list_id="{{ ti.xcom_pull(task_ids='create_list') }}", path=EXPORT_PATH
    )
    sms = SendPulseSendSmsOperator(
        task_id="sms", sender="Shop", body="Order {{ ds }} shipped", phones=["+380 93 123 4567"], emulate=True
    )
    balance = SendPulseApiOperator(task_id="balance", endpoint="/balance")

    create_list >> add_contacts >> [create_campaign, export]
    create_campaign >> stats


if __name__ == "__main__":
    from airflow.models import TaskInstance
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    run = dag.test()
    with create_session() as session:
        tis = session.query(TaskInstance).filter_by(dag_id=dag.dag_id, run_id=run.run_id).all()
        xcoms = session.query(XComModel).filter_by(dag_id=dag.dag_id, run_id=run.run_id).all()
        result = {
            "run_id": run.run_id,
            "state": str(run.state),
            "tasks": {ti.task_id: [str(ti.state), ti.try_number] for ti in tis},
            "xcoms": {f"{x.task_id}.{x.key}": XComModel.deserialize_value(x) for x in xcoms},
        }
    print("RESULT " + json.dumps(result, default=str))
