"""CRM deals: act when a deal is won, and export the deals that changed every night.

``sendpulse_crm_deal_won`` runs continuously: each run waits (deferred, no worker slot held) until a deal is
marked won in the SendPulse CRM, polling every 5 minutes with one request when nothing changed. It then adds
the won deals' contacts to the mailing list "Customers" (found by name, or created) and moves each deal's
follow-up deal, the deal named "Onboarding: <won deal's name>" in the pipeline "Onboarding", to the step
"Kick-off". Each won deal is delivered once across runs, retries and restarts: the sensor keeps its position
in the Airflow Variable ``sendpulse_cursor.sendpulse_default.deal_won.account``.

``sendpulse_crm_nightly_export`` writes the deals created or updated during its data interval (one day) to a
CSV file in the folder named by the Airflow Variable ``sendpulse_export_dir`` (default the system's temporary
folder); a URL such as ``s3://bucket/crm`` writes to object storage instead.
"""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import dag, task

from airflow_provider_sendpulse.operators.contacts import SendPulseAddContactsOperator
from airflow_provider_sendpulse.operators.crm import SendPulseExportCrmOperator, SendPulseMoveDealOperator
from airflow_provider_sendpulse.operators.mailing_lists import SendPulseCreateMailingListOperator
from airflow_provider_sendpulse.sensors.events import SendPulseEventSensor

FOLLOW_UP_PIPELINE = "Onboarding"
FOLLOW_UP_STEP = "Kick-off"


@dag(
    dag_id="sendpulse_crm_deal_won",
    schedule="@continuous",
    max_active_runs=1,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["sendpulse", "crm", "example"],
    doc_md=__doc__,
)
def sendpulse_crm_deal_won() -> None:
    won = SendPulseEventSensor(task_id="wait_for_won_deals", event_type="deal_won", deferrable=True)

    @task
    def contacts_of(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The won deals' contacts with an email, as rows for the mailing list."""
        from airflow_provider_sendpulse.hooks.sendpulse import SendPulseHook

        crm = SendPulseHook().crm
        rows = []
        for event in events:
            for contact in crm.deal_contacts(int(event["id"])):
                if contact.emails:
                    rows.append({"email": contact.emails[0], "variables": {"Name": contact.first_name}})
        print(f"{len(events)} won deal(s), {len(rows)} contact(s) with an email")
        return rows

    @task
    def follow_ups(events: list[dict[str, Any]]) -> list[int]:
        """The follow-up deal of each won deal, when there is one."""
        from airflow_provider_sendpulse.hooks.sendpulse import SendPulseHook

        crm = SendPulseHook().crm
        pipeline_id, _ = crm.resolve_step(FOLLOW_UP_PIPELINE)
        found = [crm.find_deal(pipeline_id, f"Onboarding: {event['name']}") for event in events]
        return [deal.id for deal in found if deal is not None]

    customers = SendPulseCreateMailingListOperator(task_id="customers_list", name="Customers")
    SendPulseAddContactsOperator(
        task_id="add_customers", list_id=customers.output, contacts=contacts_of(won.output)
    )
    SendPulseMoveDealOperator(
        task_id="start_onboarding",
        deal_ids=follow_ups(won.output),
        pipeline=FOLLOW_UP_PIPELINE,
        step=FOLLOW_UP_STEP,
    )


@dag(
    dag_id="sendpulse_crm_nightly_export",
    schedule=timedelta(days=1),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["sendpulse", "crm", "example"],
    doc_md=__doc__,
)
def sendpulse_crm_nightly_export() -> None:
    SendPulseExportCrmOperator(
        task_id="export_changed_deals",
        kind="deals",
        path="{{ var.value.get('sendpulse_export_dir', '"
        + tempfile.gettempdir()
        + "') }}/deals-{{ ds }}.csv",
    )


sendpulse_crm_deal_won()
sendpulse_crm_nightly_export()
