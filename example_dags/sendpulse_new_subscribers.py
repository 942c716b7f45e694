"""Welcome every new subscriber of a mailing list with an SMS, within five minutes of signing up.

The DAG runs continuously: each run waits (deferred, so no worker slot is held) until SendPulse has new
subscribers on the list, polling every 5 minutes, then sends one welcome SMS per subscriber that has a
phone number. Each subscriber is delivered exactly once across runs, retries and restarts: the sensor keeps
its position in the Airflow Variable ``sendpulse_cursor.sendpulse_default.new_subscriber.list-<id>`` and
moves it only when it succeeds. The first run only records where the list stands now.

Name the list with the Airflow Variable ``sendpulse_welcome_list_name`` (default "Newsletter subscribers",
the list ``sendpulse_contacts_sync`` fills; it is found by name, or created empty) and the SMS sender id (at
most 11 characters, registered in SendPulse) with ``sendpulse_sms_sender`` (default "Acme").
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from airflow.sdk import dag, task

from airflow_provider_sendpulse.operators.mailing_lists import SendPulseCreateMailingListOperator
from airflow_provider_sendpulse.operators.sms import SendPulseSendSmsOperator
from airflow_provider_sendpulse.sensors.events import SendPulseEventSensor


@dag(
    dag_id="sendpulse_new_subscribers",
    schedule="@continuous",
    max_active_runs=1,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["sendpulse", "example"],
    doc_md=__doc__,
)
def sendpulse_new_subscribers() -> None:
    mailing_list = SendPulseCreateMailingListOperator(
        task_id="find_list",
        name="{{ var.value.get('sendpulse_welcome_list_name', 'Newsletter subscribers') }}",
    )
    new_subscribers = SendPulseEventSensor(
        task_id="wait_for_new_subscribers",
        event_type="new_subscriber",
        list_id=mailing_list.output,
        max_events=500,
        deferrable=True,
    )

    @task
    def phones_to_welcome(events: list[dict[str, Any]]) -> list[list[str]]:
        """One single-phone list per subscriber with a phone, so each SMS is its own mapped task."""
        phones = [[event["phone"]] for event in events if event.get("phone")]
        print(f"{len(events)} new subscribers, {len(phones)} with a phone number")
        return phones

    SendPulseSendSmsOperator.partial(
        task_id="send_welcome_sms",
        sender="{{ var.value.get('sendpulse_sms_sender', 'Acme') }}",
        body="Welcome to Acme! Reply STOP to opt out.",
        map_index_template="{{ task.phones[0][-4:] }}",
    ).expand(phones=phones_to_welcome(new_subscribers.output))


sendpulse_new_subscribers()
