"""The email verification operator against the emulator: a list (deferred or polled here) or emails."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from airflow_fakes import FakeStateStore

from airflow_provider_sendpulse.operators import SendPulseInputError, SendPulseVerifyEmailsOperator
from airflow_provider_sendpulse.operators.verifier import STATE_KEY

ADDRESSES = ["ann@example.com", "invalid.bob@example.com", "bounce.cy@example.com", "dan@example.com"]


def verify_op(conn_id: str, **kwargs: Any) -> SendPulseVerifyEmailsOperator:
    return SendPulseVerifyEmailsOperator(
        task_id="verify", sendpulse_conn_id=conn_id, poll_interval=0.2, **kwargs
    )


def seeded_list(emulator: Any) -> int:
    list_id = emulator.create_list("To clean")
    emulator.add_contacts(list_id, [{"email": e, "variables": {}} for e in ADDRESSES])
    return int(list_id)


def list_emails(emulator: Any, list_id: int) -> list[str]:
    (found,) = [item for item in emulator.state()["lists"] if item["id"] == list_id]
    return [c["email"] for c in found["contacts"]]


def test_verify_a_list_here_and_remove_invalid(emulator: Any, sendpulse_conn: str, make_context: Any) -> None:
    emulator.configure(campaign_step_seconds=0.5)
    list_id = seeded_list(emulator)
    store = FakeStateStore()
    result = verify_op(sendpulse_conn, list_id=list_id, invalid_action="remove", deferrable=False).execute(
        make_context(store=store)
    )
    assert result["counts"]["invalid"] >= 2
    assert result["total"] == 4
    assert result["acted_on"] == result["counts"]["invalid"]
    remaining = list_emails(emulator, list_id)
    assert "invalid.bob@example.com" not in remaining
    assert "ann@example.com" in remaining or result["counts"]["invalid"] == 4
    # A retry waits for the same verification instead of starting another.
    again = verify_op(sendpulse_conn, list_id=list_id, deferrable=False).execute(
        make_context(store=store, try_number=2)
    )
    assert store.data[STATE_KEY] == list_id
    assert again["counts"] == result["counts"]
    starts = [r for r in emulator.requests() if r["path"] == "/verifier-service/send-list-to-verify"]
    assert len(starts) == 1


def test_verify_a_list_deferred(emulator: Any, sendpulse_conn: str, make_context: Any) -> None:
    from airflow.providers.common.compat.sdk import TaskDeferred

    emulator.configure(campaign_step_seconds=0.5)
    list_id = seeded_list(emulator)
    operator = verify_op(sendpulse_conn, list_id=list_id, invalid_action="unsubscribe", deferrable=True)
    context = make_context()
    with pytest.raises(TaskDeferred) as deferred:
        operator.execute(context)
    trigger = deferred.value.trigger
    _, kwargs = trigger.serialize()
    assert kwargs["list_id"] == list_id
    event = asyncio.run(asyncio.wait_for(trigger.run().__anext__(), 30)).payload
    assert event["status"] == "done"
    result = operator.execute_complete(context, event)
    assert result["acted_on"] == result["counts"]["invalid"] >= 2
    (book,) = [item for item in emulator.state()["lists"] if item["id"] == list_id]
    statuses = {c["email"]: c["status"] for c in book["contacts"]}
    assert statuses["invalid.bob@example.com"] == 4  # unsubscribed, kept in the list


def test_verify_emails_one_by_one(emulator: Any, sendpulse_conn: str, make_context: Any) -> None:
    result = verify_op(sendpulse_conn, emails=ADDRESSES).execute(make_context())
    assert result["total"] == 4
    assert {"invalid.bob@example.com", "bounce.cy@example.com"} <= set(result["invalid_emails"])
    assert sum(result["counts"].values()) == 4


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "give a mailing list or emails"),
        ({"list_id": 5, "emails": ["a@example.com"]}, "give a mailing list or emails"),
        ({"emails": ["a@example.com"], "invalid_action": "remove"}, "only works on a mailing list"),
        ({"emails": ["nope"]}, r"emails\[0\] must contain exactly one"),
        ({"list_id": "x"}, "list_id: must be a positive integer"),
        ({"list_id": 5, "poll_interval": -1}, "poll_interval"),
    ],
)
def test_bad_input(
    emulator: Any, sendpulse_conn: str, make_context: Any, kwargs: dict[str, Any], message: str
) -> None:
    params = {"poll_interval": 0.2, **kwargs}
    with pytest.raises(SendPulseInputError, match=message):
        SendPulseVerifyEmailsOperator(task_id="v", sendpulse_conn_id=sendpulse_conn, **params).execute(
            make_context()
        )
    assert [r for r in emulator.requests() if r["path"].startswith("/verifier")] == []


def test_bad_action_refused_at_parse_time() -> None:
    with pytest.raises(SendPulseInputError, match="invalid_action"):
        SendPulseVerifyEmailsOperator(task_id="v", list_id=1, invalid_action="delete")  # type: ignore[arg-type]
