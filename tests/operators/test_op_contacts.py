"""Contact operators against the emulator: import, remove, unsubscribe, update, export round trips."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from airflow.sdk import ObjectStoragePath

from airflow_provider_sendpulse.operators import (
    SendPulseAddContactsOperator,
    SendPulseExportContactsOperator,
    SendPulseInputError,
    SendPulseRemoveContactsOperator,
    SendPulseUnsubscribeContactsOperator,
    SendPulseUpdateContactVariablesOperator,
)


def contacts_of(emulator: Any, list_id: int) -> dict[str, dict[str, Any]]:
    book = next(item for item in emulator.state()["lists"] if item["id"] == list_id)
    return {c["email"]: c for c in book["contacts"]}


def add_requests(emulator: Any, list_id: int) -> list[dict[str, Any]]:
    return [
        r
        for r in emulator.requests()
        if r["method"] == "POST" and r["path"] == f"/addressbooks/{list_id}/emails" and r["status"] == 200
    ]


def test_add_from_xcom_list_is_an_upsert(emulator: Any, sendpulse_conn: str, make_context: Any) -> None:
    list_id = emulator.create_list("Customers")
    op = SendPulseAddContactsOperator(
        task_id="add",
        list_id=str(list_id),
        contacts=[
            "ann@example.com",
            {"email": "bob@example.com", "name": "Bob", "orders": 3},
            {"email": "cid@example.com", "variables": {"name": "Cid"}},
        ],
        sendpulse_conn_id=sendpulse_conn,
    )
    summary = op.execute(make_context())
    assert summary == {
        "list_id": list_id,
        "rows": 3,
        "distinct": 3,
        "duplicates": 0,
        "duplicate_rule": "last row wins",
        "added": 3,
        "skipped": 0,
        "invalid": 0,
        "blank": 0,
        "invalid_rows": [],
        "batches": 1,
        "batch_size": 1000,
        "elapsed_seconds": summary["elapsed_seconds"],
    }
    # Running it again leaves the list as after one run.
    op.execute(make_context(try_number=2))
    contacts = contacts_of(emulator, list_id)
    assert sorted(contacts) == ["ann@example.com", "bob@example.com", "cid@example.com"]
    assert contacts["bob@example.com"]["variables"] == {"name": "Bob", "orders": 3}
    assert contacts["cid@example.com"]["variables"] == {"name": "Cid"}


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return path


def test_add_from_csv_with_mapping_in_batches(
    emulator: Any, sendpulse_conn: str, make_context: Any, tmp_path: Path
) -> None:
    list_id = emulator.create_list("Customers")
    rows = [["Mail", "First name", "Unused"]] + [[f"p{i}@example.com", f"P{i}", "x"] for i in range(25)]
    path = write_csv(tmp_path / "people.csv", rows)
    summary = SendPulseAddContactsOperator(
        task_id="add",
        list_id=list_id,
        path=str(path),
        column_mapping={"Mail": "email", "First name": "name"},
        batch_size=10,
        sendpulse_conn_id=sendpulse_conn,
    ).execute(make_context())
    assert (summary["added"], summary["batches"], summary["rows"]) == (25, 3, 25)
    assert len(add_requests(emulator, list_id)) == 3
    contacts = contacts_of(emulator, list_id)
    assert contacts["p7@example.com"]["variables"] == {"name": "P7"}


def test_invalid_rows_fail_before_any_request(
    emulator: Any, sendpulse_conn: str, make_context: Any, tmp_path: Path
) -> None:
    list_id = emulator.create_list("Customers")
    path = write_csv(
        tmp_path / "people.csv",
        [["email"], ["ok@example.com"], ["private.person@"], ["also-ok@example.com"], ["nobody"]],
    )
    emulator.clear_requests()
    op = SendPulseAddContactsOperator(
        task_id="add", list_id=list_id, path=path, sendpulse_conn_id=sendpulse_conn
    )
    with pytest.raises(SendPulseInputError) as info:
        op.execute(make_context())
    message = str(info.value)
    assert "2 invalid row(s)" in message
    assert "line 3: email has an invalid domain" in message or "line 3: email" in message
    assert "line 5" in message
    assert "nothing was sent" in message
    assert "private.person" not in message
    assert emulator.requests() == []


def test_invalid_rows_can_be_skipped(
    emulator: Any, sendpulse_conn: str, make_context: Any, tmp_path: Path
) -> None:
    list_id = emulator.create_list("Customers")
    path = tmp_path / "people.jsonl"
    path.write_text(
        "\n".join(
            [
                json.dumps({"email": "ok@example.com", "variables": {"city": "Kyiv"}}),
                "not json",
                json.dumps({"email": "bad@"}),
                "",
                json.dumps({"email": "fine@example.com"}),
            ]
        ),
        encoding="utf-8",
    )
    summary = SendPulseAddContactsOperator(
        task_id="add", list_id=list_id, path=path, on_invalid="skip", sendpulse_conn_id=sendpulse_conn
    ).execute(make_context())
    assert (summary["added"], summary["invalid"], summary["skipped"], summary["rows"]) == (2, 2, 3, 4)
    assert summary["invalid_rows"] == [
        "line 2: is not valid JSON",
        "line 3: email has an invalid domain after '@'",
    ]
    assert sorted(contacts_of(emulator, list_id)) == ["fine@example.com", "ok@example.com"]


def test_double_opt_in_leaves_new_contacts_pending(
    emulator: Any, sendpulse_conn: str, make_context: Any
) -> None:
    list_id = emulator.create_list("Customers")
    SendPulseAddContactsOperator(
        task_id="add",
        list_id=list_id,
        contacts=["new@example.com"],
        double_opt_in={"sender_email": "sender@example.com", "message_lang": "en"},
        sendpulse_conn_id=sendpulse_conn,
    ).execute(make_context())
    assert contacts_of(emulator, list_id)["new@example.com"]["status"] != 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"list_id": 0, "contacts": ["a@example.com"]}, "list_id: must be a positive integer"),
        ({"list_id": 1, "contacts": []}, "has no contacts"),
        ({"list_id": 1}, "exactly one of contacts"),
        ({"list_id": 1, "contacts": ["a@example.com"], "on_invalid": "ignore"}, "on_invalid"),
        ({"list_id": 1, "contacts": ["a@example.com"], "batch_size": 0}, "batch_size"),
        ({"list_id": 1, "contacts": ["a@example.com"], "batch_size": 50_000}, "batch_size: at most"),
        (
            {"list_id": 1, "path": "/nonexistent/contacts.csv"},
            "path: /nonexistent/contacts.csv does not exist",
        ),
        (
            {"list_id": 1, "contacts": ["a@example.com"], "double_opt_in": {"sender_email": "x"}},
            "double_opt_in",
        ),
        (
            {"list_id": 1, "contacts": ["a@example.com"], "double_opt_in": {"sender": "a@b.co"}},
            "unknown key",
        ),
    ],
)
def test_add_refuses_bad_input_before_any_request(
    emulator: Any, sendpulse_conn: str, make_context: Any, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(SendPulseInputError, match=message):
        SendPulseAddContactsOperator(task_id="add", sendpulse_conn_id=sendpulse_conn, **kwargs).execute(
            make_context()
        )
    assert emulator.requests() == []


def test_csv_columns_must_match_the_mapping(
    emulator: Any, sendpulse_conn: str, make_context: Any, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "people.csv", [["email", "name"], ["a@example.com", "A"]])
    op = SendPulseAddContactsOperator(
        task_id="add",
        list_id=1,
        path=path,
        column_mapping={"email": "email", "Phone": "Phone"},
        sendpulse_conn_id=sendpulse_conn,
    )
    with pytest.raises(
        SendPulseInputError, match=r"column_mapping: column\(s\) 'Phone' not in the file header"
    ):
        op.execute(make_context())
    assert emulator.requests() == []


def test_remove_and_unsubscribe_in_batches_of_100(
    emulator: Any, sendpulse_conn: str, make_context: Any
) -> None:
    list_id = emulator.create_list("Customers")
    emulator.seed_contacts(list_id, 300, prefix="user")
    emulator.clear_requests()
    unsubscribe = [f"user{i}@example.com" for i in range(150)]
    remove = [f"user{i}@example.com" for i in range(150, 400)]  # 100 of them are not in the list
    result = SendPulseUnsubscribeContactsOperator(
        task_id="unsub", list_id=list_id, emails=unsubscribe, sendpulse_conn_id=sendpulse_conn
    ).execute(make_context())
    assert result == {"list_id": list_id, "requested": 150, "unsubscribed": 150}
    result = SendPulseRemoveContactsOperator(
        task_id="remove", list_id=list_id, emails=json.dumps(remove), sendpulse_conn_id=sendpulse_conn
    ).execute(make_context())
    assert result == {"list_id": list_id, "requested": 250, "removed": 250}
    calls = [(r["method"], r["path"]) for r in emulator.requests() if r["status"] == 200]
    assert calls.count(("POST", f"/addressbooks/{list_id}/emails/unsubscribe")) == 2
    assert calls.count(("DELETE", f"/addressbooks/{list_id}/emails")) == 3
    contacts = contacts_of(emulator, list_id)
    assert len(contacts) == 150
    assert all(c["status"] == 4 for c in contacts.values())


def test_remove_refuses_bad_emails_by_position(emulator: Any, sendpulse_conn: str, make_context: Any) -> None:
    op = SendPulseRemoveContactsOperator(
        task_id="remove", list_id=1, emails=["a@example.com", "jane.doe@"], sendpulse_conn_id=sendpulse_conn
    )
    with pytest.raises(SendPulseInputError) as info:
        op.execute(make_context())
    assert "emails[1]" in str(info.value)
    assert "jane.doe" not in str(info.value)
    assert emulator.requests() == []


def test_update_contact_variables(emulator: Any, sendpulse_conn: str, make_context: Any) -> None:
    list_id = emulator.create_list("Customers")
    emulator.seed_contacts(list_id, 2, prefix="user")
    result = SendPulseUpdateContactVariablesOperator(
        task_id="update",
        list_id=list_id,
        email="user1@example.com",
        variables={"name": "Ann", "orders": 4},
        sendpulse_conn_id=sendpulse_conn,
    ).execute(make_context())
    assert result == {"list_id": list_id, "email": "user1@example.com", "variables": ["name", "orders"]}
    variables = contacts_of(emulator, list_id)["user1@example.com"]["variables"]
    assert variables["name"] == "Ann"
    assert str(variables["orders"]) == "4"
    with pytest.raises(SendPulseInputError, match="variables: give at least one"):
        SendPulseUpdateContactVariablesOperator(
            task_id="update", list_id=list_id, email="user1@example.com", variables={}
        ).execute(make_context())


@pytest.mark.parametrize("suffix", ["csv", "jsonl", "csv.gz"])
def test_export_then_import_round_trip(
    emulator: Any, sendpulse_conn: str, make_context: Any, tmp_path: Path, suffix: str
) -> None:
    source = emulator.create_list("Source")
    SendPulseAddContactsOperator(
        task_id="seed",
        list_id=source,
        contacts=[{"email": f"c{i}@example.com", "name": f"C{i}", "city": "Kyiv"} for i in range(230)]
        + ["plain@example.com"],
        sendpulse_conn_id=sendpulse_conn,
    ).execute(make_context())
    path = ObjectStoragePath(f"file://{tmp_path}/export.{suffix}")
    exported = SendPulseExportContactsOperator(
        task_id="export", list_id=source, path=path, sendpulse_conn_id=sendpulse_conn
    ).execute(make_context())
    assert exported["count"] == 231
    assert exported["path"] == str(path)

    target = emulator.create_list("Target")
    summary = SendPulseAddContactsOperator(
        task_id="import", list_id=target, path=path, sendpulse_conn_id=sendpulse_conn
    ).execute(make_context())
    assert summary["added"] == 231
    before = {e: c["variables"] for e, c in contacts_of(emulator, source).items()}
    after = {e: c["variables"] for e, c in contacts_of(emulator, target).items()}
    assert after == before


def test_export_to_a_local_path_writes_atomically(
    emulator: Any, sendpulse_conn: str, make_context: Any, tmp_path: Path
) -> None:
    list_id = emulator.create_list("Source")
    emulator.seed_contacts(list_id, 120, prefix="user", variables={"plan": "pro"})
    target = tmp_path / "nested" / "members.csv"
    result = SendPulseExportContactsOperator(
        task_id="export",
        list_id=list_id,
        path=str(target),
        include_status=True,
        sendpulse_conn_id=sendpulse_conn,
    ).execute(make_context())
    assert result == {"list_id": list_id, "path": str(target), "format": "csv", "count": 120}
    lines = target.read_text().splitlines()
    assert lines[0] == "email,status,plan"
    assert lines[1] == "user0@example.com,1,pro" or lines[1].endswith(",1,pro")
    assert not list(tmp_path.glob("nested/*.partial"))


def test_the_summary_counts_duplicates_and_the_last_row_wins(
    emulator: Any, sendpulse_conn: str, make_context: Any, tmp_path: Path
) -> None:
    list_id = emulator.create_list("Dupes")
    lines = ["email,name"]
    lines += [f"user{n}@example.com,First{n}" for n in range(10)]
    lines += ["USER3@example.com,Second3", "user5@example.com,Second5", "not-an-email,X", ""]
    lines += ["user5@example.com,Third5"]
    path = tmp_path / "dupes.csv"
    path.write_text("\n".join(lines) + "\n")
    op = SendPulseAddContactsOperator(
        task_id="add",
        list_id=list_id,
        path=str(path),
        on_invalid="skip",
        batch_size=4,  # duplicates fall in different batches
        sendpulse_conn_id=sendpulse_conn,
    )
    summary = op.execute(make_context())
    assert {
        k: summary[k] for k in ("rows", "distinct", "duplicates", "invalid", "blank", "added", "skipped")
    } == {
        "rows": 14,
        "distinct": 10,
        "duplicates": 3,
        "invalid": 1,
        "blank": 1,
        "added": 10,
        "skipped": 5,
    }
    assert summary["duplicate_rule"] == "last row wins"
    members = {email.lower(): c for email, c in contacts_of(emulator, list_id).items()}
    assert len(members) == 10
    assert members["user5@example.com"]["variables"]["name"] == "Third5"
    assert members["user3@example.com"]["variables"]["name"] == "Second3"
