"""Per-channel chatbot routes (`/telegram/...`, `/whatsapp/...`): contacts, sending, flows, chats, templates.

The routes are the same on every channel; what a message looks like differs (Telegram `text` is a string,
WhatsApp `text` is `{"body"}`), and WhatsApp refuses a free-form message to a contact who has not written in
the last 24 hours and adds sending by phone and templates.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request

from ..chatbot_views import bot_json, chat_json, contact_json, flow_json, message_json, template_json
from ..chatbots import (
    DIRECTION_OUT,
    EMULATED_CHANNELS,
    WINDOW_CLOSED_CODE,
    ChatbotError,
    ChatbotState,
    ChatContact,
    bot_invalid,
    bot_not_found,
)
from ..params import body_args, query_args
from .chatbots_common import locked_bots, ok, order_arg, page, text_arg

#: Message types each channel's `contacts/send` takes (telegram.yml / whatsapp.yml).
MESSAGE_TYPES = {
    "telegram": ("text", "audio", "voice", "photo", "document", "video", "carousel", "action"),
    "whatsapp": ("text", "image", "document", "audio", "interactive", "reaction"),
}


def check_message(channel: str, message: Any) -> dict[str, Any]:
    """The `message` object, checked the way the channel reads it."""
    if not isinstance(message, dict):
        raise bot_invalid("message", "must be an object with a type")
    kind = message.get("type")
    if kind not in MESSAGE_TYPES[channel]:
        raise bot_invalid("message.type", f"must be one of {', '.join(MESSAGE_TYPES[channel])}")
    if kind == "text":
        text = message.get("text")
        if channel == "whatsapp":
            text = text.get("body") if isinstance(text, dict) else None
            if not isinstance(text, str) or not text.strip():
                raise bot_invalid("message.text.body", 'is required: WhatsApp text is {"body": "..."}')
        elif not isinstance(text, str) or not text.strip():
            raise bot_invalid("message.text", "is required and must be a non-empty string")
        if len(text) > 4096:
            raise bot_invalid("message.text", "may not be longer than 4096 characters")
    elif kind not in ("action", "carousel") and not isinstance(message.get(kind), str | dict):
        raise bot_invalid(f"message.{kind}", "is required for this message type")
    return dict(message)


def window_closed() -> ChatbotError:
    """WhatsApp's refusal of a free-form message outside the 24-hour window."""
    return ChatbotError(
        400,
        "The contact has not written in the last 24 hours: only a template message can be sent",
        "contact_id",
        WINDOW_CLOSED_CODE,
    )


def _send(state: ChatbotState, channel: str, contact: ChatContact, message: Any) -> dict[str, Any]:
    data = check_message(channel, message)
    if channel == "whatsapp" and not state.window_open(contact):
        raise window_closed()
    return ok(message_json(state.add_message(contact, DIRECTION_OUT, data)))


def check_template(state: ChatbotState, bot_id: str, template: Any) -> dict[str, Any]:
    """The `template` object, checked against the bot's approved templates."""
    if not isinstance(template, dict):
        raise bot_invalid("template", "must be an object with name and language")
    name = text_arg(template, "name")
    language = template.get("language")
    code = language.get("code") if isinstance(language, dict) else None
    if not isinstance(code, str) or not code:
        raise bot_invalid("template.language.code", "is required")
    found = next(
        (t for t in state.templates.values() if t.bot_id == bot_id and t.name == name and t.language == code),
        None,
    )
    if found is None:
        raise bot_not_found("Template")
    if found.status != "APPROVED":
        raise bot_invalid("template.name", f"template is {found.status}; only APPROVED templates can be sent")
    components = template.get("components", [])
    if not isinstance(components, list):
        raise bot_invalid("template.components", "must be an array")
    given = sum(
        len(c.get("parameters") or [])
        for c in components
        if isinstance(c, dict) and str(c.get("type", "")).lower() == "body"
    )
    if given != found.params:
        raise bot_invalid(
            "template.components", f"template body takes {found.params} parameters, got {given}"
        )
    return {"type": "template", "template": template}


def _template(state: ChatbotState, contact: ChatContact, template: Any) -> dict[str, Any]:
    data = check_template(state, contact.bot_id, template)
    return ok(message_json(state.add_message(contact, DIRECTION_OUT, data)))


def _phone(args: dict[str, Any]) -> str:
    phone = str(text_arg(args, "phone")).lstrip("+")
    if not phone.isdigit() or not 7 <= len(phone) <= 15:
        raise bot_invalid("phone", "must be 7 to 15 digits in international format")
    return phone


