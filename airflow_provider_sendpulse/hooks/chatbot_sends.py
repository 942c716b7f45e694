"""Chatbot sends to many recipients, one outcome each, and never twice to a recipient on a task retry.

Each recipient's send is recorded in the task state store (Airflow 3.3+) under a key holding a digest of
the recipient, never the id or phone itself: ``sending`` while the call is in flight, then ``sent`` or
``failed``. A retry skips recipients already ``sent``, sends again to those that ``failed`` (SendPulse
refused them: nothing went out), and for a recipient left ``sending`` (the try died mid-call, or the
answer was lost) asks ``find`` whether the send went through; when it cannot tell, that recipient is
refused rather than sent twice. Without a state store, a retry asks ``find`` for every recipient when a
``find`` is given.

Failures are per recipient: one refused contact never stops the others, and every outcome names its
recipient and why.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from airflow_provider_sendpulse.client.errors import SendPulseAmbiguousCreateError, SendPulseError
from airflow_provider_sendpulse.hooks.create_once import Attempt

SENDING, SENT, FAILED = "sending", "sent", "failed"
ALREADY_SENT = "already_sent"
"""Outcome status of a recipient an earlier try had already reached."""

#: The error code the emulator answers for WhatsApp's closed 24-hour window (SendPulse's own is undocumented).
WINDOW_CLOSED_CODE = 1024


@dataclass(frozen=True)
class Recipient:
    """One recipient: who (a contact id or phone), where it came from, and what to send it."""

    who: str
    position: str
    payload: Any = None


@dataclass(frozen=True)
class Ledger:
    """Per-recipient records of one task instance's sends, under ``<key>.<digest of recipient>``."""

    attempt: Attempt
    key: str

    def _key(self, who: str) -> str:
        return f"{self.key}.{hashlib.sha256(who.encode()).hexdigest()[:16]}"

    def get(self, who: str) -> str | None:
        record = self.attempt.state.get(self._key(who))
        return record if isinstance(record, str) else None

    def set(self, who: str, status: str) -> None:
        self.attempt.state.set(self._key(who), status)


def is_window_closed(error: SendPulseError) -> bool:
    """Whether WhatsApp refused a free-form message because the contact has not written for 24 hours."""
    text = (error.message or "").lower()
    return error.error_code == WINDOW_CLOSED_CODE or ("24" in text and "hour" in text)


def describe_failure(error: Exception, channel: str) -> str:
    """Why a recipient was refused, in words a DAG author can act on (never the request body)."""
    if isinstance(error, SendPulseError) and channel == "whatsapp" and is_window_closed(error):
        return (
            "the WhatsApp 24-hour window is closed (the contact has not written in the last 24 hours); "
            "only a template message can reach it (SendPulseWhatsAppTemplateOperator)"
        )
    return str(error)


def send_each(
    recipients: Iterable[Recipient],
    send: Callable[[Recipient], Any],
    ledger: Ledger,
    *,
    channel: str,
    find: Callable[[Recipient], bool] | None = None,
) -> list[dict[str, Any]]:
    """Send to every recipient once per task instance; one outcome each, in input order.

    An outcome is ``{"recipient", "position", "status"}`` with ``status`` ``sent``, ``already_sent`` or
    ``failed`` (then ``error`` says why, and ``retryable`` whether a task retry may succeed); ``message_id``
    when SendPulse answered one.
    """
    outcomes: list[dict[str, Any]] = []
    retried = ledger.attempt.retried
    lookup_all = retried and not ledger.attempt.state.available and find is not None
    for recipient in recipients:
        outcome: dict[str, Any] = {"recipient": recipient.who, "position": recipient.position}
        outcomes.append(outcome)
        record = ledger.get(recipient.who) if retried else None
        if record == SENT:
            outcome["status"] = ALREADY_SENT
            continue
        if record == SENDING or lookup_all:
            if find is not None and find(recipient):
                ledger.set(recipient.who, SENT)
                outcome["status"] = ALREADY_SENT
                continue
            if record == SENDING:
                outcome["status"] = FAILED
                outcome["error"] = (
                    "an earlier try started this send and may have done it; not sending twice "
                    "(check the conversation in SendPulse)"
                )
                continue
        ledger.set(recipient.who, SENDING)
        try:
            answer = send(recipient)
        except SendPulseAmbiguousCreateError as error:
            if find is not None and find(recipient):
                ledger.set(recipient.who, SENT)
                outcome["status"] = SENT
                continue
            # Left "sending": a retry will not send it again blindly.
            outcome["status"] = FAILED
            outcome["error"] = f"the send may or may not have gone through ({error.message}); not repeated"
            continue
        except SendPulseError as error:
            ledger.set(recipient.who, FAILED)
            outcome["status"] = FAILED
            outcome["error"] = describe_failure(error, channel)
            # Refused (4xx): the same request fails again. Anything else may pass on a task retry.
            outcome["retryable"] = error.status is None or error.status == 429 or error.status >= 500
            continue
        ledger.set(recipient.who, SENT)
        outcome["status"] = SENT
        if isinstance(answer, dict) and answer.get("id"):
            outcome["message_id"] = str(answer["id"])
    return outcomes


def summarise(outcomes: list[dict[str, Any]]) -> dict[str, int]:
    """How many recipients ended in each status."""
    counts = {SENT: 0, ALREADY_SENT: 0, FAILED: 0}
    for outcome in outcomes:
        counts[outcome["status"]] += 1
    return counts
