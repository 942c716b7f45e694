"""Chatbot operators against the emulator: messages, flows and WhatsApp templates, with retries."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from airflow_fakes import FakeStateStore

from airflow_provider_sendpulse.emulator.control import EmulatorControl
from airflow_provider_sendpulse.operators import (
    SendPulseChatbotMessageOperator,
    SendPulseInputError,
    SendPulseRunChatbotFlowOperator,
    SendPulseWhatsAppTemplateOperator,
)

DAY = 24 * 3600


def sent_texts(emulator: EmulatorControl, contact_id: str) -> list[Any]:
    return [m["data"].get("text") for m in emulator.sent_messages(contact_id)]


def test_message_to_many_telegram_contacts_from_a_list(
    emulator: EmulatorControl, sendpulse_conn: str, make_context: Any
) -> None:
    bot = emulator.add_bot("telegram")
    ann, bob = emulator.add_chat_contacts(bot, ["Ann", "Bob"])
    op = SendPulseChatbotMessageOperator(
        task_id="tell",
        sendpulse_conn_id=sendpulse_conn,
        channel="telegram",
        text="Your report is ready",
        recipients=[ann, {"contact_id": bob, "text": "Bob, your report is ready"}],
    )
    result = op.execute(make_context())
    assert (result["sent"], result["failed"], result["recipients"]) == (2, 0, 2)
    assert [o["recipient"] for o in result["outcomes"]] == [ann, bob]
    assert all(o["message_id"] for o in result["outcomes"])
    assert sent_texts(emulator, ann) == ["Your report is ready"]
    assert sent_texts(emulator, bob) == ["Bob, your report is ready"]


def test_structured_message_from_a_jsonl_file(
    emulator: EmulatorControl, sendpulse_conn: str, make_context: Any, tmp_path: Path
) -> None:
    bot = emulator.add_bot("telegram")
    ids = emulator.add_chat_contacts(bot, count=3)
    path = tmp_path / "who.jsonl"
    path.write_text("".join(json.dumps({"contact_id": c}) + "\n" for c in ids))
    photo = {"type": "photo", "photo": "https://example.com/chart.png", "caption": "Sales"}
    op = SendPulseChatbotMessageOperator(
        task_id="tell", sendpulse_conn_id=sendpulse_conn, channel="telegram", message=photo, path=str(path)
    )
    assert op.execute(make_context())["sent"] == 3
    assert emulator.sent_messages(ids[2])[0]["data"] == photo


def test_whatsapp_outside_the_window_is_refused_naming_the_contact_and_the_rest_go_out(
    emulator: EmulatorControl, sendpulse_conn: str, make_context: Any
) -> None:
    bot = emulator.add_bot("whatsapp")
    quiet, active = emulator.add_chat_contacts(bot, ["Quiet", "Active"], ["380501112233", "380501112234"])
    emulator.contact_writes(active, "hello")
    op = SendPulseChatbotMessageOperator(
        task_id="tell",
        sendpulse_conn_id=sendpulse_conn,
        channel="whatsapp",
        text="Order shipped",
        recipients=[quiet, active],
    )
    context = make_context()
    with pytest.raises(SendPulseInputError) as refused:
        op.execute(context)
    assert f"contact_id {quiet!r}" in str(refused.value)
    assert "24-hour window is closed" in str(refused.value)
    assert sent_texts(emulator, active) == [{"body": "Order shipped"}]
    outcomes = context["ti"].xcoms["outcomes"]
    assert [o["status"] for o in outcomes] == ["failed", "sent"]
    lenient = SendPulseChatbotMessageOperator(
        task_id="tell2",
        sendpulse_conn_id=sendpulse_conn,
        channel="whatsapp",
        text="Order shipped",
        recipients=[quiet],
        fail_on_error=False,
    )
    assert lenient.execute(make_context(task_id="tell2"))["failed"] == 1


def test_a_retry_sends_only_to_recipients_not_reached(
    emulator: EmulatorControl, sendpulse_conn: str, make_context: Any
) -> None:
    bot = emulator.add_bot("telegram")
    ann, bob = emulator.add_chat_contacts(bot, ["Ann", "Bob"])
    store = FakeStateStore()
    op = SendPulseChatbotMessageOperator(
        task_id="tell", sendpulse_conn_id=sendpulse_conn, channel="telegram", text="Hi", recipients=[ann, bob]
    )
    op.execute(make_context(store=store))
    second = op.execute(make_context(store=store, try_number=2))
    assert (second["sent"], second["already_sent"]) == (0, 2)
    assert sent_texts(emulator, ann) == ["Hi"]


def test_a_refused_recipient_fails_the_task_and_a_retry_sends_only_it(
    emulator: EmulatorControl, sendpulse_conn: str, make_context: Any
) -> None:
    bot = emulator.add_bot("telegram")
    ann, bob = emulator.add_chat_contacts(bot, ["Ann", "Bob"])
    store = FakeStateStore()
    op = SendPulseChatbotMessageOperator(
        task_id="tell", sendpulse_conn_id=sendpulse_conn, channel="telegram", text="Hi", recipients=[ann, bob]
    )
    emulator.add_fault(path="/telegram/contacts/send", method="POST", status=400, times=1)
    with pytest.raises(SendPulseInputError, match=f"contact_id {ann!r}"):
        op.execute(make_context(store=store))
    assert sent_texts(emulator, bob) == ["Hi"]
    retry = op.execute(make_context(store=store, try_number=2))
    assert (retry["sent"], retry["already_sent"]) == (1, 1)
    assert sent_texts(emulator, ann) == ["Hi"]
    assert sent_texts(emulator, bob) == ["Hi"]


def test_bad_input_is_refused_before_anything_is_sent(
    emulator: EmulatorControl, sendpulse_conn: str, make_context: Any
) -> None:
    bot = emulator.add_bot("telegram")
    (ann,) = emulator.add_chat_contacts(bot, ["Ann"])

    def run(**kwargs: Any) -> None:
        params = {"channel": "telegram", "text": "Hi", "recipients": [ann]} | kwargs
        SendPulseChatbotMessageOperator(task_id="t", sendpulse_conn_id=sendpulse_conn, **params).execute(
            make_context()
        )

    with pytest.raises(SendPulseInputError, match="channel: 'fax' is not a chatbot channel"):
        run(channel="fax")
    with pytest.raises(SendPulseInputError, match="exactly one of text and message"):
        run(message={"type": "text", "text": "x"})
    with pytest.raises(SendPulseInputError, match=r"contacts\[1\] contact_id must be a non-empty contact id"):
        run(recipients=[ann, {"contact_id": ""}])
    assert emulator.sent_messages(ann) == []


def test_run_flow_with_external_data_per_contact(
    emulator: EmulatorControl, sendpulse_conn: str, make_context: Any
) -> None:
    bot = emulator.add_bot("whatsapp")
    ann, bob = emulator.add_chat_contacts(bot, ["Ann", "Bob"], ["380501112233", "380501112234"])
    flow = emulator.add_flow(bot, "Lead follow-up")
    op = SendPulseRunChatbotFlowOperator(
        task_id="flows",
        sendpulse_conn_id=sendpulse_conn,
        channel="whatsapp",
        flow_id=flow,
        external_data={"campaign": "spring"},
        recipients=[{"contact_id": ann, "score": 91}, {"contact_id": bob, "score": 40}],
    )
    result = op.execute(make_context())
    assert result["sent"] == 2
    runs = emulator.chatbot_state()["flows"][0]["runs"]
    assert runs == [[ann, {"campaign": "spring", "score": 91}], [bob, {"campaign": "spring", "score": 40}]]
    again = op.execute(make_context(store=FakeStateStore()))
    assert again["sent"] == 2  # a new task instance starts them again


def test_whatsapp_template_to_many_phones_with_variables(
    emulator: EmulatorControl, sendpulse_conn: str, make_context: Any, tmp_path: Path
) -> None:
    bot = emulator.add_bot("whatsapp")
    emulator.add_whatsapp_template(bot, "order_shipped", params=2)
    path = tmp_path / "shipped.csv"
    path.write_text("phone,name,order\n+380 50 111 2233,Ann,A-1\n380501112234,Bob,B-2\n")
    op = SendPulseWhatsAppTemplateOperator(
        task_id="notify",
        sendpulse_conn_id=sendpulse_conn,
        bot_id=bot,
        template_name="order_shipped",
        path=str(path),
    )
    result = op.execute(make_context())
    assert result["sent"] == 2
    contacts = emulator.chatbot_state()["contacts"]
    assert {c["phone"] for c in contacts} == {"380501112233", "380501112234"}
    ann = next(c for c in contacts if c["phone"] == "380501112233")
    components = ann["messages"][0]["data"]["template"]["components"]
    assert [p["text"] for p in components[0]["parameters"]] == ["Ann", "A-1"]


def test_whatsapp_template_never_twice_on_retry_even_without_a_record(
    emulator: EmulatorControl, sendpulse_conn: str, make_context: Any
) -> None:
    bot = emulator.add_bot("whatsapp")
    emulator.add_whatsapp_template(bot, "order_shipped", params=1)
    params: dict[str, Any] = {
        "task_id": "notify",
        "sendpulse_conn_id": sendpulse_conn,
        "bot_id": bot,
        "template_name": "order_shipped",
        "recipients": [{"phone": "380501112233", "order": "A-1"}, {"phone": "380501112234", "order": "B-2"}],
    }
    op = SendPulseWhatsAppTemplateOperator(**params)
    op.execute(make_context(with_store=False))
    retry = op.execute(make_context(with_store=False, try_number=2))
    assert (retry["sent"], retry["already_sent"]) == (0, 2)
    # The answer of the first send is lost: the retry finds the message in the conversation.
    store = FakeStateStore()
    lost = SendPulseWhatsAppTemplateOperator(**(params | {"task_id": "lost"}))
    emulator.add_fault(path="/whatsapp/contacts/sendTemplateByPhone", status=502, times=1, after=True)
    context = make_context(task_id="lost", store=store)
    result = lost.execute(context)
    assert (result["sent"], result["failed"]) == (2, 0)
    again = lost.execute(make_context(task_id="lost", store=store, try_number=2))
    assert again["already_sent"] == 2
    per_phone = [len(c["messages"]) for c in emulator.chatbot_state()["contacts"]]
    assert per_phone == [2, 2]  # one per task instance ("notify", "lost"), never more


def test_whatsapp_template_errors_do_not_show_phones(
    emulator: EmulatorControl, sendpulse_conn: str, make_context: Any
) -> None:
    bot = emulator.add_bot("whatsapp")
    emulator.add_whatsapp_template(bot, "order_shipped", params=1)
    op = SendPulseWhatsAppTemplateOperator(
        task_id="notify",
        sendpulse_conn_id=sendpulse_conn,
        bot_id=bot,
        template_name="order_shipped",
        recipients=["380501112233"],  # no variable: the template needs one
    )
    with pytest.raises(SendPulseInputError) as refused:
        op.execute(make_context())
    assert "recipient at contacts[0]" in str(refused.value)
    assert "380501112233" not in str(refused.value)
    with pytest.raises(SendPulseInputError, match=r"contacts\[0\] phone must be in international format"):
        SendPulseWhatsAppTemplateOperator(
            task_id="n2",
            sendpulse_conn_id=sendpulse_conn,
            bot_id=bot,
            template_name="x",
            recipients=["0501112233"],
        ).execute(make_context())
