"""A 100,000-row file import with the emulator limiting to SendPulse's 10 requests per second."""

from __future__ import annotations

import csv
import time
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_sendpulse.operators import SendPulseAddContactsOperator
from airflow_provider_sendpulse.operators.contacts import DEFAULT_BATCH_SIZE

ROWS = 100_000


@pytest.mark.slow
def test_import_100k_rows_under_the_rate_limit(
    emulator: Any, sendpulse_conn: str, make_context: Any, tmp_path: Path
) -> None:
    emulator.configure(rate_limit=10)
    list_id = emulator.create_list("Everyone")
    path = tmp_path / "contacts.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["Email", "Name", "Plan"])
        writer.writerows([f"user{i}@example.com", f"User {i}", "pro"] for i in range(ROWS))

    started = time.monotonic()
    summary = SendPulseAddContactsOperator(
        task_id="import",
        list_id=list_id,
        path=path,
        column_mapping={"Email": "email", "Name": "name", "Plan": "plan"},
        sendpulse_conn_id=sendpulse_conn,
    ).execute(make_context())
    elapsed = time.monotonic() - started

    assert summary["added"] == ROWS
    assert summary["batches"] == ROWS // DEFAULT_BATCH_SIZE
    assert summary["invalid"] == 0
    adds = [r for r in emulator.requests() if r["path"] == f"/addressbooks/{list_id}/emails"]
    assert len([r for r in adds if r["status"] == 200]) == ROWS // DEFAULT_BATCH_SIZE
    [book] = emulator.state(contacts_cap=1)["lists"]
    assert book["total"] == ROWS
    assert book["contacts"][0]["variables"] == {"name": "User 0", "plan": "pro"}
    # 100 requests at 10/s take about ten seconds; leave room for slow machines.
    assert elapsed < 90
