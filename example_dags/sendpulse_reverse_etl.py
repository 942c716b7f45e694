"""Reverse ETL: warehouse rows become SendPulse Automation 360 events, then a report email goes out.

Every day the DAG takes the day's paid orders (a CSV export from the warehouse), and starts the
Automation 360 event ``order_paid`` for each buyer (by email and/or phone, with the order's columns as
event variables): SendPulse then runs whatever flow the event starts (a thank-you email, an SMS, a
review request). Rows are streamed at the account's rate limit; a malformed row is skipped and reported by
line number, never by address. A retried task resumes after the last row SendPulse acknowledged, so no
buyer gets the flow twice. Finally a transactional email reports the counts to the data team.

The sample export ``data/paid_orders.csv`` ships with this example (21 rows, one with a malformed email);
point ``params.csv_path`` at your own file (a local path, or an object-storage URL with
``storage_conn_id``). The event must exist in SendPulse (Automation 360 > Events) and ``report_from`` must
be an active sender of the account with the SMTP service activated.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from airflow.sdk import Param, dag, task

from airflow_provider_sendpulse.operators.automation import SendPulseAutomationEventOperator
from airflow_provider_sendpulse.operators.smtp import SendPulseSendTransactionalEmailOperator

SAMPLE_CSV = Path(__file__).parent / "data" / "paid_orders.csv"


@dag(
    dag_id="sendpulse_reverse_etl",
    schedule="@daily",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["sendpulse", "example"],
    params={
        "event_name": Param("order_paid", type="string"),
        "csv_path": Param(str(SAMPLE_CSV), type="string"),
        "report_from": Param("sender@example.com", type="string"),
        "report_to": Param("data-team@example.com", type="string"),
    },
    doc_md=__doc__,
)
def sendpulse_reverse_etl() -> None:
    events = SendPulseAutomationEventOperator(
        task_id="start_events",
        event_name="{{ params.event_name }}",
        path="{{ params.csv_path }}",
        column_mapping={
            "email": "email",
            "phone": "phone",
            "order_id": "order_id",
            "amount": "amount",
            "plan": "plan",
        },
        on_invalid="skip",
        retries=2,
    )

    @task
    def report_body(summary: dict[str, Any]) -> str:
        rows = "".join(
            f"<tr><td>{label}</td><td>{summary[key]}</td></tr>"
            for label, key in (
                ("Rows read", "rows"),
                ("Flows started", "sent"),
                ("Refused by SendPulse", "failed"),
                ("Outcome unknown (not repeated)", "unknown"),
                ("Invalid rows skipped", "invalid"),
            )
        )
        failures = "".join(f"<li>{f['position']}: {f['reason']}</li>" for f in summary["failures"])
        return f"<h2>Automation 360 event {summary['event_name']!r}</h2><table>{rows}</table>" + (
            f"<p>Rows not started:</p><ul>{failures}</ul>" if failures else ""
        )

    SendPulseSendTransactionalEmailOperator(
        task_id="email_report",
        sender_email="{{ params.report_from }}",
        sender_name="Reverse ETL",
        to="{{ params.report_to }}",
        subject="Reverse ETL {{ ds }}: events started",
        html=report_body(events.output),
    )


sendpulse_reverse_etl()
