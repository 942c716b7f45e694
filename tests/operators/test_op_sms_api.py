"""SMS and generic API operators against the emulator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from account_zone import EMULATOR_TIMEZONE

from airflow_provider_sendpulse.client.errors import SendPulseError, SendPulseNotFoundError
from airflow_provider_sendpulse.hooks.create_once import SMS_ONCE
from airflow_provider_sendpulse.hooks.sendpulse import SendPulseHook
from airflow_provider_sendpulse.operators import (
    SendPulseAddPhonesOperator,
    SendPulseApiOperator,
    SendPulseInputError,
    SendPulseSendSmsOperator,
)


def sms_campaigns(emulator: Any) -> list[dict[str, Any]]:
    return list(emulator.state()["sms_campaigns"])


def sms_op(conn_id: str, **kwargs: Any) -> SendPulseSendSmsOperator:
    params: dict[str, Any] = {"sender": "Shop", "body": "Your order has shipped"}
    params.update(kwargs)
    return SendPulseSendSmsOperator(task_id="text", sendpulse_conn_id=conn_id, **params)


def test_send_to_phones_normalises_them(emulator: Any, sendpulse_conn: str, make_context: Any) -> None:
    context = make_context()
    result = sms_op(sendpulse_conn, phones=["+380 93 123-45-67", "14155550134"], emulate=True).execute(
        context
    )
    [sent] = sms_campaigns(emulator)
    assert result == {
        "campaign_id": sent["id"],
        "recipients": 2,
        "list_id": None,
        "emulate": True,
        "created": True,
    }
    assert sorted(sent["phones"]) == ["14155550134", "380931234567"]
    assert context["ti"].xcoms == {"sms_campaign_id": sent["id"]}


def test_send_to_a_list_with_a_date(emulator: Any, sendpulse_conn: str, make_context: Any) -> None:
    list_id = emulator.create_list("Phones")
    added = SendPulseAddPhonesOperator(
        task_id="phones",
        list_id=list_id,
        phones=["+44 20 7946 0958", "380931234567"],
        sendpulse_conn_id=sendpulse_conn,
    ).execute(make_context())
    assert added == {"list_id": list_id, "phones": 2, "counters": {"added": 2, "exceptions": 0, "exists": 0}}
    when = datetime.now(UTC) + timedelta(hours=1)
    result = sms_op(sendpulse_conn, list_id=list_id, send_date=when).execute(make_context())
    [sent] = sms_campaigns(emulator)
    assert (result["campaign_id"], result["list_id"]) == (sent["id"], list_id)
    assert sent["address_book_id"] == list_id
    # An aware datetime goes out in the account's time zone.
    assert sent["send_date"] == when.astimezone(ZoneInfo(EMULATOR_TIMEZONE)).strftime("%Y-%m-%d %H:%M:%S")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sender": "TwelveLetter", "phones": ["380931234567"]}, "sender: at most 11 characters, got 12"),
        ({"phones": ["380931234567", "093 123 4567"]}, r"phones\[1\] must be in international format"),
        ({"phones": ["38093abc"]}, r"phones\[0\] may contain only digits"),
        ({}, "give exactly one of phones and list_id"),
        ({"phones": ["380931234567"], "list_id": 3}, "give exactly one of phones and list_id"),
        ({"list_id": "x"}, "list_id: must be a positive integer"),
        ({"phones": ["380931234567"], "body": ""}, "body: must be a non-empty string"),
        ({"phones": ["380931234567"], "send_date": "2001-01-01 00:00:00"}, "send_date: .* is in the past"),
        ({"phones": ["380931234567"], "route": "UA"}, "route"),
    ],
)
def test_bad_input_is_refused_before_any_request(
    emulator: Any, sendpulse_conn: str, make_context: Any, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(SendPulseInputError, match=message):
        sms_op(sendpulse_conn, **kwargs).execute(make_context())
    assert emulator.requests() == []


def test_add_phones_refuses_bad_numbers(emulator: Any, sendpulse_conn: str, make_context: Any) -> None:
    with pytest.raises(SendPulseInputError, match=r"phones\[0\]"):
        SendPulseAddPhonesOperator(task_id="p", list_id=1, phones=["12"]).execute(make_context())
    assert emulator.requests() == []


def test_retry_with_a_stored_id_does_not_send_again(
    emulator: Any, sendpulse_conn: str, make_context: Any
) -> None:
    first = make_context()
    sent = sms_op(sendpulse_conn, phones=["380931234567"]).execute(first)
    retry = make_context(try_number=2, store=first["task_state_store"])
    again = sms_op(sendpulse_conn, phones=["380931234567"]).execute(retry)
    assert (again["campaign_id"], again["created"]) == (sent["campaign_id"], False)
    assert len(sms_campaigns(emulator)) == 1


def test_retry_after_a_crash_mid_send_finds_the_sms(
    emulator: Any, sendpulse_conn: str, make_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The earlier try recorded "sending", SendPulse sent, then the worker died before recording the id."""

    class WorkerDied(BaseException):
        pass

    real_send = SendPulseHook.send_sms

    def send_then_die(self: SendPulseHook, *args: Any, **kwargs: Any) -> dict[str, Any]:
        real_send(self, *args, **kwargs)
        raise WorkerDied

    store = make_context()["task_state_store"]
    with monkeypatch.context() as patch:
        patch.setattr(SendPulseHook, "send_sms", send_then_die)
        with pytest.raises(WorkerDied):
            sms_op(sendpulse_conn, phones=["380931234567", "14155550134"]).execute(make_context(store=store))
    assert store.data[SMS_ONCE.key] == {"state": "creating"}
    # Another SMS from the same sender to other phones must not be mistaken for ours.
    sms_op(sendpulse_conn, phones=["380500000000"]).execute(make_context(task_id="other"))
    [ours, _other] = sms_campaigns(emulator)

    again = sms_op(sendpulse_conn, phones=["14155550134", "+380931234567"]).execute(
        make_context(try_number=2, store=store)
    )
    assert (again["campaign_id"], again["created"]) == (ours["id"], False)
    assert len(sms_campaigns(emulator)) == 2


