"""Keep a SendPulse mailing list in sync with a daily export of subscribers.

Every day the DAG makes sure the mailing list exists (creating it on the first run, reusing it after),
imports the day's CSV export into it and reports what changed. The import is an upsert on the email
address, so re-running a day leaves the list as after one run. Rows with a malformed email are skipped
and reported by line number; set ``on_invalid="fail"`` to stop the import instead.

The sample export ``data/subscribers.csv`` ships with this example; point ``params.csv_path`` at your own
file (a local path, or an object-storage URL such as ``s3://bucket/subscribers.csv`` with
``storage_conn_id``).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from airflow.sdk import Param, dag, task

from airflow_provider_sendpulse.operators.contacts import SendPulseAddContactsOperator
from airflow_provider_sendpulse.operators.mailing_lists import SendPulseCreateMailingListOperator

SAMPLE_CSV = Path(__file__).parent / "data" / "subscribers.csv"


@dag(
    dag_id="sendpulse_contacts_sync",
    schedule="@daily",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["sendpulse", "example"],
    params={
        "list_name": Param("Newsletter subscribers", type="string"),
        "csv_path": Param(str(SAMPLE_CSV), type="string"),
    },
    doc_md=__doc__,
)
def sendpulse_contacts_sync() -> None:
    mailing_list = SendPulseCreateMailingListOperator(task_id="ensure_list", name="{{ params.list_name }}")

    @task
    def count_before(list_id: int) -> int:
        # Imported in the task, not at the top: the DAG file is parsed far more often than this runs.
        from airflow_provider_sendpulse.hooks.sendpulse import SendPulseHook

        return SendPulseHook().count_contacts(list_id)

    before = count_before(mailing_list.output)

    imported = SendPulseAddContactsOperator(
        task_id="import_contacts",
        list_id=mailing_list.output,
        path="{{ params.csv_path }}",
        column_mapping={
            "email": "email",
            "name": "Name",
            "city": "City",
            "phone": "Phone",
            "signup_date": "Signup date",
        },
        on_invalid="skip",
    )
    before >> imported

    @task
    def report(list_id: int, contacts_before: int, summary: dict[str, Any]) -> dict[str, Any]:
        from airflow_provider_sendpulse.hooks.sendpulse import SendPulseHook

        contacts_after = SendPulseHook().count_contacts(list_id)
        change = {
            "list_id": list_id,
            "contacts_before": contacts_before,
            "contacts_after": contacts_after,
            "new_contacts": contacts_after - contacts_before,
            "rows_sent": summary["added"],
            "rows_skipped": summary["skipped"],
            "invalid_rows": summary["invalid_rows"],
        }
        print(f"Mailing list {list_id}: {contacts_before} -> {contacts_after} contacts; {change}")
        return change

    report(mailing_list.output, before, imported.output)


sendpulse_contacts_sync()
