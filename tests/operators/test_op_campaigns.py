"""Campaign operators against the emulator, including retry safety."""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from account_zone import EMULATOR_TIMEZONE

from airflow_provider_sendpulse.client.errors import SendPulseAmbiguousCreateError, SendPulseError
from airflow_provider_sendpulse.hooks.create_once import CAMPAIGN_ONCE
from airflow_provider_sendpulse.hooks.sendpulse import SendPulseHook
from airflow_provider_sendpulse.operators import (
    SendPulseCancelCampaignOperator,
    SendPulseCreateCampaignOperator,
    SendPulseGetCampaignStatsOperator,
    SendPulseInputError,
)
from airflow_provider_sendpulse.operators.identity import TaskState

SENDER = {"sender_name": "Shop", "sender_email": "sender@example.com"}


@pytest.fixture
def list_id(emulator: Any) -> int:
    list_id: int = emulator.create_list("Customers")
    emulator.seed_contacts(list_id, 40, prefix="user")
    return list_id


def campaigns(emulator: Any) -> list[dict[str, Any]]:
    return list(emulator.state()["campaigns"])


def create_op(conn_id: str, **kwargs: Any) -> SendPulseCreateCampaignOperator:
    params: dict[str, Any] = {**SENDER, "subject": "Hello", "body_html": "<h1>Hi {{name}}</h1>"}
    params.update(kwargs)
    return SendPulseCreateCampaignOperator(task_id="send_campaign", sendpulse_conn_id=conn_id, **params)


def test_create_sends_base64_html_and_pushes_id_and_url(
    emulator: Any, sendpulse_conn: str, make_context: Any, list_id: int
) -> None:
    context = make_context(task_id="send_campaign")
    result = create_op(sendpulse_conn, list_ids=[list_id], track_opens=True).execute(context)
    assert result["created"] is True
    assert result["name"] == "airflow sendpulse_daily.send_campaign scheduled__2026-11-27T00:00:00+00:00"
    assert result["status"] == 13
    assert result["status_name"] == "creating (copying addresses)"
    assert result["url"] == f"{emulator.url}/_emulator/campaigns/{result['id']}"
    assert context["ti"].xcoms == {"campaign_id": result["id"], "campaign_url": result["url"]}
    assert context["task_state_store"].data == {
        "sendpulse_campaign_id": {"state": "created", "id": result["id"]}
    }
    [campaign] = campaigns(emulator)
    assert campaign["id"] == result["id"]
    assert campaign["recipients"] == 40
    # SendPulse shows the decoded HTML: proof that the body went out base64-encoded.
    detail = SendPulseHook(sendpulse_conn_id=sendpulse_conn).get_campaign(result["id"])
    assert detail["message"]["body"] == "<h1>Hi {{name}}</h1>"


def test_body_is_base64_on_the_wire(
    emulator: Any, sendpulse_conn: str, make_context: Any, list_id: int
) -> None:
    spec = create_op(sendpulse_conn, list_ids=list_id, body_html="<p>Привіт</p>").build_spec(make_context())
    body = spec.to_dict()["body"]
    assert base64.b64decode(body).decode() == "<p>Привіт</p>"
    assert spec.to_dict()["list_id"] == list_id


