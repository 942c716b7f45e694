"""SendPulse email campaign status codes and what they mean for someone waiting on a campaign."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

STATUS_NAMES: dict[int, str] = {
    0: "new",
    1: "pending moderation",
    2: "sending",
    3: "sent",
    4: "test",
    5: "blocked by the service",
    6: "marked for deletion",
    7: "updating",
    8: "test",
    9: "delivering",
    10: "being processed",
    11: "awaiting moderator reply",
    12: "no active addresses",
    13: "creating (copying addresses)",
    14: "queued",
    15: "awaiting A/B test result",
    16: "canceled by user",
    22: "sending partially",
    23: "sent partially",
    25: "partially sent and blocked",
    26: "draft",
    27: "requires editing",
    28: "scheduled resend to unread",
}

SENT_STATUSES = frozenset({3, 23})
"""Final statuses in which the campaign went out (23: partially)."""

FAILED_STATUSES = frozenset({5, 6, 12, 16, 25, 27})
"""Final statuses in which it did not (or will not without someone's help)."""

FINAL_STATUSES = SENT_STATUSES | FAILED_STATUSES

Outcome = Literal["sent", "failed", "waiting"]


def status_code(campaign: Mapping[str, Any]) -> int | None:
    """The campaign's status as an int (old payloads send numbers as strings), or None."""
    value = campaign.get("status")
    try:
        return int(value) if value is not None and not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None


def status_name(code: int | None) -> str:
    """A readable name for a status code."""
    if code is None:
        return "unknown"
    return STATUS_NAMES.get(code, f"status {code}")


def outcome(code: int | None) -> Outcome:
    """Whether a campaign in this status went out, failed for good, or is still on its way."""
    if code in SENT_STATUSES:
        return "sent"
    if code in FAILED_STATUSES:
        return "failed"
    return "waiting"
