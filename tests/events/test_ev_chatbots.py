"""chatbot_incoming_message detection against the emulator over HTTP: cost, order, filters, cuts, faults."""

from __future__ import annotations

import json
from typing import Any

import pytest

from airflow_provider_sendpulse.client import SendPulseServerError
from airflow_provider_sendpulse.emulator.control import EmulatorControl
from airflow_provider_sendpulse.events import Cursor, Poll, drive, get_event_source
from airflow_provider_sendpulse.hooks.sendpulse import SendPulseHook

TYPE = "chatbot_incoming_message"


@pytest.fixture
def client(sendpulse_conn: str) -> Any:
    return SendPulseHook(sendpulse_conn).get_conn()


def poll(
    client: Any, params: dict[str, Any], cursor: Cursor | None, max_events: int = 100, **kw: Any
) -> Poll:
    return drive(client, get_event_source(TYPE, params).poll(cursor, max_events, **kw))


def api_requests(emulator: EmulatorControl) -> list[str]:
    return [r["path"] for r in emulator.requests() if not r["path"].startswith("/oauth")]


def test_baseline_then_each_new_message_once_with_contact_text_and_time(
    client: Any, emulator: EmulatorControl
) -> None:
    bot = emulator.add_bot("telegram")
    ann, bob = emulator.add_chat_contacts(bot, ["Ann Lee", "Bob"], write="old news")
    base = poll(client, {"channel": "telegram"}, None)
    assert base.baseline
    assert base.events == []
    first = emulator.contact_writes(ann, "where is my order?")
    second = emulator.contact_writes(bob, "hi")
    emulator.contact_writes(ann, "hello?")
    found = poll(client, {"channel": "telegram"}, base.cursor)
    assert [e["text"] for e in found.events] == ["where is my order?", "hi", "hello?"]
    event = found.events[0]
    assert event["event"] == TYPE
    assert event["message_id"] == first
    assert (event["contact_id"], event["contact_name"], event["bot_id"], event["channel"]) == (
        ann,
        "Ann Lee",
        bot,
        "telegram",
    )
    assert event["created_at"]
    assert found.events[1]["message_id"] == second
    assert poll(client, {"channel": "telegram"}, found.cursor).events == []


def test_cursor_holds_digests_not_personal_data(client: Any, emulator: EmulatorControl) -> None:
    bot = emulator.add_bot("telegram")
    (ann,) = emulator.add_chat_contacts(bot, ["Ann Lee"])
    base = poll(client, {"bot_id": bot}, None)
    emulator.contact_writes(ann, "my secret order text")
    found = poll(client, {"bot_id": bot}, base.cursor)
    assert len(found.events) == 1
    text = json.dumps(found.cursor)
    for private in ("secret", "Ann", ann):
        assert private not in text


def test_idle_poll_costs_one_request_and_reads_no_messages(client: Any, emulator: EmulatorControl) -> None:
    bot = emulator.add_bot("telegram")
    emulator.add_chat_contacts(bot, count=250, write="hi")
    cursor = poll(client, {"bot_id": bot}, None).cursor
    emulator._call("DELETE", "/requests")
    assert poll(client, {"bot_id": bot}, cursor).events == []
    assert api_requests(emulator) == ["/chatbots/dialogs"]


def test_only_changed_dialogs_of_the_watched_bot_are_read(client: Any, emulator: EmulatorControl) -> None:
    watched = emulator.add_bot("telegram")
    other = emulator.add_bot("whatsapp")
    _, bob = emulator.add_chat_contacts(watched, ["Ann", "Bob"], write="hi")
    (cid,) = emulator.add_chat_contacts(other, ["Cid"], write="hi")
    cursor = poll(client, {"bot_id": watched}, None).cursor
    whatsapp_cursor = poll(client, {"channel": "whatsapp"}, None).cursor
    emulator.contact_writes(cid, "not watched")
    emulator.contact_writes(bob, "watched")
    emulator._call("DELETE", "/requests")
    found = poll(client, {"bot_id": watched}, cursor)
    assert [(e["contact_id"], e["text"]) for e in found.events] == [(bob, "watched")]
    assert api_requests(emulator) == ["/chatbots/dialogs", "/telegram/chats/messages"]
    whatsapp = poll(client, {"channel": "whatsapp"}, whatsapp_cursor)
    assert [e["text"] for e in whatsapp.events] == ["not watched"]


def test_outbound_activity_is_no_event_and_reads_no_messages(
    client: Any, emulator: EmulatorControl, sendpulse_conn: str
) -> None:
    bot = emulator.add_bot("telegram")
    (ann,) = emulator.add_chat_contacts(bot, ["Ann"], write="hi")
    cursor = poll(client, {"bot_id": bot}, None).cursor
    SendPulseHook(sendpulse_conn).send_chat_message("telegram", ann, text="we replied")
    emulator._call("DELETE", "/requests")
    result = poll(client, {"bot_id": bot}, cursor)
    assert result.events == []
    assert api_requests(emulator) == ["/chatbots/dialogs"]


def test_max_events_splits_without_loss_or_repeat(client: Any, emulator: EmulatorControl) -> None:
    bot = emulator.add_bot("whatsapp")
    contacts = emulator.add_chat_contacts(bot, count=5)
    cursor = poll(client, {"bot_id": bot}, None).cursor
    written = []
    for n in range(3):
        for contact in contacts:
            written.append(emulator.contact_writes(contact, f"m{n}"))
    delivered: list[str] = []
    for _ in range(20):
        result = poll(client, {"bot_id": bot}, cursor, max_events=4)
        assert len(result.events) <= 4
        delivered += [e["message_id"] for e in result.events]
        cursor = result.cursor
        if not result.events:
            break
    assert sorted(delivered) == sorted(written)
    assert len(delivered) == len(set(delivered))


def test_start_from_beginning_delivers_existing_messages(client: Any, emulator: EmulatorControl) -> None:
    bot = emulator.add_bot("telegram")
    emulator.add_chat_contacts(bot, ["Ann", "Bob"], write="hello")
    result = poll(client, {"channel": "telegram"}, None, start_from="beginning")
    assert [e["text"] for e in result.events] == ["hello", "hello"]


def test_a_failed_poll_keeps_the_cursor_and_the_next_one_delivers(
    client: Any, emulator: EmulatorControl
) -> None:
    bot = emulator.add_bot("telegram")
    (ann,) = emulator.add_chat_contacts(bot, ["Ann"])
    cursor = poll(client, {"bot_id": bot}, None).cursor
    message = emulator.contact_writes(ann, "hello")
    emulator.add_fault(path="/telegram/chats/messages", status=500, times=10)
    with pytest.raises(SendPulseServerError):
        poll(client, {"bot_id": bot}, cursor)
    emulator.clear_faults()
    assert [e["message_id"] for e in poll(client, {"bot_id": bot}, cursor).events] == [message]


def test_bad_parameters_and_foreign_cursor() -> None:
    with pytest.raises(ValueError, match="'channel' and/or 'bot_id'"):
        get_event_source(TYPE, {})
    with pytest.raises(ValueError, match="parameter 'channel' must be one of telegram"):
        get_event_source(TYPE, {"channel": "fax"})
    with pytest.raises(ValueError, match="parameter 'bot_id'"):
        get_event_source(TYPE, {"bot_id": ""})
    source = get_event_source(TYPE, {"channel": "telegram", "bot_id": "b1"})
    assert source.resource == "channel-telegram.bot-b1"
    with pytest.raises(ValueError, match="does not belong"):
        drive(None, source.poll({"v": 1, "type": "new_subscriber"}, 10))  # type: ignore[arg-type]
