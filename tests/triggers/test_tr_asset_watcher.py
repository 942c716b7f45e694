"""The event trigger schedules DAGs on new SendPulse events through an AssetWatcher."""

from __future__ import annotations

import json
from datetime import datetime

from airflow.sdk import DAG, Asset, AssetWatcher
from airflow.serialization import serialized_objects

from airflow_provider_sendpulse.triggers.events import SendPulseEventTrigger


def make_trigger() -> SendPulseEventTrigger:
    return SendPulseEventTrigger(event_type="new_subscriber", event_params={"list_id": 42}, poll_interval=300)


def test_an_asset_watcher_accepts_the_trigger_and_the_dag_serializes() -> None:
    asset = Asset(
        name="sendpulse_new_subscribers",
        uri="sendpulse://lists/42/subscribers",
        watchers=[AssetWatcher(name="sendpulse_watch", trigger=make_trigger())],
    )
    with DAG(dag_id="on_new_subscribers", schedule=[asset], start_date=datetime(2026, 1, 1)) as dag:
        pass
    # DagSerialization from Airflow 3.2, SerializedDAG before.
    serializer = getattr(serialized_objects, "DagSerialization", None) or serialized_objects.SerializedDAG
    text = json.dumps(serializer.to_dict(dag))
    assert "airflow_provider_sendpulse.triggers.events.SendPulseEventTrigger" in text
    assert '"list_id": 42' in text


def test_identical_watchers_hash_alike_and_different_ones_do_not() -> None:
    one, same = make_trigger().serialize(), make_trigger().serialize()
    other = SendPulseEventTrigger(event_type="new_subscriber", event_params={"list_id": 43}).serialize()
    assert SendPulseEventTrigger.hash(*one) == SendPulseEventTrigger.hash(*same)
    assert SendPulseEventTrigger.hash(*one) != SendPulseEventTrigger.hash(*other)
