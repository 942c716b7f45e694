"""Chatbot records as SendPulse's chatbots.yml, telegram.yml and whatsapp.yml show them."""

from __future__ import annotations

from typing import Any

from .chatbots import SERVICES, Bot, ChatbotState, ChatContact, Flow, Message, WaTemplate, iso_ms, iso_s


def bot_json(bot: Bot, state: ChatbotState) -> dict[str, Any]:
    """A bot with its inbox counters."""
    contacts = [c for c in state.contacts.values() if c.bot_id == bot.id]
    channel_data: dict[str, Any] = {"name": bot.name}
    if bot.channel == "whatsapp":
        channel_data["phone"] = int(bot.phone) if bot.phone.isdigit() else 0
    else:
        channel_data["username"] = bot.name
    return {
        "id": bot.id,
        "channel_data": channel_data,
        "inbox": {
            "total": sum(1 for c in contacts if c.last_inbound is not None),
            "unread": sum(c.unread for c in contacts),
        },
        "status": 3,
        "created_at": iso_s(bot.created),
    }


def contact_json(contact: ChatContact, bot: Bot) -> dict[str, Any]:
    """A contact of a channel's bot."""
    first, _, last = contact.name.partition(" ")
    body: dict[str, Any] = {
        "id": contact.id,
        "bot_id": contact.bot_id,
        "status": 1,
        "channel_data": {"name": contact.name, "first_name": first, "last_name": last or None},
        "tags": list(contact.tags),
        "variables": dict(contact.variables),
        "is_chat_opened": True,
        "last_activity_at": iso_s(contact.last_inbound.created if contact.last_inbound else contact.created),
        "automation_paused_until": None,
        "created_at": iso_s(contact.created),
    }
    if bot.channel == "telegram":
        body["telegram_id"] = str(int(contact.id[-8:], 16))
    if bot.channel == "whatsapp":
        body["channel_data"]["phone"] = contact.phone
    return body


def message_json(message: Message) -> dict[str, Any]:
    """One message of a dialog."""
    return {
        "id": message.id,
        "contact_id": message.contact_id,
        "bot_id": message.bot_id,
        "campaign_id": None,
        "data": message.data,
        "direction": message.direction,
        "status": 1,
        "created_at": iso_s(message.created),
    }


def _last(message: Message | None) -> dict[str, Any] | None:
    if message is None:
        return None
    text = message.data.get("text")
    if isinstance(text, dict):
        text = text.get("body")
    return {"id": message.id, "text": text if isinstance(text, str) else "", "date": iso_ms(message.created)}


def dialog_json(contact: ChatContact, bot: Bot) -> dict[str, Any]:
    """A dialog of `GET /chatbots/dialogs` (its `_id` is the contact's id)."""
    body: dict[str, Any] = {
        "_id": contact.id,
        "bot_id": contact.bot_id,
        "contact": {"id": contact.id, "full_name": contact.name, "profile_pic": ""},
        "service": SERVICES[bot.channel],
        "user_id": 1,
        "inbox_unread_count": contact.unread,
        "is_chat_opened": True,
        "created_at": iso_ms(contact.created),
        "updated_at": iso_ms(contact.updated),
    }
    for key, message in (
        ("last_inbox_message", contact.last_inbound),
        ("last_outbox_message", contact.last_outbound),
    ):
        shown = _last(message)
        if shown is not None:
            body[key] = shown
    return body


def chat_json(contact: ChatContact, bot: Bot) -> dict[str, Any]:
    """A chat of `GET /{channel}/chats`."""
    body: dict[str, Any] = {"contact": contact_json(contact, bot), "inbox_unread": contact.unread}
    if contact.last_inbound is not None:
        body["inbox_last_message"] = message_json(contact.last_inbound)
    return body


def flow_json(flow: Flow) -> dict[str, Any]:
    """A flow of `GET /{channel}/flows`."""
    return {
        "id": flow.id,
        "bot_id": flow.bot_id,
        "name": flow.name,
        "status": 1 if flow.active else 2,
        "triggers": [],
        "created_at": iso_s(flow.created),
    }


def template_json(template: WaTemplate) -> dict[str, Any]:
    """A WhatsApp template of `GET /whatsapp/templates`."""
    text = " ".join(f"{{{{{n}}}}}" for n in range(1, template.params + 1))
    return {
        "id": template.id,
        "bot_id": template.bot_id,
        "namespace": "emulator",
        "category": "UTILITY",
        "components": [{"type": "BODY", "text": text or "Hello"}],
        "language": template.language,
        "name": template.name,
        "rejected_reason": None,
        "status": template.status,
        "created_at": iso_s(template.created),
    }
