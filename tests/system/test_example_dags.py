"""The example DAGs parse cleanly, without touching SendPulse at parse time."""

from __future__ import annotations

from typing import Any

import pytest
from airflow_stack import EXAMPLE_DAGS, emulator_connection_env

from airflow_provider_sendpulse.emulator.control import EmulatorControl

EXAMPLE_DAG_IDS = {
    "sendpulse_contacts_sync",
    "sendpulse_campaign",
    "sendpulse_new_subscribers",
    "sendpulse_event_driven",
    "sendpulse_chatbot_replies",
    "sendpulse_reverse_etl",
    "sendpulse_crm_deal_won",
    "sendpulse_crm_nightly_export",
}


def _dag_bag() -> Any:
    try:
        from airflow.dag_processing.dagbag import DagBag
    except ImportError:  # Airflow < 3.3
        from airflow.models.dagbag import DagBag
    return DagBag(dag_folder=str(EXAMPLE_DAGS))


def test_example_dags_import_without_errors(
    emulator: EmulatorControl, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in emulator_connection_env(emulator.url, 1).items():
        monkeypatch.setenv(name, value)
    emulator.clear_requests()

    bag = _dag_bag()

    assert bag.import_errors == {}
    assert set(bag.dag_ids) == EXAMPLE_DAG_IDS
    assert emulator.requests() == [], "parsing the example DAGs must not call SendPulse"


def test_example_dags_are_documented_and_tagged() -> None:
    bag = _dag_bag()
    for dag_id in EXAMPLE_DAG_IDS:
        dag = bag.dags[dag_id]
        assert dag.doc_md, dag_id
        assert len(dag.doc_md) > 200, dag_id
        assert "sendpulse" in dag.tags, dag_id
