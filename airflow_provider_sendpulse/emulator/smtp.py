"""Transactional email (SMTP service): sent messages, their delivery log, bounces and unsubscribes.

The SMTP service must be activated on a SendPulse account before it sends; the admin API switches it off
to produce SendPulse's "No such SMTP user" refusal. Every recipient of a message gets a log record with
a delivery result decided from the message id and address (about 3% bounce), and opens and clicks that
appear once the campaign step (`campaign_step_seconds`) has passed after sending.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Any

BOUNCE_PERCENT = 3
DELIVERED = (250, "2.0.0", "250 2.0.0 Ok: queued")
BOUNCED = (550, "5.1.1", "550 5.1.1 <recipient>: Recipient address rejected: User unknown")


def _roll(*parts: str) -> int:
    return zlib.crc32(":".join(parts).encode()) % 100


@dataclass(frozen=True)
class SmtpRecord:
    """One recipient of one sent message, as the SMTP log lists it."""

    message_id: str
    sender: str
    recipient: str
    subject: str
    sent: float
    size: int

    @property
    def bounced(self) -> bool:
        return _roll(self.message_id, self.recipient) < BOUNCE_PERCENT

    def tracking(self, now: float, step: float) -> dict[str, Any]:
        """Opens and clicks so far: none until one step after sending, then fixed per recipient."""
        if self.bounced or now < self.sent + step:
            return {"click": 0, "open": 0, "link": [], "client_info": []}
        roll = _roll("open", self.message_id, self.recipient)
        opened = roll < 60
        clicked = opened and roll < 20
        return {
            "click": int(clicked),
            "open": int(opened),
            "link": [{"url": "https://example.com/", "click": 1}] if clicked else [],
            "client_info": [{"os": "Linux", "browser": "Firefox"}] if opened else [],
        }


@dataclass
class SmtpUnsubscribe:
    """An address on the SMTP suppression list."""

    email: str
    at: float
    by_link: bool
    comment: str = ""


@dataclass
class SmtpState:
    """The account's SMTP service: whether it is activated, the log, and the suppression list."""

    activated: bool = True
    log: list[SmtpRecord] = field(default_factory=list)
    messages: int = 0
    unsubscribed: dict[str, SmtpUnsubscribe] = field(default_factory=dict)
    _next_id: int = 1_679_616

    def new_message_id(self) -> str:
        """An id in SendPulse's shape (``pzkic9-0afezp-fc``): three base-36 groups."""
        n = self._next_id
        self._next_id += 1
        self.messages += 1
        return f"{_base36(n):0>6}-{_base36(n * 7919 % 2_176_782_336):0>6}-em"

    def snapshot(self, cap: int = 100) -> dict[str, Any]:
        """Activation, counts and the newest `cap` log records, as JSON."""
        return {
            "activated": self.activated,
            "messages": self.messages,
            "records": len(self.log),
            "unsubscribed": sorted(self.unsubscribed),
            "recent": [
                {
                    "id": r.message_id,
                    "sender": r.sender,
                    "recipient": r.recipient,
                    "subject": r.subject,
                    "sent": r.sent,
                    "bounced": r.bounced,
                }
                for r in (self.log[-cap:] if cap > 0 else [])
            ],
        }


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, rest = divmod(n, 36)
        out = digits[rest] + out
        if n == 0:
            return out
