"""Automation 360: start the flows of an event for one contact."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airflow_provider_sendpulse.client.api.call import Call
from airflow_provider_sendpulse.client.api.read import nothing, path_segment
from airflow_provider_sendpulse.client.errors import SendPulseError

DAILY_FLOW_START_CAP = 100_000
"""Contacts whose flows SendPulse starts per account and day; further events are refused."""

RESERVED_EVENT_KEYS = ("email", "phone")
"""Body keys that name the contact; every other key is an event variable."""


def start_event(
    event_name: str,
    *,
    email: str | None = None,
    phone: str | None = None,
    variables: Mapping[str, Any] | None = None,
) -> Call[None]:
    """``POST /events/name/{event_name}``: start the event's flows for the contact with this email
    and/or phone; ``variables`` travel beside them in the body.

    Never replayed after a lost answer (a second start would send the flow's messages twice): the
    client raises :class:`~airflow_provider_sendpulse.client.errors.SendPulseAmbiguousCreateError`.
    """
    name = event_name.strip() if isinstance(event_name, str) else ""
    if not name:
        raise ValueError("event_name must be a non-empty string")
    if not email and not phone:
        raise ValueError("an event needs the contact's email or phone")
    body: dict[str, Any] = {}
    for key, value in (variables or {}).items():
        if key in RESERVED_EVENT_KEYS:
            raise ValueError(f"variable {key!r} clashes with the contact's {key}; rename it")
        body[key] = value
    if email:
        body["email"] = email
    if phone:
        body["phone"] = phone
    return Call("POST", f"/events/name/{path_segment(name)}", None, body, nothing, is_create=True)


EVENT_NOT_FOUND_CODE = 102
"""``error_code`` of SendPulse's "Event not exists" answer (an event name the account has not defined)."""
DAILY_CAP_CODE = 103
"""``error_code`` the emulator answers once the day's flow starts are used up (SendPulse documents none)."""


def is_unknown_event(exc: SendPulseError) -> bool:
    """Whether SendPulse refused an event start because the account has no event of that name."""
    return exc.error_code == EVENT_NOT_FOUND_CODE or "event not exists" in exc.message.lower()


def is_daily_cap_refusal(exc: SendPulseError) -> bool:
    """Whether SendPulse refused an event start because the day's flow starts are used up."""
    text = exc.message.lower()
    return exc.error_code == DAILY_CAP_CODE or ("limit" in text and "exceed" in text)
