"""Email verification: mailing lists sent for verification and single addresses checked.

A list's verification runs for one campaign step (`campaign_step_seconds`): its progress grows with the
emulator clock, then each address has a result decided from the address (about 6% invalid, 6%
unconfirmed; local parts starting `invalid`, `bounce` or `unknown` are always invalid).
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field

UNVERIFIED, VALID, UNCONFIRMED, INVALID = 0, 1, 2, 3
STATUS_TEXT = {UNVERIFIED: "Unverified", VALID: "Valid", UNCONFIRMED: "Unconfirmed", INVALID: "Invalid"}
_ALWAYS_INVALID = re.compile(r"^(invalid|bounce|unknown)", re.IGNORECASE)
_DISPOSABLE = ("mailinator.com", "tempmail.com")
_WEBMAIL = ("gmail.com", "yahoo.com", "outlook.com", "ukr.net")


def verdict(email: str) -> int:
    """The verification result of one address."""
    local = email.split("@", 1)[0]
    if _ALWAYS_INVALID.match(local) or email.lower().endswith(_DISPOSABLE):
        return INVALID
    roll = zlib.crc32(email.lower().encode()) % 100
    return INVALID if roll < 6 else UNCONFIRMED if roll < 12 else VALID


def single_checks(email: str) -> dict[str, object]:
    """`checks` of `GET /verifier-service/get-single-result` for one address."""
    status = verdict(email)
    domain = email.rsplit("@", 1)[-1].lower()
    return {
        "status": status,
        "valid_format": 1,
        "disposable": int(domain in _DISPOSABLE),
        "webmail": int(domain in _WEBMAIL),
        "gibberish": 0,
        "status_text": STATUS_TEXT[status],
    }


@dataclass
class ListVerification:
    """One verification of a mailing list: the addresses it covers and when it started."""

    list_id: int
    emails: list[str]
    started: float

    def processed(self, now: float, step: float) -> int:
        """Addresses checked by ``now``: all of them one step after the start."""
        total = len(self.emails)
        if step <= 0 or now >= self.started + step:
            return total
        return min(total, int(total * (now - self.started) / step))

    def done(self, now: float, step: float) -> bool:
        return self.processed(now, step) >= len(self.emails)


@dataclass
class VerifierState:
    """List verifications (the newest per list) and single addresses sent for checking."""

    lists: dict[int, ListVerification] = field(default_factory=dict)
    singles: dict[str, float] = field(default_factory=dict)
