"""Email campaigns: their life on the emulator clock and their seeded statistics."""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass, field
from typing import Any

CREATING = 13
QUEUED = 14
SENDING = 2
SENT = 3
NO_ACTIVE = 12
CANCELED = 16
DRAFT = 26

STATUS_EXPLAIN = {
    CREATING: "Creating (copying addresses)",
    QUEUED: "Queued",
    SENDING: "Sending",
    SENT: "Sent",
    NO_ACTIVE: "No active addresses",
    CANCELED: "Canceled by user",
    DRAFT: "Draft",
}

#: Statuses during which a campaign still uses its lists (they cannot be deleted meanwhile).
ACTIVE_STATUSES = frozenset({CREATING, QUEUED, SENDING})

#: Delivery statistics codes, in the order `statistics` lists them.
STAT_CODES = (
    (1, "Sent"),
    (2, "Delivered"),
    (3, "Opened"),
    (4, "Clicked"),
    (5, "Unsubscribed"),
    (6, "Marked as spam"),
    (7, "Error"),
)

COUNTRIES = ("UA", "US", "DE", "PL", "GB", "FR", "ES", "IT")


@dataclass
class Campaign:
    """One email campaign as the emulator remembers it."""

    id: int
    name: str
    sender_name: str
    sender_email: str
    subject: str
    body: str
    template_id: str | None
    list_ids: list[int]
    segment_id: int | None
    created: float
    send_date: float | None
    recipients: int
    draft: bool = False
    attachments: list[str] = field(default_factory=list)
    stats_options: dict[str, Any] = field(default_factory=dict)
    canceled_at: float | None = None

    def status(self, now: float, step: float) -> int:
        """The status at emulator time `now` with `step` seconds per stage."""
        if self.canceled_at is not None:
            return CANCELED
        if self.draft:
            return DRAFT
        if now < self.created + step:
            return CREATING
        if self.recipients == 0:
            return NO_ACTIVE
        queued_until = max(self.created + 2 * step, self.send_date or 0.0)
        if now < queued_until:
            return QUEUED
        return SENDING if now < queued_until + step else SENT

    def sent_fraction(self, now: float, step: float) -> float:
        """How much of the campaign has gone out (0..1) at `now`."""
        status = self.status(now, step)
        if status == SENT:
            return 1.0
        if status != SENDING or step <= 0:
            return 0.0
        started = max(self.created + 2 * step, self.send_date or 0.0)
        return min(1.0, max(0.0, (now - started) / step))

    def final_counts(self, seed: int) -> dict[int, int]:
        """Seeded, plausible counts per statistics code once everything is sent."""
        rng = random.Random(seed * 1_000_003 + self.id)
        sent = self.recipients
        errors = round(sent * rng.uniform(0.002, 0.03))
        delivered = sent - errors
        opened = round(delivered * rng.uniform(0.15, 0.45))
        clicked = round(opened * rng.uniform(0.05, 0.3))
        unsubscribed = round(delivered * rng.uniform(0.0, 0.01))
        spam = round(delivered * rng.uniform(0.0, 0.002))
        return {1: sent, 2: delivered, 3: opened, 4: clicked, 5: unsubscribed, 6: spam, 7: errors}

    def statistics(self, now: float, step: float, seed: int) -> list[dict[str, Any]]:
        """`statistics` of the campaign answer at `now`."""
        fraction = self.sent_fraction(now, step)
        counts = self.final_counts(seed)
        return [
            {"code": code, "count": int(counts[code] * fraction), "explain": explain}
            for code, explain in STAT_CODES
        ]

    def countries(self, now: float, step: float, seed: int) -> dict[str, int]:
        """Opens per country, seeded."""
        opened = int(self.final_counts(seed)[3] * self.sent_fraction(now, step))
        rng = random.Random(seed + self.id * 7)
        weights = [rng.random() for _ in COUNTRIES]
        total = sum(weights)
        shares = {c: int(opened * w / total) for c, w in zip(COUNTRIES, weights, strict=True)}
        shares[COUNTRIES[0]] += opened - sum(shares.values())
        return {c: n for c, n in shares.items() if n}

    def referrals(self, now: float, step: float, seed: int) -> list[dict[str, Any]]:
        """Clicks per link, seeded."""
        clicked = int(self.final_counts(seed)[4] * self.sent_fraction(now, step))
        if not clicked:
            return []
        first = clicked * 2 // 3
        return [
            {"link": f"https://example.com/campaign/{self.id}/offer", "count": first},
            {"link": f"https://example.com/campaign/{self.id}/unsubscribe-info", "count": clicked - first},
        ]

    def email_status(self, email: str, now: float, step: float) -> dict[str, Any] | None:
        """Per-recipient delivery state (deterministic per email), or None before sending."""
        if self.sent_fraction(now, step) <= 0:
            return None
        roll = zlib.crc32(f"{self.id}:{email}".encode()) % 100
        if roll < 2:
            return {"global_status": 7, "global_status_explain": "Error", "detail_status": 7}
        if roll < 30:
            return {"global_status": 3, "global_status_explain": "Opened", "detail_status": 3}
        return {"global_status": 2, "global_status_explain": "Delivered", "detail_status": 2}
