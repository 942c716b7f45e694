"""Mailing-list operators against the emulator."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_sendpulse.client.errors import SendPulseAmbiguousCreateError, SendPulseNotFoundError
from airflow_provider_sendpulse.hooks.sendpulse import SendPulseHook
from airflow_provider_sendpulse.operators import (
    SendPulseAddContactsOperator,
    SendPulseAddPhonesOperator,
    SendPulseCreateMailingListOperator,
    SendPulseDeleteMailingListOperator,
    SendPulseExportContactsOperator,
    SendPulseInputError,
    SendPulseListMailingListsOperator,
    SendPulseRemoveContactsOperator,
)


def list_names(emulator: Any) -> dict[str, int]:
    return {item["name"]: item["id"] for item in emulator.state()["lists"]}


def test_create_reuses_an_existing_list(emulator: Any, sendpulse_conn: str, make_context: Any) -> None:
    op = SendPulseCreateMailingListOperator(
        task_id="create", name="Customers", sendpulse_conn_id=sendpulse_conn
    )
    first = op.execute(make_context())
    again = op.execute(make_context(try_number=2))
    assert first == again
    assert list_names(emulator) == {"Customers": first}


def test_create_can_refuse_an_existing_list(emulator: Any, sendpulse_conn: str, make_context: Any) -> None:
    list_id = emulator.create_list("Customers")
    op = SendPulseCreateMailingListOperator(
        task_id="create", name="Customers", if_exists="fail", sendpulse_conn_id=sendpulse_conn
    )
    with pytest.raises(
        SendPulseInputError, match=rf"name: a mailing list named 'Customers' already exists \(id {list_id}\)"
    ):
        op.execute(make_context())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "  "}, "name: must be a non-empty string"),
        ({"name": "x", "if_exists": "replace"}, "if_exists"),
    ],
)
def test_create_refuses_bad_input_before_any_request(
    emulator: Any, sendpulse_conn: str, make_context: Any, kwargs: dict[str, Any], message: str
) -> None:
    def parse_and_run() -> None:
        op = SendPulseCreateMailingListOperator(task_id="create", sendpulse_conn_id=sendpulse_conn, **kwargs)
        op.execute(make_context())

    with pytest.raises(SendPulseInputError, match=message):
        parse_and_run()
    assert emulator.requests() == []


def test_list_and_delete(emulator: Any, sendpulse_conn: str, make_context: Any) -> None:
    keep = emulator.create_list("Newsletter EN")
    drop = emulator.create_list("Newsletter UA")
    emulator.create_list("Other")
    found = SendPulseListMailingListsOperator(
        task_id="lists", name_contains="newsletter", sendpulse_conn_id=sendpulse_conn
    ).execute(make_context())
    assert sorted(item["id"] for item in found) == sorted([keep, drop])
    assert all("all_email_qty" in item for item in found)

    delete = SendPulseDeleteMailingListOperator(
        task_id="delete", list_id=str(drop), sendpulse_conn_id=sendpulse_conn
    )
    assert delete.execute(make_context()) == {"list_id": drop, "deleted": True}
    assert drop not in list_names(emulator).values()
    with pytest.raises(SendPulseNotFoundError):
        delete.execute(make_context(try_number=2))
    tolerant = SendPulseDeleteMailingListOperator(
        task_id="delete", list_id=drop, missing_ok=True, sendpulse_conn_id=sendpulse_conn
    )
    assert tolerant.execute(make_context(try_number=2)) == {"list_id": drop, "deleted": False}


def test_delete_refuses_a_bad_id(emulator: Any, sendpulse_conn: str, make_context: Any) -> None:
    op = SendPulseDeleteMailingListOperator(task_id="delete", list_id="abc", sendpulse_conn_id=sendpulse_conn)
    with pytest.raises(SendPulseInputError, match="list_id: must be a positive integer, got 'abc'"):
        op.execute(make_context())
    assert emulator.requests() == []


def test_create_reconciles_an_ambiguous_create(
    emulator: Any, sendpulse_conn: str, make_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_create = SendPulseHook.create_mailing_list

    def create_then_lose_answer(self: SendPulseHook, name: str) -> int:
        real_create(self, name)
        raise SendPulseAmbiguousCreateError("connection dropped", method="POST", path="/addressbooks")

    monkeypatch.setattr(SendPulseHook, "create_mailing_list", create_then_lose_answer)
    op = SendPulseCreateMailingListOperator(
        task_id="create", name="Customers", sendpulse_conn_id=sendpulse_conn
    )
    list_id = op.execute(make_context())
    assert list_names(emulator) == {"Customers": list_id}


def test_list_name_looks_a_list_up_and_never_creates_one(
    emulator: Any, sendpulse_conn: str, make_context: Any
) -> None:
    list_id = emulator.create_list("Customers")
    emulator.seed_contacts(list_id, 3)
    export = SendPulseExportContactsOperator(
        task_id="export", list_name="Customers", path="/dev/null.csv", sendpulse_conn_id=sendpulse_conn
    )
    add = SendPulseAddContactsOperator(
        task_id="add", list_name="Customers", contacts=["new@example.com"], sendpulse_conn_id=sendpulse_conn
    )
    assert add.execute(make_context())["list_id"] == list_id
    missing = SendPulseRemoveContactsOperator(
        task_id="remove", list_name="Customrs", emails=["new@example.com"], sendpulse_conn_id=sendpulse_conn
    )
    with pytest.raises(SendPulseInputError, match="list_name: no mailing list named 'Customrs'"):
        missing.execute(make_context())
    both = SendPulseAddPhonesOperator(
        task_id="phones", list_id=list_id, list_name="Customers", phones=["380501234567"]
    )
    with pytest.raises(SendPulseInputError, match="give exactly one of list_id and list_name"):
        both.execute(make_context())
    assert list_names(emulator) == {"Customers": list_id}
    assert "list_name" in export.template_fields
