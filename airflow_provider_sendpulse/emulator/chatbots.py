"""The emulated chatbots: bots per channel, their contacts, messages, flows and WhatsApp templates.

A contact belongs to one bot and has one dialog with it. Ids are 24 hex digits like SendPulse's (Mongo
ObjectId-like) and grow with creation, so a later message always has a larger id. Times are epoch seconds on
the emulator clock; a dialog's `updated_at` is its last message in either direction, which is the order
`GET /chatbots/dialogs` lists dialogs in.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .errors import ApiError

#: Channel path prefix -> SendPulse's `service` number (chatbots.yml `Account.services`).
SERVICES = {"messenger": 1, "telegram": 3, "whatsapp": 4, "instagram": 5}
#: The channels whose routes the emulator serves.
EMULATED_CHANNELS = ("telegram", "whatsapp")

#: WhatsApp accepts a free-form message only this long after the contact's last message.
WHATSAPP_WINDOW_SECONDS = 24 * 3600
#: The error code the emulator answers for a closed 24-hour window (SendPulse's own code is undocumented).
WINDOW_CLOSED_CODE = 1024

DIRECTION_IN, DIRECTION_OUT = 1, 2


class ChatbotError(ApiError):
    """An answer in the chatbot API's envelope: `success: false` with `message`, `error_code`, `errors`."""

    def __init__(self, status: int, message: str, field_name: str | None = None, code: int | None = None):
        super().__init__(status, message, code)
        self.field_name = field_name

    def body(self) -> dict[str, Any]:
        """The JSON body for this error."""
        body: dict[str, Any] = {"success": False, "message": self.message, "error_code": self.error_code}
        if self.field_name is not None:
            body["errors"] = {self.field_name: [self.message]}
        return body


def bot_invalid(field_name: str, message: str) -> ChatbotError:
    """HTTP 422 for one bad field, naming it and what is allowed."""
    return ChatbotError(422, f"{field_name}: {message}", field_name)


def bot_not_found(kind: str) -> ChatbotError:
    """HTTP 404 for an unknown bot, contact, flow or template."""
    return ChatbotError(404, f"{kind} not found")


def iso_ms(ts: float) -> str:
    """Epoch seconds as the dialogs list writes dates: `2020-12-11T21:00:00.000Z`."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(ts * 1000) % 1000:03d}Z"


def iso_s(ts: float) -> str:
    """Epoch seconds as channel answers write dates: `2020-12-11 21:00:00+00:00`."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%S+00:00")


@dataclass(slots=True)
class Bot:
    """A connected bot on one channel."""

    id: str
    channel: str
    name: str
    created: float
    phone: str = ""


@dataclass(slots=True)
class Message:
    """One message in a dialog; `data` is the message as sent (`{"text": ...}` for an inbound text)."""

    id: str
    contact_id: str
    bot_id: str
    direction: int
    data: dict[str, Any]
    created: float


@dataclass(slots=True)
class ChatContact:
    """A bot's contact with its dialog (messages oldest first)."""

    id: str
    bot_id: str
    name: str
    phone: str
    created: float
    variables: dict[str, Any] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    last_inbound: Message | None = None
    last_outbound: Message | None = None
    updated: float = 0.0
    unread: int = 0


@dataclass(slots=True)
class Flow:
    """A bot's flow; `runs` records `(contact_id, external_data)` per start."""

    id: str
    bot_id: str
    name: str
    active: bool
    created: float
    runs: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


@dataclass(slots=True)
class WaTemplate:
    """An approved (or not) WhatsApp template with `params` body variables."""

    id: str
    bot_id: str
    name: str
    language: str
    params: int
    status: str
    created: float


