"""A DAG run by ``dag.test()`` in test_rel_secrets.py: its task logs, XComs and metadata database are
searched for credentials. It imports contacts, sends a campaign and waits for it in the triggerer, sends an
SMS, and ends with a task that fails on a SendPulse error.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import DAG

from airflow_provider_sendpulse.operators import (
    SendPulseAddContactsOperator,
    SendPulseCreateCampaignOperator,
    SendPulseCreateMailingListOperator,
    SendPulseGetCampaignStatsOperator,
    SendPulseSendSmsOperator,
)
from airflow_provider_sendpulse.sensors.campaigns import SendPulseCampaignSensor

with DAG(
    dag_id="sendpulse_secrets_scan",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    default_args={"retries": 0, "retry_delay": timedelta(seconds=0)},
) as dag:
    create_list = SendPulseCreateMailingListOperator(task_id="create_list", name="Scan {{ ds }}")
    add_contacts = SendPulseAddContactsOperator(
        task_id="add_contacts",
        list_id="{{ ti.xcom_pull(task_ids='create_list') }}",
        contacts=[{"email": f"reader{n}@example.com", "name": f"Reader {n}"} for n in range(20)],
    )
    campaign = SendPulseCreateCampaignOperator(
        task_id="campaign",
        sender_name="Shop",
        sender_email="sender@example.com",
        subject="Hello",
        body_html="<p>Hello</p>",
        list_ids="{{ ti.xcom_pull(task_ids='create_list') }}",
    )
    wait = SendPulseCampaignSensor(
        task_id="wait",
        campaign_id="{{ ti.xcom_pull(task_ids='campaign', key='campaign_id') }}",
        deferrable=True,
        poke_interval=0.2,
        timeout=60,
    )
    sms = SendPulseSendSmsOperator(task_id="sms", sender="Shop", body="Shipped", phones=["380931234567"])
    missing = SendPulseGetCampaignStatsOperator(task_id="missing_campaign", campaign_id=424242)
    create_list >> add_contacts >> campaign >> wait >> [sms, missing]


if __name__ == "__main__":
    from airflow.models import TaskInstance
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    run = dag.test()
    with create_session() as session:
        tis = session.query(TaskInstance).filter_by(dag_id=dag.dag_id, run_id=run.run_id).all()
        xcoms = session.query(XComModel).filter_by(dag_id=dag.dag_id, run_id=run.run_id).all()
        result: dict[str, Any] = {
            "state": str(run.state),
            "tasks": {ti.task_id: str(ti.state) for ti in tis},
            "xcoms": {f"{x.task_id}.{x.key}": XComModel.deserialize_value(x) for x in xcoms},
        }
    print("RESULT " + json.dumps(result, default=str))
