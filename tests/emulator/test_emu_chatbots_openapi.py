"""Every emulated chatbot operation, request and answer, validated against chatbots/telegram/whatsapp.yml."""

from __future__ import annotations

import httpx
import pytest
from openapi_core.exceptions import OpenAPIError

from airflow_provider_sendpulse.emulator.control import EmulatorControl

from .chatbot_helpers import Check, chatbot_answer_checker, chatbot_checker
from .helpers import CREDENTIALS
from .openapi_adapter import openapi_for, validate

DAY = 24 * 3600


@pytest.fixture
def bots_api(emulator: EmulatorControl) -> Check:
    return chatbot_checker(emulator)


def test_chatbot_validation_is_not_vacuous(emulator: EmulatorControl) -> None:
    auth = {"Authorization": "Bearer t"}
    whatsapp = openapi_for("whatsapp.yml", emulator.url + "/whatsapp")
    send = httpx.Request("POST", f"{emulator.url}/whatsapp/contacts/send", headers=auth, json={"message": {}})
    with pytest.raises(OpenAPIError):
        validate(whatsapp, httpx.Response(200, json={"success": True, "data": {}}, request=send))
    flows = httpx.Request("GET", f"{emulator.url}/whatsapp/flows?bot_id=b", headers=auth)
    with pytest.raises(OpenAPIError):
        validate(
            whatsapp, httpx.Response(200, json={"success": True, "data": [{"status": 9}]}, request=flows)
        )
    chatbots = openapi_for("chatbots.yml", emulator.url + "/chatbots")
    dialogs = httpx.Request("GET", f"{emulator.url}/chatbots/dialogs?size=ten", headers=auth)
    with pytest.raises(OpenAPIError):
        validate(chatbots, httpx.Response(200, json={"success": True, "data": {"list": []}}, request=dialogs))
    ok = httpx.Request("GET", f"{emulator.url}/chatbots/dialogs", headers=auth)
    with pytest.raises(OpenAPIError):
        validate(chatbots, httpx.Response(404, json={"success": True, "message": "x"}, request=ok))


def test_bots_and_dialogs(api: httpx.Client, bots_api: Check, emulator: EmulatorControl) -> None:
    telegram = emulator.add_bot("telegram", "Shop bot")
    whatsapp = emulator.add_bot("whatsapp", "Shop line")
    ann, bob = emulator.add_chat_contacts(telegram, ["Ann Lee", "Bob"], write="hi")
    (cid,) = emulator.add_chat_contacts(whatsapp, ["Cid"], ["380501112233"])
    emulator.contact_writes(ann, "where is my order?")
    bots = bots_api(api.get("/chatbots/bots")).json()["data"]
    assert {b["id"] for b in bots} == {telegram, whatsapp}
    assert next(b for b in bots if b["id"] == telegram)["inbox"] == {"total": 2, "unread": 3}
    dialogs = bots_api(api.get("/chatbots/dialogs", params={"size": 2, "order": "desc"})).json()["data"]
    assert dialogs["total"] == 3
    assert [d["contact"]["id"] for d in dialogs["list"]] == [ann, cid]
    assert dialogs["list"][0]["last_inbox_message"]["text"] == "where is my order?"
    assert dialogs["list"][0]["service"] == 3
    rest = bots_api(api.get("/chatbots/dialogs", params={"size": 2, "skip": 2})).json()["data"]["list"]
    assert [d["contact"]["id"] for d in rest] == [bob]
    oldest = bots_api(api.get("/chatbots/dialogs", params={"order": "asc"})).json()["data"]["list"]
    assert oldest[0]["contact"]["id"] == bob
    assert bots_api(api.get("/chatbots/dialogs", params={"size": 101})).status_code == 422
    assert (
        chatbot_answer_checker(emulator)(api.get("/chatbots/dialogs", params={"order": "up"})).status_code
        == 422
    )
    assert [b["id"] for b in bots_api(api.get("/telegram/bots")).json()["data"]] == [telegram]


def test_telegram_contact_send_flow_chats(
    api: httpx.Client, bots_api: Check, emulator: EmulatorControl
) -> None:
    bot = emulator.add_bot("telegram")
    (ann,) = emulator.add_chat_contacts(bot, ["Ann"], write="hello")
    flow = emulator.add_flow(bot, "Welcome")
    contact = bots_api(api.get("/telegram/contacts/get", params={"id": ann})).json()["data"]
    assert contact["bot_id"] == bot
    text = {"contact_id": ann, "message": {"type": "text", "text": "Your order shipped"}}
    sent = bots_api(api.post("/telegram/contacts/send", json=text)).json()["data"]
    assert sent["direction"] == 2
    bots_api(
        api.post(
            "/telegram/contacts/setVariable",
            json={"contact_id": ann, "variables": [{"variable_name": "plan", "variable_value": "gold"}]},
        )
    )
    bots_api(api.post("/telegram/contacts/setTag", json={"contact_id": ann, "tags": ["vip"]}))
    flows = bots_api(api.get("/telegram/flows", params={"bot_id": bot})).json()["data"]
    assert [f["id"] for f in flows] == [flow]
    run = {"contact_id": ann, "flow_id": flow, "external_data": {"tracking_number": "1234"}}
    assert bots_api(api.post("/telegram/flows/run", json=run)).json() == {"success": True}
    chats = bots_api(api.get("/telegram/chats", params={"bot_id": bot})).json()["data"]
    assert chats[0]["inbox_last_message"]["data"] == {"text": "hello"}
    messages = bots_api(
        api.get("/telegram/chats/messages", params={"contact_id": ann, "order": "desc"})
    ).json()
    assert [m["direction"] for m in messages["data"]] == [2, 1]
    state = emulator.chatbot_state()
    assert state["flows"][0]["runs"] == [[ann, {"tracking_number": "1234"}]]
    assert state["contacts"][0]["variables"] == {"plan": "gold"}


