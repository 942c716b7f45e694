"""SendPulseHook's chatbot methods against the emulator: every channel call, sync and async."""

from __future__ import annotations

import asyncio

import pytest

from airflow_provider_sendpulse.client import SendPulseNotFoundError, SendPulseValidationError, api
from airflow_provider_sendpulse.emulator.control import EmulatorControl
from airflow_provider_sendpulse.hooks.sendpulse import SendPulseHook


@pytest.fixture
def hook(sendpulse_conn: str) -> SendPulseHook:
    return SendPulseHook(sendpulse_conn)


def test_bots_dialogs_and_contacts(hook: SendPulseHook, emulator: EmulatorControl) -> None:
    telegram = emulator.add_bot("telegram")
    whatsapp = emulator.add_bot("whatsapp")
    (ann,) = emulator.add_chat_contacts(telegram, ["Ann"], write="hello")
    assert {b["id"] for b in hook.list_bots()} == {telegram, whatsapp}
    assert [b["id"] for b in hook.list_bots("whatsapp")] == [whatsapp]
    dialogs = hook.list_dialogs()
    assert dialogs["total"] == 1
    assert dialogs["list"][0]["last_inbox_message"]["text"] == "hello"
    assert hook.get_chat_contact("telegram", ann)["bot_id"] == telegram
    with pytest.raises(SendPulseNotFoundError):
        hook.get_chat_contact("whatsapp", ann)
    with pytest.raises(ValueError, match="unknown chatbot channel 'fax'"):
        hook.get_chat_contact("fax", ann)


def test_send_flow_chats_variables(hook: SendPulseHook, emulator: EmulatorControl) -> None:
    bot = emulator.add_bot("telegram")
    (ann,) = emulator.add_chat_contacts(bot, ["Ann"], write="hello")
    flow = emulator.add_flow(bot, "Welcome")
    sent = hook.send_chat_message("telegram", ann, text="Report is ready")
    assert sent["direction"] == 2
    photo = {"type": "photo", "photo": "https://example.com/a.png", "caption": "chart"}
    hook.send_chat_message("telegram", ann, message=photo)
    hook.run_chat_flow("telegram", ann, flow, {"order": "A-1"})
    hook.set_chat_variables("telegram", ann, {"plan": "gold", "score": 3})
    hook.set_chat_tags("telegram", ann, ["vip"])
    assert [f["name"] for f in hook.list_chat_flows("telegram", bot)] == ["Welcome"]
    assert [c["contact"]["id"] for c in hook.iter_chats("telegram", bot)] == [ann]
    texts = [m["data"].get("text") for m in hook.iter_chat_messages("telegram", ann)]
    assert texts == [None, "Report is ready", "hello"]
    state = emulator.chatbot_state()
    assert state["flows"][0]["runs"] == [[ann, {"order": "A-1"}]]
    assert state["contacts"][0]["variables"] == {"plan": "gold", "score": 3}
    with pytest.raises(ValueError, match="exactly one of text and message"):
        hook.send_chat_message("telegram", ann)


def test_whatsapp_window_phone_and_templates(hook: SendPulseHook, emulator: EmulatorControl) -> None:
    bot = emulator.add_bot("whatsapp")
    (ann,) = emulator.add_chat_contacts(bot, ["Ann"], ["380501112233"])
    emulator.add_whatsapp_template(bot, "order_shipped", params=1)
    with pytest.raises(SendPulseValidationError, match="24 hours") as refused:
        hook.send_chat_message("whatsapp", ann, text="hi")
    assert refused.value.error_code == 1024
    emulator.contact_writes(ann, "hi there")
    hook.send_chat_message("whatsapp", ann, text="Hello Ann")
    hook.send_whatsapp_by_phone(bot, "+380501112233", "By phone")
    assert hook.get_whatsapp_contact_by_phone(bot, "380501112233")["id"] == ann
    hook.send_whatsapp_template_by_phone(bot, "380509990000", "order_shipped", "en", ["A-1"])
    assert [t["name"] for t in hook.list_whatsapp_templates(bot)] == ["order_shipped"]
    with pytest.raises(ValueError, match="phone must be 7 to 15 digits"):
        hook.send_whatsapp_by_phone(bot, "12ab", "x")


def test_async_client_runs_the_same_calls(hook: SendPulseHook, emulator: EmulatorControl) -> None:
    bot = emulator.add_bot("telegram")
    (ann,) = emulator.add_chat_contacts(bot, ["Ann"], write="hello")

    async def read() -> tuple[dict[str, object], list[dict[str, object]]]:
        async with await hook.get_async_client() as client:
            dialogs = await client.run(api.list_dialogs(10))
            messages = await client.run(api.list_chat_messages("telegram", ann))
            return dialogs, messages

    dialogs, messages = asyncio.run(read())
    assert dialogs["total"] == 1
    assert messages[0]["data"] == {"text": "hello"}
