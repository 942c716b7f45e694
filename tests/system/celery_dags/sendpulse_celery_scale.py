"""8 mapped SendPulse imports into one account plus an event sensor, once per limiter mode.

``sendpulse_celery_shared`` uses the connection ``sendpulse_shared`` (rate limit shared through Redis);
``sendpulse_celery_adaptive`` uses ``sendpulse_default`` (each worker process adapts on its own).
"""

from __future__ import annotations

import os
from datetime import datetime

from airflow.sdk import dag, task

from airflow_provider_sendpulse.sensors.events import SendPulseEventSensor

SHARDS = 8
CONTACTS_PER_SHARD = int(os.environ.get("SENDPULSE_CELERY_CONTACTS", "1500"))


def build(dag_id: str, conn_id: str, list_id: int) -> None:
    @dag(dag_id=dag_id, schedule=None, start_date=datetime(2026, 1, 1), catchup=False, max_active_tasks=16)
    def scale() -> None:
        @task
        def shards() -> list[int]:
            return list(range(SHARDS))

        @task
        def import_shard(shard: int) -> int:
            from airflow_provider_sendpulse.hooks.sendpulse import SendPulseHook

            contacts = ({"email": f"{dag_id}-{shard}-{n}@example.com"} for n in range(CONTACTS_PER_SHARD))
            summary = SendPulseHook(conn_id).add_contacts(list_id, contacts, batch_size=100)
            return summary.contacts

        SendPulseEventSensor(
            task_id="new_subscribers",
            event_type="new_subscriber",
            list_id=list_id,
            sendpulse_conn_id=conn_id,
            start_from="beginning",
            min_events=1,
            poke_interval=2,
            deferrable=False,
            timeout=300,
        )
        import_shard.expand(shard=shards())

    scale()


for _mode, _conn in (("shared", "sendpulse_shared"), ("adaptive", "sendpulse_default")):
    _list = os.environ.get(f"SENDPULSE_CELERY_LIST_{_mode.upper()}")
    if _list:
        build(f"sendpulse_celery_{_mode}", _conn, int(_list))
