"""The emulator's in-memory account: lists, contacts, campaigns, SMS, senders, templates, tokens, and the
CRM, Automation 360, SMTP and verifier services.

One `EmulatorState` is one SendPulse account. Routes hold `state.lock` while they read or change it, so the
state is safe to share between the server's threads.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from .automation import AutomationState
from .campaigns import Campaign
from .chatbots import ChatbotState
from .config import EmulatorConfig
from .contacts import ContactStore
from .crm import CrmState
from .smtp import SmtpState
from .verifier import VerifierState

DATE_FORMAT = "%Y-%m-%d %H:%M:%S"


def format_date(ts: float, zone: ZoneInfo) -> str:
    """Epoch seconds as SendPulse writes dates: `YYYY-MM-DD HH:MM:SS` in the account's time zone."""
    return datetime.fromtimestamp(ts, zone).strftime(DATE_FORMAT)


def parse_date(text: str, zone: ZoneInfo) -> float:
    """A SendPulse date string (account time) as epoch seconds; ValueError when malformed."""
    return datetime.strptime(text, DATE_FORMAT).replace(tzinfo=zone).timestamp()


class Clock:
    """Wall-clock time plus an offset the admin API can advance."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        """Current emulator time in epoch seconds."""
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        """Move emulator time forward."""
        self.offset += seconds


@dataclass
class MailingList:
    """A mailing list ("address book")."""

    id: int
    name: str
    created: float
    contacts: ContactStore = field(default_factory=ContactStore)
    variable_types: dict[str, str] = field(default_factory=dict)
    phones: dict[str, float] = field(default_factory=dict)


@dataclass
class Sender:
    """A sender address; only active senders can send campaigns."""

    email: str
    name: str
    active: bool
    code: str


@dataclass
class Template:
    """An email template (base64 HTML body)."""

    id: int
    name: str
    body: str
    lang: str
    owner: str
    created: float


@dataclass
class SmsCampaign:
    """An SMS campaign, to a list or to explicit phones."""

    id: int
    sender: str
    body: str
    address_book_id: int | None
    phones: list[str]
    created: float
    send_date: float
    emulate: bool
    canceled: bool = False


@dataclass
class Token:
    """A minted OAuth access token."""

    account: str
    expires_at: float


class EmulatorState:
    """Everything the emulated account holds."""

    def __init__(self, config: EmulatorConfig, clock: Clock | None = None) -> None:
        self.lock = threading.RLock()
        self.config = config
        self.clock = clock or Clock()
        self.lists: dict[int, MailingList] = {}
        self.campaigns: dict[int, Campaign] = {}
        self.sms_campaigns: dict[int, SmsCampaign] = {}
        self.senders: dict[str, Sender] = {}
        self.templates: dict[int, Template] = {}
        self.tokens: dict[str, Token] = {}
        self.issued_tokens: list[str] = []
        self.crm = CrmState(self.clock.now)
        self.chatbots = ChatbotState(self.clock.now)
        self.automation = AutomationState()
        self.smtp = SmtpState()
        self.verifier = VerifierState()
        self._next_list_id = 1_000_001
        self._next_campaign_id = 2_000_001
        self._next_sms_id = 3_000_001
        self._next_template_id = 4_000_001
        self._seed_fixtures()

    def _seed_fixtures(self) -> None:
        now = self.clock.now()
        self.senders["sender@example.com"] = Sender("sender@example.com", "Emulator Sender", True, "000000")
        for name, lang in (("Welcome", "en"), ("Newsletter", "en"), ("Promo", "en")):
            body = "PGgxPkhlbGxvIHt7bmFtZX19PC9oMT4="  # "<h1>Hello {{name}}</h1>"
            self.add_template(name, body, lang, owner="sendpulse", now=now)

    # dates -----------------------------------------------------------------------------------------

    def format_date(self, ts: float) -> str:
        """Epoch seconds as this account writes dates (in its time zone)."""
        return format_date(ts, self.config.zone)

    def parse_date(self, text: str) -> float:
        """A date string in this account's time zone as epoch seconds; ValueError when malformed."""
        return parse_date(text, self.config.zone)

    # ids -------------------------------------------------------------------------------------------

    def new_list_id(self) -> int:
        """The next mailing list id."""
        self._next_list_id += 1
        return self._next_list_id - 1

    def new_campaign_id(self) -> int:
        """The next email campaign id."""
        self._next_campaign_id += 1
        return self._next_campaign_id - 1

    def new_sms_id(self) -> int:
        """The next SMS campaign id."""
        self._next_sms_id += 1
        return self._next_sms_id - 1

    # tokens ----------------------------------------------------------------------------------------

    def mint_token(self, account: str) -> tuple[str, int]:
        """A fresh access token and its lifetime in seconds."""
        token = secrets.token_urlsafe(32)
        ttl = int(self.config.token_ttl)
        self.tokens[token] = Token(account, self.clock.now() + ttl)
        self.issued_tokens.append(token)
        return token, ttl

    def account_for(self, token: str) -> str | None:
        """The account a bearer token or static API key belongs to, or None when it is not valid now."""
        if self.config.api_key and secrets.compare_digest(token.encode(), self.config.api_key.encode()):
            return self.config.client_id
        found = self.tokens.get(token)
        if found is None:
            return None
        if found.expires_at <= self.clock.now():
            del self.tokens[token]
            return None
        return found.account

    def expire_tokens(self) -> int:
        """Forget every minted token (the static API key stays valid); returns how many."""
        count = len(self.tokens)
        self.tokens.clear()
        return count

    # lists -----------------------------------------------------------------------------------------

    def create_list(self, name: str) -> MailingList:
        """Create a mailing list."""
        book = MailingList(self.new_list_id(), name, self.clock.now())
        self.lists[book.id] = book
        return book

    def find_list_by_name(self, name: str) -> MailingList | None:
        """The list with this name, if any."""
        return next((b for b in self.lists.values() if b.name == name), None)

    def campaigns_of_list(self, list_id: int) -> list[Campaign]:
        """Campaigns sent (or to be sent) to a list."""
        return [c for c in self.campaigns.values() if list_id in c.list_ids]

    # templates -------------------------------------------------------------------------------------

    def add_template(self, name: str, body: str, lang: str, owner: str, now: float) -> Template:
        """Store a template."""
        template = Template(self._next_template_id, name, body, lang, owner, now)
        self._next_template_id += 1
        self.templates[template.id] = template
        return template

    # snapshot --------------------------------------------------------------------------------------

    def snapshot(self, contacts_cap: int = 10_000) -> dict[str, Any]:
        """The whole account as JSON (the admin API's `GET /_emulator/state`)."""
        now = self.clock.now()
        step = self.config.campaign_step_seconds
        lists = []
        for book in self.lists.values():
            store = book.contacts
            entry: dict[str, Any] = {
                "id": book.id,
                "name": book.name,
                "creationdate": self.format_date(book.created),
                "total": len(store),
                "active": store.count_active(),
                "variables": dict(book.variable_types),
                "phones": sorted(book.phones),
                "contacts_truncated": len(store) > contacts_cap,
                "contacts": [],
            }
            for n, contact in enumerate(store.iter_all()):
                if n >= contacts_cap:
                    break
                entry["contacts"].append(
                    {
                        "email": contact.email,
                        "status": contact.status,
                        "add_date": self.format_date(contact.added),
                        "variables": dict(contact.variables),
                    }
                )
            lists.append(entry)
        campaigns = [
            {
                "id": c.id,
                "name": c.name,
                "status": c.status(now, step),
                "list_ids": c.list_ids,
                "recipients": c.recipients,
                "created": self.format_date(c.created),
                "send_date": self.format_date(c.send_date) if c.send_date else None,
            }
            for c in self.campaigns.values()
        ]
        sms = [
            {
                "id": s.id,
                "sender": s.sender,
                "body": s.body,
                "address_book_id": s.address_book_id,
                "phones": s.phones,
                "send_date": self.format_date(s.send_date),
                "canceled": s.canceled,
            }
            for s in self.sms_campaigns.values()
        ]
        return {
            "now": now,
            "config": self.config.runtime(),
            "lists": lists,
            "campaigns": campaigns,
            "sms_campaigns": sms,
            "senders": [
                {"email": s.email, "name": s.name, "active": s.active} for s in self.senders.values()
            ],
            "templates": [{"id": t.id, "name": t.name, "owner": t.owner} for t in self.templates.values()],
            "tokens": len(self.tokens),
        }
