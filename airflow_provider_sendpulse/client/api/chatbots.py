"""Chatbots: bots and dialogs of every channel, and per channel contacts, messages, flows and chats.

Every channel (Telegram, WhatsApp, Messenger, Instagram, Viber, live chat, TikTok) has the same routes under
its own prefix; the channel is a parameter here. WhatsApp adds sending by phone and templates. Answers wrap
their payload as ``{"success": true, "data": ...}``; ``success: false`` is an error (see ``core``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from airflow_provider_sendpulse.client.api.call import MAX_PAGE_SIZE, Call
from airflow_provider_sendpulse.client.api.read import as_list, nothing
from airflow_provider_sendpulse.client.codes import CHANNELS as CHANNELS
from airflow_provider_sendpulse.client.codes import DIRECTION_IN as DIRECTION_IN
from airflow_provider_sendpulse.client.codes import SERVICES as SERVICES
from airflow_provider_sendpulse.client.errors import SendPulseError

#: Channels whose send call takes a list of ``messages`` rather than one ``message`` (vendor n8n node).
MESSAGE_LIST_CHANNELS = ("instagram", "viber", "livechat", "tiktok")


def channel_prefix(channel: str) -> str:
    """The path prefix of a channel; ValueError naming the allowed channels otherwise."""
    prefix = CHANNELS.get(channel)
    if prefix is None:
        raise ValueError(f"unknown chatbot channel {channel!r}; use one of {', '.join(CHANNELS)}")
    return prefix


def _ident(value: Any, name: str) -> str:
    text = str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""
    if not text:
        raise ValueError(f"{name} must be a non-empty id, got {value!r}")
    return text


def _phone(phone: Any) -> str:
    text = str(phone).strip().lstrip("+").replace(" ", "")
    if not text.isdigit() or not 7 <= len(text) <= 15:
        raise ValueError("phone must be 7 to 15 digits in international format")
    return text


def _page(size: int, skip: int) -> dict[str, Any]:
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise ValueError(f"size must be between 1 and {MAX_PAGE_SIZE}, got {size}")
    if skip < 0:
        raise ValueError(f"skip must not be negative, got {skip}")
    return {"size": size, "skip": skip}


def data_object(body: Any) -> dict[str, Any]:
    """The object under ``data``."""
    data = body.get("data") if isinstance(body, dict) else None
    if isinstance(data, dict):
        return data
    raise SendPulseError("expected an object under 'data' in the answer")


def text_message(channel: str, text: str) -> tuple[str, Any]:
    """A plain-text message as the channel takes it: ``(body key, value)`` for the send call."""
    channel_prefix(channel)
    if not isinstance(text, str) or not text.strip():
        raise ValueError("message text must be a non-empty string")
    if channel == "whatsapp":
        return "message", {"type": "text", "text": {"body": text}}
    if channel == "messenger":
        return "message", {
            "type": "RESPONSE",
            "tag": "CUSTOMER_FEEDBACK",
            "content_type": "message",
            "text": text,
        }
    if channel == "instagram":
        return "messages", [{"type": "text", "message": {"text": text}}]
    if channel in MESSAGE_LIST_CHANNELS:
        return "messages", [{"type": "text", "text": {"text": text}}]
    return "message", {"type": "text", "text": text}


def whatsapp_template(name: str, language: str = "en", variables: Sequence[Any] = ()) -> dict[str, Any]:
    """A WhatsApp ``template`` object: ``name``, ``language.code``, body parameters in order."""
    if not isinstance(name, str) or not name.strip():
        raise ValueError("template name must be a non-empty string")
    components: list[dict[str, Any]] = []
    if variables:
        parameters = [{"type": "text", "text": str(v)} for v in variables]
        components.append({"type": "body", "parameters": parameters})
    return {"name": name, "language": {"code": language}, "components": components}


# account-wide ----------------------------------------------------------------------------------------


def list_bots() -> Call[list[dict[str, Any]]]:
    """``GET /chatbots/bots``: every connected bot, of every channel."""
    return Call("GET", "/chatbots/bots", None, None, as_list)


def list_channel_bots(channel: str) -> Call[list[dict[str, Any]]]:
    """``GET /{channel}/bots``: the bots of one channel."""
    return Call("GET", f"{channel_prefix(channel)}/bots", None, None, as_list)


def list_dialogs(size: int = MAX_PAGE_SIZE, skip: int = 0, order: str = "desc") -> Call[dict[str, Any]]:
    """``GET /chatbots/dialogs``: one page of dialogs of every channel by last activity (``data``:
    ``list``, ``total``)."""
    if order not in ("asc", "desc"):
        raise ValueError(f"order must be 'asc' or 'desc', got {order!r}")
    params = {**_page(size, skip), "order": order}
    return Call("GET", "/chatbots/dialogs", params, None, data_object)


# per channel -----------------------------------------------------------------------------------------


def get_chat_contact(channel: str, contact_id: str) -> Call[dict[str, Any]]:
    """``GET /{channel}/contacts/get``: one contact of a bot."""
    params = {"id": _ident(contact_id, "contact_id")}
    return Call("GET", f"{channel_prefix(channel)}/contacts/get", params, None, data_object)


def send_chat_message(channel: str, contact_id: str, message: Any, key: str = "message") -> Call[Any]:
    """``POST /{channel}/contacts/send``: a message (the channel's own shape) to a contact.

    ``key`` is ``"messages"`` for channels that take a list (see :func:`text_message`). Not replayed.
    """
    body = {"contact_id": _ident(contact_id, "contact_id"), key: message}
    return Call("POST", f"{channel_prefix(channel)}/contacts/send", None, body, _data_or_none, is_create=True)


def send_chat_text(channel: str, contact_id: str, text: str) -> Call[Any]:
    """``POST /{channel}/contacts/send``: a plain-text message to a contact."""
    key, message = text_message(channel, text)
    return send_chat_message(channel, contact_id, message, key)


def run_chat_flow(
    channel: str, contact_id: str, flow_id: str, external_data: Mapping[str, Any] | None = None
) -> Call[None]:
    """``POST /{channel}/flows/run``: start a flow for a contact, with ``external_data`` for its steps."""
    body: dict[str, Any] = {
        "contact_id": _ident(contact_id, "contact_id"),
        "flow_id": _ident(flow_id, "flow_id"),
    }
    if external_data:
        if not isinstance(external_data, Mapping):
            raise ValueError("external_data must be a mapping of names to values")
        body["external_data"] = dict(external_data)
    return Call("POST", f"{channel_prefix(channel)}/flows/run", None, body, nothing, is_create=True)


def list_chat_flows(channel: str, bot_id: str) -> Call[list[dict[str, Any]]]:
    """``GET /{channel}/flows``: a bot's flows."""
    params = {"bot_id": _ident(bot_id, "bot_id")}
    return Call("GET", f"{channel_prefix(channel)}/flows", params, None, as_list)


def list_chats(
    channel: str, bot_id: str, size: int = MAX_PAGE_SIZE, skip: int = 0
) -> Call[list[dict[str, Any]]]:
    """``GET /{channel}/chats``: one page of a bot's chats, each with its contact and last inbound message."""
    params = {"bot_id": _ident(bot_id, "bot_id"), **_page(size, skip)}
    return Call("GET", f"{channel_prefix(channel)}/chats", params, None, as_list)


def list_chat_messages(
    channel: str, contact_id: str, size: int = MAX_PAGE_SIZE, skip: int = 0, order: str = "desc"
) -> Call[list[dict[str, Any]]]:
    """``GET /{channel}/chats/messages``: one page of a contact's messages (newest first by default);
    ``direction`` 1 is from the contact, 2 to it."""
    if order not in ("asc", "desc"):
        raise ValueError(f"order must be 'asc' or 'desc', got {order!r}")
    params = {"contact_id": _ident(contact_id, "contact_id"), **_page(size, skip), "order": order}
    return Call("GET", f"{channel_prefix(channel)}/chats/messages", params, None, as_list)


def set_chat_variables(channel: str, contact_id: str, variables: Mapping[str, Any]) -> Call[None]:
    """``POST /{channel}/contacts/setVariable``: set a contact's variables by name."""
    if not variables:
        raise ValueError("no variables given")
    items = [{"variable_name": str(k), "variable_value": v} for k, v in variables.items()]
    body = {"contact_id": _ident(contact_id, "contact_id"), "variables": items}
    return Call("POST", f"{channel_prefix(channel)}/contacts/setVariable", None, body, nothing)


def set_chat_tags(channel: str, contact_id: str, tags: Sequence[str]) -> Call[None]:
    """``POST /{channel}/contacts/setTag``: add tags to a contact."""
    names = [str(t).strip() for t in tags if str(t).strip()]
    if not names:
        raise ValueError("no tags given")
    body = {"contact_id": _ident(contact_id, "contact_id"), "tags": names}
    return Call("POST", f"{channel_prefix(channel)}/contacts/setTag", None, body, nothing)


# WhatsApp --------------------------------------------------------------------------------------------


def get_whatsapp_contact_by_phone(bot_id: str, phone: str) -> Call[dict[str, Any]]:
    """``GET /whatsapp/contacts/getByPhone``: a bot's contact by phone number."""
    params = {"bot_id": _ident(bot_id, "bot_id"), "phone": _phone(phone)}
    return Call("GET", "/whatsapp/contacts/getByPhone", params, None, data_object)


def send_whatsapp_by_phone(bot_id: str, phone: str, message: Mapping[str, Any]) -> Call[Any]:
    """``POST /whatsapp/contacts/sendByPhone``: a message to a bot's contact by phone (24-hour window
    applies). Not replayed."""
    body = {"bot_id": _ident(bot_id, "bot_id"), "phone": _phone(phone), "message": dict(message)}
    return Call("POST", "/whatsapp/contacts/sendByPhone", None, body, _data_or_none, is_create=True)


def send_whatsapp_template(contact_id: str, template: Mapping[str, Any]) -> Call[Any]:
    """``POST /whatsapp/contacts/sendTemplate``: a template message to a contact. Not replayed."""
    body = {"contact_id": _ident(contact_id, "contact_id"), "template": dict(template)}
    return Call("POST", "/whatsapp/contacts/sendTemplate", None, body, _data_or_none, is_create=True)


def send_whatsapp_template_by_phone(bot_id: str, phone: str, template: Mapping[str, Any]) -> Call[Any]:
    """``POST /whatsapp/contacts/sendTemplateByPhone``: a template message by phone number (the contact is
    created when new). Not replayed."""
    body = {"bot_id": _ident(bot_id, "bot_id"), "phone": _phone(phone), "template": dict(template)}
    return Call("POST", "/whatsapp/contacts/sendTemplateByPhone", None, body, _data_or_none, is_create=True)


def list_whatsapp_templates(bot_id: str) -> Call[list[dict[str, Any]]]:
    """``GET /whatsapp/templates``: a bot's templates with their status."""
    return Call("GET", "/whatsapp/templates", {"bot_id": _ident(bot_id, "bot_id")}, None, as_list)


def _data_or_none(body: Any) -> Any:
    """``data`` of a send answer (the message sent), or None when the answer carries none."""
    return body.get("data") if isinstance(body, dict) else None
