"""Transactional email operators against the emulator: send once per task instance, export the logs."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from airflow_fakes import FakeStateStore

from airflow_provider_sendpulse.client.errors import SendPulseAmbiguousCreateError, SendPulseValidationError
from airflow_provider_sendpulse.hooks.create_once import EMAIL_ONCE
from airflow_provider_sendpulse.operators import (
    SendPulseExportTransactionalEmailsOperator,
    SendPulseInputError,
    SendPulseSendTransactionalEmailOperator,
)

SENDER = "sender@example.com"


def send_op(conn_id: str, **kwargs: Any) -> SendPulseSendTransactionalEmailOperator:
    params: dict[str, Any] = {
        "sender_email": SENDER,
        "sender_name": "Shop",
        "to": "ann@example.com",
        "subject": "Your receipt",
        "html": "<p>Thanks for order <b>42</b></p>",
    }
    params.update(kwargs)
    return SendPulseSendTransactionalEmailOperator(task_id="mail", sendpulse_conn_id=conn_id, **params)


def smtp_posts(emulator: Any) -> list[dict[str, Any]]:
    return [r for r in emulator.requests() if r["path"] == "/smtp/emails" and r["method"] == "POST"]


def test_send_html_to_many_with_cc_and_attachment(
    emulator: Any, sendpulse_conn: str, make_context: Any
) -> None:
    context = make_context()
    result = send_op(
        sendpulse_conn,
        to=[{"email": "ann@example.com", "name": "Ann"}, "bob@example.com"],
        cc="boss@example.com",
        attachments={"report.csv": "a,b\n1,2\n"},
    ).execute(context)
    state = emulator.smtp_state()
    assert result == {"message_id": state["recent"][0]["id"], "recipients": 3, "created": True}
    assert [r["recipient"] for r in state["recent"]] == [
        "ann@example.com",
        "bob@example.com",
        "boss@example.com",
    ]
    assert context["ti"].xcoms == {"smtp_message_id": result["message_id"]}


def test_send_a_template(emulator: Any, sendpulse_conn: str, make_context: Any) -> None:
    template_id = emulator.state()["templates"][0]["id"]
    result = send_op(
        sendpulse_conn, html=None, template_id=str(template_id), variables={"name": "Ann"}
    ).execute(make_context())
    assert result["created"] is True


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"to": []}, "to: give at least one recipient"),
        ({"to": ["ann@example.com", "nope"]}, r"to\[1\]: the email address must contain exactly one '@'"),
        ({"sender_email": "x"}, "sender_email: the email address"),
        ({"subject": ""}, "subject: must be a non-empty string"),
        ({"html": None}, "give a body .* or a template_id"),
        ({"template_id": 5}, "give a body .* or a template_id"),
        ({"html": None, "template_id": "abc"}, "template_id: must be a positive integer"),
        ({"variables": {"a": 1}}, "variables: only a template takes variables"),
        ({"attachments": ["a.txt"]}, "attachments: expected"),
        ({"bcc": [f"r{n}@example.com" for n in range(100)]}, "at most 100 recipients"),
    ],
)
def test_bad_input_refused_before_any_request(
    emulator: Any, sendpulse_conn: str, make_context: Any, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises((SendPulseInputError, ValueError), match=message):
        send_op(sendpulse_conn, **kwargs).execute(make_context())
    assert smtp_posts(emulator) == []


def test_smtp_not_activated_is_reported(emulator: Any, sendpulse_conn: str, make_context: Any) -> None:
    emulator.set_smtp_activated(False)
    store = FakeStateStore()
    with pytest.raises(SendPulseValidationError, match="create SMTP account first"):
        send_op(sendpulse_conn).execute(make_context(store=store))
    assert store.data[EMAIL_ONCE.key] == {"state": "failed"}


def test_a_retry_returns_the_recorded_message(emulator: Any, sendpulse_conn: str, make_context: Any) -> None:
    store = FakeStateStore()
    first = send_op(sendpulse_conn).execute(make_context(store=store))
    again = send_op(sendpulse_conn).execute(make_context(store=store, try_number=2))
    assert again == {**first, "created": False}
    assert len(smtp_posts(emulator)) == 1


def test_a_lost_answer_is_found_in_the_log_not_sent_twice(
    emulator: Any, sendpulse_conn: str, make_context: Any
) -> None:
    emulator.add_fault(method="POST", path="/smtp/emails", status=504, after=True)
    result = send_op(sendpulse_conn).execute(make_context())
    assert result["created"] is True  # by this try, whose answer was lost
    assert result["message_id"] == emulator.smtp_state()["recent"][0]["id"]
    assert emulator.smtp_state()["messages"] == 1


def test_an_unaccounted_send_is_not_repeated(emulator: Any, sendpulse_conn: str, make_context: Any) -> None:
    store = FakeStateStore()
    store.set(EMAIL_ONCE.key, {"state": "creating"})  # an earlier try died mid-call; nothing is logged
    with pytest.raises(SendPulseInputError, match="refusing to send twice"):
        send_op(sendpulse_conn).execute(make_context(store=store, try_number=2))
    assert smtp_posts(emulator) == []


def test_a_dropped_request_that_never_arrived_is_raised(
    emulator: Any, sendpulse_conn: str, make_context: Any
) -> None:
    emulator.add_fault(method="POST", path="/smtp/emails", drop=True)  # dropped before the route ran
    with pytest.raises(SendPulseAmbiguousCreateError):
        send_op(sendpulse_conn).execute(make_context())
    assert emulator.smtp_state()["messages"] == 0


def test_mapped_over_recipients_each_sends_once(
    emulator: Any, sendpulse_conn: str, make_context: Any
) -> None:
    for index, address in enumerate(["a@example.com", "b@example.com"]):
        store = FakeStateStore()
        send_op(sendpulse_conn, to=address).execute(make_context(store=store, map_index=index))
        send_op(sendpulse_conn, to=address).execute(make_context(store=store, map_index=index, try_number=2))
    assert [r["recipient"] for r in emulator.smtp_state()["recent"]] == ["a@example.com", "b@example.com"]


def _export(conn_id: str, path: Path, start: datetime, end: datetime, **kwargs: Any) -> dict[str, Any]:
    return SendPulseExportTransactionalEmailsOperator(
        task_id="export", sendpulse_conn_id=conn_id, path=str(path), start=start, end=end, **kwargs
    ).execute({})


def test_export_keeps_only_the_interval_even_when_it_cuts_days(
    emulator: Any, sendpulse_conn: str, make_context: Any, tmp_path: Path
) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    send_op(sendpulse_conn, to=["a@example.com", "b@example.com"]).execute(make_context())
    emulator.advance_clock(3600)
    send_op(sendpulse_conn, to="c@example.com", subject="Later").execute(make_context())
    first_hour = _export(sendpulse_conn, tmp_path / "h1.csv", before, before + timedelta(seconds=1800))
    assert first_hour["records"] == 2
    with (tmp_path / "h1.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert [r["recipient"] for r in rows] == ["a@example.com", "b@example.com"]
    assert set(rows[0]) >= {"id", "sent_at", "delivered", "opens", "clicks", "smtp_answer_code"}
    later = _export(
        sendpulse_conn, tmp_path / "h2.jsonl", before + timedelta(seconds=1800), before + timedelta(hours=3)
    )
    assert later["records"] == 1
    record = json.loads((tmp_path / "h2.jsonl").read_text())
    assert (record["recipient"], record["subject"]) == ("c@example.com", "Later")
    # A window over several days: every day it touches is read.
    assert (
        _export(sendpulse_conn, tmp_path / "all.csv", before - timedelta(days=2), before + timedelta(days=1))[
            "records"
        ]
        == 3
    )


def test_export_bounces_and_unsubscribes(
    emulator: Any, sendpulse_conn: str, make_context: Any, tmp_path: Path
) -> None:
    from airflow_provider_sendpulse.hooks.sendpulse import SendPulseHook

    before = datetime.now(UTC) - timedelta(minutes=1)
    recipients = [f"r{n}@example.com" for n in range(60)]
    send_op(sendpulse_conn, to=recipients).execute(make_context())
    SendPulseHook(sendpulse_conn).call("POST", "/smtp/unsubscribe", json=[{"email": "r1@example.com"}])
    after = datetime.now(UTC) + timedelta(minutes=1)
    bounced = [r for r in emulator.smtp_state(cap=100)["recent"] if r["bounced"]]
    result = _export(sendpulse_conn, tmp_path / "b.jsonl", before, after, kind="bounces")
    assert result["records"] == len(bounced)
    result = _export(sendpulse_conn, tmp_path / "u.csv", before, after, kind="unsubscribes")
    assert result["records"] == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"start": "yesterday"}, "start: 'yesterday' is not an ISO 8601"),
        ({"start": datetime(2026, 1, 1)}, "has no time zone"),
        ({"start": datetime(2026, 1, 2, tzinfo=UTC)}, "is empty"),
        ({"path": "out.txt"}, "file_format: cannot tell the format"),
    ],
)
def test_export_bad_input(
    emulator: Any, sendpulse_conn: str, tmp_path: Path, kwargs: dict[str, Any], message: str
) -> None:
    params: dict[str, Any] = {
        "start": datetime(2026, 1, 1, tzinfo=UTC),
        "end": datetime(2026, 1, 2, tzinfo=UTC),
    }
    params.update(kwargs)
    params["path"] = str(tmp_path / params.get("path", "out.csv"))
    with pytest.raises(SendPulseInputError, match=message):
        SendPulseExportTransactionalEmailsOperator(
            task_id="x", sendpulse_conn_id=sendpulse_conn, **params
        ).execute({})
    assert [r for r in emulator.requests() if r["path"].startswith("/smtp")] == []
