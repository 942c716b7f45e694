"""Admin API for the chatbots under `/_emulator/chatbots` (no auth): connect bots, make contacts write."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.requests import Request

from ..chatbots import DIRECTION_IN, EMULATED_CHANNELS, bot_invalid
from .chatbots_common import locked_bots

router = APIRouter(prefix="/_emulator/chatbots")


class NewBot(BaseModel):
    """`POST /_emulator/chatbots/bots` body."""

    channel: str
    name: str = "Emulator bot"
    phone: str = "380500000000"


class NewContacts(BaseModel):
    """`POST /_emulator/chatbots/contacts` body: `names` (with `phones`) and/or `count` numbered ones."""

    bot_id: str
    names: list[str] = Field(default_factory=list)
    phones: list[str] = Field(default_factory=list)
    count: int = Field(default=0, ge=0, le=1_000_000)
    prefix: str = "Contact"
    write: str | None = None


class Incoming(BaseModel):
    """`POST /_emulator/chatbots/incoming` body: the contact writes `text` to its bot."""

    contact_id: str
    text: str = Field(min_length=1)


class NewFlow(BaseModel):
    """`POST /_emulator/chatbots/flows` body."""

    bot_id: str
    name: str
    active: bool = True


class NewTemplate(BaseModel):
    """`POST /_emulator/chatbots/templates` body: a WhatsApp template with `params` body variables."""

    bot_id: str
    name: str
    language: str = "en"
    params: int = Field(default=0, ge=0, le=20)
    status: str = "APPROVED"


@router.get("")
async def chatbot_state(request: Request) -> dict[str, Any]:
    """Bots, contacts with their messages, flows with their runs, templates."""
    with locked_bots(request) as state:
        return state.snapshot()


@router.post("/bots")
async def add_bot(request: Request, new: NewBot) -> dict[str, Any]:
    """Connect a bot on a channel."""
    if new.channel not in EMULATED_CHANNELS:
        raise bot_invalid("channel", f"must be one of {', '.join(EMULATED_CHANNELS)}")
    with locked_bots(request) as state:
        bot = state.add_bot(new.channel, new.name, new.phone)
        return {"id": bot.id, "channel": bot.channel}


@router.post("/contacts")
async def add_contacts(request: Request, new: NewContacts) -> dict[str, Any]:
    """Add contacts to a bot; with `write`, each also writes that text to the bot (opening a dialog)."""
    if new.phones and len(new.phones) != len(new.names):
        raise bot_invalid("phones", "must give one phone per name")
    with locked_bots(request) as state:
        bot = state.bot(new.bot_id)
        names = list(new.names) + [f"{new.prefix} {n}" for n in range(1, new.count + 1)]
        phones = list(new.phones) + [""] * (len(names) - len(new.phones))
        ids = []
        # A millisecond apart, ending now, as if they had arrived one by one: dialogs keep distinct times.
        start = state.now() - len(names) * 0.001
        for n, (name, phone) in enumerate(zip(names, phones, strict=True)):
            at = start + (n + 1) * 0.001
            contact = state.add_contact(bot, name, phone or f"38050{n:07d}", at)
            if new.write:
                state.add_message(contact, DIRECTION_IN, {"text": new.write}, at)
            ids.append(contact.id)
        return {"ids": ids}


@router.post("/incoming")
async def incoming(request: Request, message: Incoming) -> dict[str, Any]:
    """The contact writes to its bot: a new inbound message, and the dialog moves to the top."""
    with locked_bots(request) as state:
        contact = state.contact(message.contact_id)
        sent = state.add_message(contact, DIRECTION_IN, {"text": message.text})
        return {"id": sent.id, "created": sent.created}


@router.post("/flows")
async def add_flow(request: Request, new: NewFlow) -> dict[str, Any]:
    """Add a flow to a bot."""
    with locked_bots(request) as state:
        flow = state.add_flow(state.bot(new.bot_id), new.name, new.active)
        return {"id": flow.id}


@router.post("/templates")
async def add_template(request: Request, new: NewTemplate) -> dict[str, Any]:
    """Add a WhatsApp template to a bot."""
    with locked_bots(request) as state:
        bot = state.bot(new.bot_id, "whatsapp")
        template = state.add_template(bot, new.name, new.language, new.params, new.status)
        return {"id": template.id}