def test_create_from_template_to_a_segment_scheduled_as_draft(
    emulator: Any, sendpulse_conn: str, make_context: Any, list_id: int
) -> None:
    template_id = emulator.state()["templates"][0]["id"]
    when = datetime.now(UTC) + timedelta(days=2)
    op = create_op(
        sendpulse_conn,
        body_html=None,
        template_id=str(template_id),
        list_ids=f"[{list_id}]",
        send_date=when,
        name="Weekly {{ ds }}",
        draft=True,
        attachments={"terms.txt": "Terms apply."},
    )
    result = op.execute(make_context())
    assert result["status_name"] == "draft"
    [campaign] = campaigns(emulator)
    assert campaign["name"] == "Weekly {{ ds }}"  # not rendered: execute() was called directly
    # An aware datetime goes out in the account's time zone.
    assert campaign["send_date"] == when.astimezone(ZoneInfo(EMULATOR_TIMEZONE)).strftime("%Y-%m-%d %H:%M:%S")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"list_ids": 1, "template_id": 5}, "give exactly one of body_html and template_id"),
        ({"list_ids": 1, "body_html": None}, "give exactly one of body_html and template_id"),
        ({}, "give exactly one of list_ids and segment_id"),
        ({"list_ids": 1, "segment_id": 2}, "give exactly one of list_ids and segment_id"),
        ({"list_ids": list(range(1, 12))}, "list_ids: at most 10 mailing lists per campaign, got 11"),
        ({"list_ids": [1, 0]}, r"list_ids\[1\]: must be a positive integer"),
        ({"list_ids": "abc"}, "list_ids"),
        (
            {"list_ids": 1, "send_date": "2020-01-01 10:00:00"},
            "send_date: 2020-01-01 10:00:00 is in the past",
        ),
        ({"list_ids": 1, "send_date": "next friday"}, "send_date: 'next friday' is not a date"),
        ({"list_ids": 1, "sender_email": "shop"}, "sender_email: the email address"),
        ({"list_ids": 1, "subject": ""}, "subject: must be a non-empty string"),
        (
            {"list_ids": 1, "attachments": {f"f{i}.txt": "x" for i in range(6)}},
            "attachments: at most 5 files, got 6",
        ),
        ({"list_ids": 1, "attachments": {"a.bin": b"x"}}, "content must be text"),
        ({"list_ids": 1, "template_id": True, "body_html": None}, "template_id"),
        ({"list_ids": 1, "track_opens": "yes"}, "track_opens: must be True or False"),
        ({"list_ids": 1, "utm_campaign": 5}, "utm_campaign: must be a string"),
    ],
)
def test_bad_input_is_refused_before_any_request(
    emulator: Any, sendpulse_conn: str, make_context: Any, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(SendPulseInputError, match=message):
        create_op(sendpulse_conn, **kwargs).execute(make_context())
    assert emulator.requests() == []


def test_sendpulse_errors_come_through_typed(
    emulator: Any, sendpulse_conn: str, make_context: Any, list_id: int
) -> None:
    with pytest.raises(SendPulseInputError) as refused:
        create_op(sendpulse_conn, list_ids=list_id, sender_email="unknown@example.com").execute(
            make_context()
        )
    message = str(refused.value)
    assert message.startswith("sender_email: 'unknown@example.com' is not an activated sender")
    assert "Sender not found" in message
    assert "list_senders()" in message
    assert isinstance(refused.value.__cause__, SendPulseError)


def test_retry_after_a_crash_right_after_creation_finds_the_campaign(
    emulator: Any, sendpulse_conn: str, make_context: Any, list_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker dies after SendPulse created the campaign but before anything was recorded."""

    class WorkerDied(BaseException):
        pass

    def die(self: TaskState, key: str, value: Any) -> None:
        raise WorkerDied

    store_of_first_try = make_context()["task_state_store"]
    with monkeypatch.context() as patch:
        patch.setattr(TaskState, "set", die)
        with pytest.raises(WorkerDied):
            create_op(sendpulse_conn, list_ids=list_id).execute(make_context(store=store_of_first_try))
    assert len(campaigns(emulator)) == 1
    assert store_of_first_try.data == {}

    retry = make_context(try_number=2, store=store_of_first_try)
    result = create_op(sendpulse_conn, list_ids=list_id).execute(retry)
    assert result["created"] is False
    [campaign] = campaigns(emulator)
    assert result["id"] == campaign["id"]
    assert retry["ti"].xcoms["campaign_id"] == campaign["id"]


def test_retry_uses_the_stored_id_without_searching(
    emulator: Any, sendpulse_conn: str, make_context: Any, list_id: int
) -> None:
    first = make_context()
    created = create_op(sendpulse_conn, list_ids=list_id).execute(first)
    emulator.clear_requests()
    retry = make_context(try_number=2, store=first["task_state_store"])
    again = create_op(sendpulse_conn, list_ids=list_id).execute(retry)
    assert (again["id"], again["created"]) == (created["id"], False)
    assert len(campaigns(emulator)) == 1
    paths = {(r["method"], r["path"]) for r in emulator.requests() if r["status"] == 200}
    assert paths == {("GET", f"/campaigns/{created['id']}")}


def test_retry_without_a_state_store_finds_the_campaign_by_name(
    emulator: Any, sendpulse_conn: str, make_context: Any, list_id: int
) -> None:
    """Airflow before 3.3 has no task state store: the deterministic name is the identity."""
    created = create_op(sendpulse_conn, list_ids=list_id).execute(make_context(with_store=False))
    again = create_op(sendpulse_conn, list_ids=list_id).execute(make_context(try_number=2, with_store=False))
    assert again["id"] == created["id"]
    assert len(campaigns(emulator)) == 1
    # Another run of the same task is another identity: it creates its own campaign.
    other_run = make_context(try_number=2, with_store=False, run_id="scheduled__2026-11-28T00:00:00+00:00")
    assert create_op(sendpulse_conn, list_ids=list_id).execute(other_run)["id"] != created["id"]


def test_create_timing_out_then_retry_gives_one_campaign(
    emulator: Any, make_context: Any, list_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The create call times out, so its outcome is unknown; whatever SendPulse did, the retry leaves one."""
    monkeypatch.setenv(
        "AIRFLOW_CONN_SENDPULSE_SLOW",
        json.dumps(
            {
                "conn_type": "sendpulse",
                "host": emulator.url,
                "login": "sendpulse-emulator-id",
                "password": "sendpulse-emulator-secret",
                "extra": {"timeout": 0.5},
            }
        ),
    )
    emulator.add_fault(method="POST", path="/campaigns", delay=1.5)
    store = make_context()["task_state_store"]
    with pytest.raises(SendPulseAmbiguousCreateError):
        create_op("sendpulse_slow", list_ids=list_id).execute(make_context(store=store))
    time.sleep(1.5)  # let the delayed request finish on the server, whatever it does
    result = create_op("sendpulse_slow", list_ids=list_id).execute(make_context(try_number=2, store=store))
    assert [c["id"] for c in campaigns(emulator)] == [result["id"]]


def test_ambiguous_create_that_happened_is_reconciled_by_name(
    emulator: Any, sendpulse_conn: str, make_context: Any, list_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SendPulse created the campaign but the answer was lost: the same try finds it, nothing is resent."""
    real_create = SendPulseHook.create_campaign

    def create_then_lose_answer(self: SendPulseHook, spec: Any) -> dict[str, Any]:
        real_create(self, spec)
        raise SendPulseAmbiguousCreateError("connection dropped", method="POST", path="/campaigns")

    monkeypatch.setattr(SendPulseHook, "create_campaign", create_then_lose_answer)
    context = make_context()
    result = create_op(sendpulse_conn, list_ids=list_id).execute(context)
    [campaign] = campaigns(emulator)
    assert (result["id"], result["created"]) == (campaign["id"], True)
    assert context["ti"].xcoms["campaign_id"] == campaign["id"]
    assert context["task_state_store"].data == {
        "sendpulse_campaign_id": {"state": "created", "id": campaign["id"]}
    }


def test_a_stored_campaign_that_vanished_is_not_recreated(
    emulator: Any, sendpulse_conn: str, make_context: Any, list_id: int
) -> None:
    context = make_context()
    context["task_state_store"].set(CAMPAIGN_ONCE.key, 999)
    with pytest.raises(SendPulseInputError, match="refusing to create another"):
        create_op(sendpulse_conn, list_ids=list_id).execute(context)
    assert campaigns(emulator) == []


def test_cancel_and_stats(emulator: Any, sendpulse_conn: str, make_context: Any, list_id: int) -> None:
    scheduled = create_op(
        sendpulse_conn, list_ids=list_id, send_date=datetime.now(UTC) + timedelta(hours=3)
    ).execute(make_context())
    canceled = SendPulseCancelCampaignOperator(
        task_id="cancel", campaign_id=str(scheduled["id"]), sendpulse_conn_id=sendpulse_conn
    ).execute(make_context())
    assert canceled == {"id": scheduled["id"], "canceled": True}
    assert campaigns(emulator)[0]["status"] == 16

    other = emulator.create_list("Other")
    emulator.seed_contacts(other, 500, prefix="o")
    sent = create_op(sendpulse_conn, list_ids=other, name="Sent one").execute(make_context(task_id="x"))
    emulator.advance_clock(3600)
    stats = SendPulseGetCampaignStatsOperator(
        task_id="stats", campaign_id=sent["id"], sendpulse_conn_id=sendpulse_conn
    ).execute(make_context())
    assert stats["status"] == 3
    assert stats["status_name"] == "sent"
    assert stats["name"] == "Sent one"
    assert stats["sent"] == 500
    assert 0 < stats["opens"] <= stats["delivered"] <= 500
    assert 0 <= stats["clicks"] <= stats["opens"]
    assert sum(stats["countries"].values()) == stats["opens"]
    assert sum(r["count"] for r in stats["referrals"]) == stats["clicks"]
    json.dumps(stats)


def test_cancel_and_stats_refuse_bad_ids(emulator: Any, sendpulse_conn: str, make_context: Any) -> None:
    with pytest.raises(SendPulseInputError, match="campaign_id"):
        SendPulseCancelCampaignOperator(task_id="c", campaign_id="None").execute(make_context())
    with pytest.raises(SendPulseInputError, match="campaign_id"):
        SendPulseGetCampaignStatsOperator(task_id="s", campaign_id=-3).execute(make_context())
    assert emulator.requests() == []


def _run_deferral(operator: SendPulseCreateCampaignOperator, context: Any) -> dict[str, Any]:
    """Execute the operator; when it defers, run its trigger to the first event and resume it."""
    import asyncio

    from airflow.providers.common.compat.sdk import TaskDeferred

    try:
        return operator.execute(context)
    except TaskDeferred as deferred:
        trigger = deferred.trigger

        async def first_event() -> dict[str, Any]:
            event = await asyncio.wait_for(trigger.run().__anext__(), 30)
            payload: dict[str, Any] = event.payload
            return payload

        event = asyncio.run(first_event())
        resume = getattr(operator, deferred.method_name)
        result: dict[str, Any] = resume(context, event, **(deferred.kwargs or {}))
        return result


@pytest.mark.parametrize("deferrable", [True, False], ids=["in the triggerer", "in the task"])
def test_wait_for_completion_waits_until_sent_and_returns_statistics(
    emulator: Any, sendpulse_conn: str, make_context: Any, list_id: int, deferrable: bool
) -> None:
    emulator.configure(campaign_step_seconds=0.3)
    context = make_context(task_id="send_campaign")
    operator = create_op(
        sendpulse_conn, list_ids=[list_id], wait_for_completion=True, deferrable=deferrable, poll_interval=0.2
    )

    # Not deferrable, execute() itself returns (a deferral would raise TaskDeferred here).
    result = _run_deferral(operator, context) if deferrable else operator.execute(context)

    assert result["status"] == 3
    assert result["status_name"] == "sent"
    assert result["statistics"]
    assert result["created"] is True
    assert context["ti"].xcoms["campaign_id"] == result["id"]
    assert [c["status"] for c in campaigns(emulator)] == [3]


def test_wait_for_completion_fails_on_a_canceled_campaign(
    emulator: Any, sendpulse_conn: str, make_context: Any, list_id: int
) -> None:
    import asyncio

    from airflow.providers.common.compat.sdk import AirflowFailException, TaskDeferred

    emulator.configure(campaign_step_seconds=30)
    context = make_context(task_id="send_campaign")
    operator = create_op(
        sendpulse_conn, list_ids=[list_id], wait_for_completion=True, deferrable=True, poll_interval=0.2
    )
    with pytest.raises(TaskDeferred) as deferred:
        operator.execute(context)
    SendPulseHook(sendpulse_conn_id=sendpulse_conn).cancel_campaign(context["ti"].xcoms["campaign_id"])

    trigger = deferred.value.trigger
    event = asyncio.run(asyncio.wait_for(trigger.run().__anext__(), 30)).payload
    with pytest.raises(AirflowFailException, match="canceled"):
        operator.execute_complete(context, event, **deferred.value.kwargs)


def test_wait_for_completion_refuses_a_draft(sendpulse_conn: str, list_id: int) -> None:
    with pytest.raises(SendPulseInputError, match="wait_for_completion: a draft is never sent"):
        create_op(sendpulse_conn, list_ids=[list_id], wait_for_completion=True, draft=True)


def test_wait_for_completion_without_a_triggerer_times_out(
    emulator: Any, sendpulse_conn: str, make_context: Any, list_id: int
) -> None:
    from airflow.providers.common.compat.sdk import AirflowSensorTimeout

    emulator.configure(campaign_step_seconds=600)
    operator = create_op(
        sendpulse_conn,
        list_ids=[list_id],
        wait_for_completion=True,
        deferrable=False,
        poll_interval=0.1,
        wait_timeout=0.3,
    )
    with pytest.raises(AirflowSensorTimeout, match="did not reach a final status in time"):
        operator.execute(make_context(task_id="send_campaign"))