class ChatbotState:
    """All bots of the account, with an index of dialogs by last activity."""

    def __init__(self, now: Callable[[], float]) -> None:
        self.now = now
        self.bots: dict[str, Bot] = {}
        self.contacts: dict[str, ChatContact] = {}
        self.flows: dict[str, Flow] = {}
        self.templates: dict[str, WaTemplate] = {}
        self._ids = itertools.count(1)
        self._seq = itertools.count(1)
        #: contact id -> activity sequence number; the dialogs order is by (updated, sequence).
        self.activity: dict[str, int] = {}

    def new_id(self) -> str:
        """A fresh 24-hex-digit id, larger than every earlier one."""
        return f"{int(self.now()):08x}{next(self._ids):016x}"

    # lookups ---------------------------------------------------------------------------------------

    def bot(self, bot_id: Any, channel: str | None = None) -> Bot:
        """The bot with this id (on `channel` when given), or 404."""
        found = self.bots.get(str(bot_id))
        if found is None or (channel is not None and found.channel != channel):
            raise bot_not_found("Bot")
        return found

    def contact(self, contact_id: Any, channel: str | None = None) -> ChatContact:
        """The contact with this id (of a bot on `channel` when given), or 404."""
        found = self.contacts.get(str(contact_id))
        if found is None or (channel is not None and self.bots[found.bot_id].channel != channel):
            raise bot_not_found("Contact")
        return found

    def contact_by_phone(self, bot: Bot, phone: str) -> ChatContact | None:
        """The bot's contact with this phone, if any."""
        return next((c for c in self.contacts.values() if c.bot_id == bot.id and c.phone == phone), None)

    # changes ---------------------------------------------------------------------------------------

    def add_bot(self, channel: str, name: str, phone: str = "") -> Bot:
        """Connect a bot."""
        bot = Bot(self.new_id(), channel, name, self.now(), phone)
        self.bots[bot.id] = bot
        return bot

    def add_contact(self, bot: Bot, name: str, phone: str = "", at: float | None = None) -> ChatContact:
        """A new contact of `bot` (a dialog with no messages yet), created now or `at` (not later)."""
        now = self.now() if at is None else min(at, self.now())
        contact = ChatContact(self.new_id(), bot.id, name, phone, now, updated=now)
        self.contacts[contact.id] = contact
        self.activity[contact.id] = next(self._seq)
        return contact

    def add_message(
        self, contact: ChatContact, direction: int, data: dict[str, Any], at: float | None = None
    ) -> Message:
        """Record a message in the contact's dialog (now, or `at`) and move the dialog to the top."""
        now = self.now() if at is None else min(at, self.now())
        message = Message(self.new_id(), contact.id, contact.bot_id, direction, data, now)
        contact.messages.append(message)
        contact.updated = now
        if direction == DIRECTION_IN:
            contact.last_inbound = message
            contact.unread += 1
        else:
            contact.last_outbound = message
        self.activity[contact.id] = next(self._seq)
        return message

    def add_flow(self, bot: Bot, name: str, active: bool = True) -> Flow:
        """A flow of `bot`."""
        flow = Flow(self.new_id(), bot.id, name, active, self.now())
        self.flows[flow.id] = flow
        return flow

    def add_template(self, bot: Bot, name: str, language: str, params: int, status: str) -> WaTemplate:
        """A WhatsApp template of `bot`."""
        template = WaTemplate(self.new_id(), bot.id, name, language, params, status, self.now())
        self.templates[template.id] = template
        return template

    def window_open(self, contact: ChatContact) -> bool:
        """Whether the contact wrote within the last 24 hours (WhatsApp's free-form window)."""
        last = contact.last_inbound
        return last is not None and self.now() - last.created < WHATSAPP_WINDOW_SECONDS

    # reading ---------------------------------------------------------------------------------------

    def dialogs(self, descending: bool = True) -> Iterator[ChatContact]:
        """Every dialog by last activity (newest first when `descending`)."""
        order = sorted(self.activity.items(), key=lambda item: item[1], reverse=descending)
        return (self.contacts[cid] for cid, _ in order)

    def snapshot(self) -> dict[str, Any]:
        """Bots, contacts with their messages, flow runs and templates, for the admin API."""
        return {
            "bots": [{"id": b.id, "channel": b.channel, "name": b.name} for b in self.bots.values()],
            "contacts": [
                {
                    "id": c.id,
                    "bot_id": c.bot_id,
                    "name": c.name,
                    "phone": c.phone,
                    "variables": dict(c.variables),
                    "tags": list(c.tags),
                    "messages": [
                        {"id": m.id, "direction": m.direction, "data": m.data, "created": m.created}
                        for m in c.messages
                    ],
                }
                for c in self.contacts.values()
            ],
            "flows": [
                {"id": f.id, "bot_id": f.bot_id, "name": f.name, "runs": [list(r) for r in f.runs]}
                for f in self.flows.values()
            ],
            "templates": [
                {"id": t.id, "bot_id": t.bot_id, "name": t.name, "status": t.status}
                for t in self.templates.values()
            ],
        }