def test_retry_refuses_when_an_earlier_send_is_unaccounted_for(
    emulator: Any, sendpulse_conn: str, make_context: Any
) -> None:
    context = make_context(try_number=2)
    context["task_state_store"].set(SMS_ONCE.key, {"state": "sending"})
    with pytest.raises(SendPulseInputError, match="refusing to send twice"):
        sms_op(sendpulse_conn, phones=["380931234567"]).execute(context)
    assert sms_campaigns(emulator) == []


def test_a_refused_send_can_be_retried(emulator: Any, sendpulse_conn: str, make_context: Any) -> None:
    """SendPulse answered with an error, so nothing was sent: the retry sends."""
    emulator.add_fault(
        method="POST", path="/sms/send", status=422, error_code=707, message="Not enough funds"
    )
    store = make_context()["task_state_store"]
    with pytest.raises(SendPulseError, match="Not enough funds"):
        sms_op(sendpulse_conn, phones=["380931234567"]).execute(make_context(store=store))
    result = sms_op(sendpulse_conn, phones=["380931234567"]).execute(make_context(try_number=2, store=store))
    assert result["created"] is True
    assert len(sms_campaigns(emulator)) == 1


def test_retry_without_a_state_store_looks_the_send_up(
    emulator: Any, sendpulse_conn: str, make_context: Any
) -> None:
    sent = sms_op(sendpulse_conn, phones=["380931234567"]).execute(make_context(with_store=False))
    again = sms_op(sendpulse_conn, phones=["380931234567"]).execute(
        make_context(try_number=2, with_store=False)
    )
    assert (again["campaign_id"], again["created"]) == (sent["campaign_id"], False)


def test_api_operator(emulator: Any, sendpulse_conn: str, make_context: Any) -> None:
    created = SendPulseApiOperator(
        task_id="create",
        method="post",
        endpoint="addressbooks",
        data='{"bookName": "Raw"}',
        sendpulse_conn_id=sendpulse_conn,
    ).execute(make_context())
    list_id = created["id"]
    total = SendPulseApiOperator(
        task_id="total", endpoint=f"/addressbooks/{list_id}/emails/total", sendpulse_conn_id=sendpulse_conn
    ).execute(make_context())
    assert total == {"total": 0}
    page = SendPulseApiOperator(
        task_id="lists",
        endpoint="/addressbooks",
        data={"limit": 1, "offset": 0},
        sendpulse_conn_id=sendpulse_conn,
    ).execute(make_context())
    assert [item["name"] for item in page] == ["Raw"]
    with pytest.raises(SendPulseNotFoundError):
        SendPulseApiOperator(
            task_id="missing", endpoint="/addressbooks/42", sendpulse_conn_id=sendpulse_conn
        ).execute(make_context())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"method": "FETCH", "endpoint": "/x"}, "method: must be one of"),
        ({"endpoint": ""}, "endpoint: give an API path"),
        ({"endpoint": "https://evil.example/x"}, "not a full URL"),
        ({"method": "POST", "endpoint": "/x", "data": "{oops"}, "data: a string must hold JSON"),
        ({"endpoint": "/x", "data": [1, 2]}, "for GET, give the query parameters as a mapping"),
    ],
)
def test_api_operator_refuses_bad_input(
    emulator: Any, sendpulse_conn: str, make_context: Any, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(SendPulseInputError, match=message):
        SendPulseApiOperator(task_id="api", sendpulse_conn_id=sendpulse_conn, **kwargs).execute(
            make_context()
        )
    assert emulator.requests() == []