def channel_router(channel: str) -> APIRouter:
    """The routes of one channel."""
    router = APIRouter(prefix=f"/{channel}")

    @router.get("/bots")
    async def bots(request: Request) -> dict[str, Any]:
        with locked_bots(request) as state:
            return ok([bot_json(b, state) for b in state.bots.values() if b.channel == channel])

    @router.get("/contacts/get")
    async def get_contact(request: Request) -> dict[str, Any]:
        args = query_args(request)
        with locked_bots(request) as state:
            contact = state.contact(text_arg(args, "id"), channel)
            return ok(contact_json(contact, state.bots[contact.bot_id]))

    @router.post("/contacts/send")
    async def send(request: Request) -> dict[str, Any]:
        args = await body_args(request)
        with locked_bots(request) as state:
            contact = state.contact(text_arg(args, "contact_id"), channel)
            if "message" not in args:
                raise bot_invalid("message", "is required")
            return _send(state, channel, contact, args["message"])

    @router.post("/contacts/setVariable")
    async def set_variable(request: Request) -> dict[str, Any]:
        args = await body_args(request)
        with locked_bots(request) as state:
            contact = state.contact(text_arg(args, "contact_id"), channel)
            variables = args.get("variables")
            if not isinstance(variables, list) or not variables:
                raise bot_invalid("variables", "must be a non-empty array of {variable_name, variable_value}")
            for n, item in enumerate(variables):
                if not isinstance(item, dict) or "variable_value" not in item:
                    raise bot_invalid(f"variables.{n}", "needs variable_name and variable_value")
                name = text_arg(item, "variable_name")
                value = item["variable_value"]
                if not isinstance(value, str | int | float | bool):
                    raise bot_invalid(f"variables.{n}.variable_value", "must be a string, number or boolean")
                contact.variables[str(name)] = value
            return {"success": True}

    @router.post("/contacts/setTag")
    async def set_tag(request: Request) -> dict[str, Any]:
        args = await body_args(request)
        with locked_bots(request) as state:
            contact = state.contact(text_arg(args, "contact_id"), channel)
            tags = args.get("tags")
            if not isinstance(tags, list) or not tags or not all(isinstance(t, str) and t for t in tags):
                raise bot_invalid("tags", "must be a non-empty array of tag names")
            contact.tags.extend(t for t in tags if t not in contact.tags)
            return {"success": True}

    @router.get("/flows")
    async def flows(request: Request) -> dict[str, Any]:
        args = query_args(request)
        with locked_bots(request) as state:
            bot = state.bot(text_arg(args, "bot_id"), channel)
            found = [flow_json(f) for f in state.flows.values() if f.bot_id == bot.id]
            return ok(page(found, args, 100))

    @router.post("/flows/run")
    async def run_flow(request: Request) -> dict[str, Any]:
        args = await body_args(request)
        with locked_bots(request) as state:
            contact = state.contact(text_arg(args, "contact_id"), channel)
            flow = state.flows.get(str(text_arg(args, "flow_id")))
            if flow is None or flow.bot_id != contact.bot_id:
                raise bot_not_found("Flow")
            if not flow.active:
                raise bot_invalid("flow_id", "the flow is not active")
            external = args.get("external_data", {})
            if not isinstance(external, dict):
                raise bot_invalid("external_data", "must be an object")
            flow.runs.append((contact.id, external))
            return {"success": True}

    @router.get("/chats")
    async def chats(request: Request) -> dict[str, Any]:
        args = query_args(request)
        with locked_bots(request) as state:
            bot = state.bot(text_arg(args, "bot_id"), channel)
            found = [c for c in state.dialogs() if c.bot_id == bot.id]
            return ok([chat_json(c, bot) for c in page(found, args)])

    @router.get("/chats/messages")
    async def messages(request: Request) -> dict[str, Any]:
        args = query_args(request)
        descending = order_arg(args, "asc")
        with locked_bots(request) as state:
            contact = state.contact(text_arg(args, "contact_id"), channel)
            ordered = list(reversed(contact.messages)) if descending else list(contact.messages)
            after = args.get("search_after")
            if after:
                ids = [m.id for m in ordered]
                ordered = ordered[ids.index(after) + 1 :] if after in ids else []
            return ok([message_json(m) for m in page(ordered, args)])

    if channel == "whatsapp":

        @router.get("/contacts/getByPhone")
        async def get_by_phone(request: Request) -> dict[str, Any]:
            args = query_args(request)
            with locked_bots(request) as state:
                bot = state.bot(text_arg(args, "bot_id"), channel)
                contact = state.contact_by_phone(bot, _phone(args))
                if contact is None:
                    raise bot_not_found("Contact")
                return ok(contact_json(contact, bot))

        @router.post("/contacts/sendByPhone")
        async def send_by_phone(request: Request) -> dict[str, Any]:
            args = await body_args(request)
            with locked_bots(request) as state:
                bot = state.bot(text_arg(args, "bot_id"), channel)
                contact = state.contact_by_phone(bot, _phone(args))
                if contact is None:
                    raise bot_not_found("Contact")
                return _send(state, channel, contact, args.get("message"))

        @router.post("/contacts/sendTemplate")
        async def send_template(request: Request) -> dict[str, Any]:
            args = await body_args(request)
            with locked_bots(request) as state:
                contact = state.contact(text_arg(args, "contact_id"), channel)
                return _template(state, contact, args.get("template"))

        @router.post("/contacts/sendTemplateByPhone")
        async def send_template_by_phone(request: Request) -> dict[str, Any]:
            args = await body_args(request)
            with locked_bots(request) as state:
                bot = state.bot(text_arg(args, "bot_id"), channel)
                phone = _phone(args)
                data = check_template(state, bot.id, args.get("template"))
                contact = state.contact_by_phone(bot, phone) or state.add_contact(bot, phone, phone)
                return ok(message_json(state.add_message(contact, DIRECTION_OUT, data)))

        @router.get("/templates")
        async def templates(request: Request) -> dict[str, Any]:
            args = query_args(request)
            with locked_bots(request) as state:
                bot = state.bot(text_arg(args, "bot_id"), channel)
                return ok([template_json(t) for t in state.templates.values() if t.bot_id == bot.id])

    return router


router = APIRouter()
for _channel in EMULATED_CHANNELS:
    router.include_router(channel_router(_channel))
