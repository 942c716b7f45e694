"""Run a DAG whenever a SendPulse mailing list gains subscribers: event-driven scheduling, no sensor task.

An ``AssetWatcher`` runs :class:`SendPulseEventTrigger` in the triggerer, polling the list every 5 minutes.
Each batch of new subscribers becomes an asset event, and the asset event schedules this DAG with the
subscribers in its ``extra``. The trigger never fires twice for the same state; on Airflow 3.3+ it keeps its
position in the asset state store, so a triggerer restart resumes where it stopped.

The watched list is read from the environment variable ``SENDPULSE_WATCHED_LIST_ID`` when the DAG file is
parsed (trigger arguments are fixed at parse time; no API call is made then).
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any

from airflow.sdk import Asset, AssetWatcher, dag, task

from airflow_provider_sendpulse.triggers.events import SendPulseEventTrigger

WATCHED_LIST_ID = int(os.environ.get("SENDPULSE_WATCHED_LIST_ID", "1"))

new_subscribers = Asset(
    f"sendpulse://lists/{WATCHED_LIST_ID}/subscribers",
    watchers=[
        AssetWatcher(
            name=f"sendpulse_new_subscribers_{WATCHED_LIST_ID}",
            trigger=SendPulseEventTrigger(
                event_type="new_subscriber",
                event_params={"list_id": WATCHED_LIST_ID},
            ),
        )
    ],
)


@dag(
    dag_id="sendpulse_event_driven",
    schedule=[new_subscribers],
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["sendpulse", "example"],
    doc_md=__doc__,
)
def sendpulse_event_driven() -> None:
    @task
    def greet_new_subscribers(**context: Any) -> int:
        """Read the subscribers carried by the asset events that scheduled this run."""
        count = 0
        for asset_events in context["triggering_asset_events"].values():
            for asset_event in asset_events:
                payload = asset_event.extra.get("payload", asset_event.extra)
                for event in payload.get("events", []):
                    count += 1
                    print(f"New subscriber on list {event.get('list_id')}: status {event.get('status')}")
        print(f"{count} new subscribers in this run")
        return count

    greet_new_subscribers()


sendpulse_event_driven()