def test_channel_errors(api: httpx.Client, bots_api: Check, emulator: EmulatorControl) -> None:
    bot = emulator.add_bot("telegram")
    (ann,) = emulator.add_chat_contacts(bot, ["Ann"])
    other_flow = emulator.add_flow(emulator.add_bot("telegram"), "Elsewhere")
    answer = chatbot_answer_checker(emulator)
    whatsapp_text = {"contact_id": ann, "message": {"type": "text", "text": {"body": "hi"}}}
    refused = answer(api.post("/telegram/contacts/send", json=whatsapp_text))
    assert refused.status_code == 422
    assert refused.json()["errors"] == {
        "message.text": ["message.text: is required and must be a non-empty string"]
    }
    missing = bots_api(
        api.post(
            "/telegram/contacts/send", json={"contact_id": "nope", "message": {"type": "text", "text": "x"}}
        )
    )
    assert missing.status_code == 404
    assert bots_api(api.get("/whatsapp/contacts/get", params={"id": ann})).status_code == 404
    run = {"contact_id": ann, "flow_id": other_flow}
    assert bots_api(api.post("/telegram/flows/run", json=run)).status_code == 404
    assert bots_api(api.get("/telegram/flows", params={"bot_id": "0" * 24})).status_code == 404


def test_whatsapp_window_phone_and_templates(
    api: httpx.Client, bots_api: Check, emulator: EmulatorControl
) -> None:
    bot = emulator.add_bot("whatsapp")
    ann, bob = emulator.add_chat_contacts(bot, ["Ann", "Bob"], ["380501112233", "380501112234"])
    emulator.contact_writes(ann, "hi")
    template = emulator.add_whatsapp_template(bot, "order_shipped", params=2)
    emulator.add_whatsapp_template(bot, "pending_one", status="PENDING")
    text = {"type": "text", "text": {"body": "Shipped"}}
    assert (
        bots_api(api.post("/whatsapp/contacts/send", json={"contact_id": ann, "message": text})).status_code
        == 200
    )
    closed = bots_api(api.post("/whatsapp/contacts/send", json={"contact_id": bob, "message": text}))
    assert closed.status_code == 400
    assert closed.json()["error_code"] == 1024
    by_phone = {"bot_id": bot, "phone": "380501112233", "message": text}
    assert bots_api(api.post("/whatsapp/contacts/sendByPhone", json=by_phone)).status_code == 200
    emulator.advance_clock(DAY)
    token = api.post("/oauth/access_token", json=CREDENTIALS).json()["access_token"]
    api.headers["Authorization"] = f"Bearer {token}"
    assert bots_api(api.post("/whatsapp/contacts/sendByPhone", json=by_phone)).status_code == 400
    found = bots_api(
        api.get("/whatsapp/contacts/getByPhone", params={"bot_id": bot, "phone": "380501112234"})
    )
    assert found.json()["data"]["id"] == bob
    templates = bots_api(api.get("/whatsapp/templates", params={"bot_id": bot})).json()["data"]
    assert {t["id"] for t in templates} >= {template}
    shipped = {
        "name": "order_shipped",
        "language": {"code": "en"},
        "components": [
            {"type": "body", "parameters": [{"type": "text", "text": "Ann"}, {"type": "text", "text": "42"}]}
        ],
    }
    new_phone = {"bot_id": bot, "phone": "380509998877", "template": shipped}
    sent = bots_api(api.post("/whatsapp/contacts/sendTemplateByPhone", json=new_phone)).json()["data"]
    assert sent["data"]["type"] == "template"
    assert (
        bots_api(
            api.post("/whatsapp/contacts/sendTemplate", json={"contact_id": bob, "template": shipped})
        ).status_code
        == 200
    )
    short = dict(shipped, components=[])
    assert (
        bots_api(
            api.post("/whatsapp/contacts/sendTemplate", json={"contact_id": bob, "template": short})
        ).status_code
        == 422
    )
    pending = {"name": "pending_one", "language": {"code": "en"}, "components": []}
    assert (
        bots_api(
            api.post("/whatsapp/contacts/sendTemplate", json={"contact_id": bob, "template": pending})
        ).status_code
        == 422
    )
    unknown = dict(shipped, name="nope")
    refused = bots_api(
        api.post(
            "/whatsapp/contacts/sendTemplateByPhone",
            json=dict(new_phone, phone="380501230000", template=unknown),
        )
    )
    assert refused.status_code == 404
    assert len(emulator.chatbot_state()["contacts"]) == 3
