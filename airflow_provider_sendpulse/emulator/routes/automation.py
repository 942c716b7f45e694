"""Automation 360: start an event's flows for one contact (`POST /events/name/{event_name}`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request

from ..automation import FlowStart
from ..errors import ApiError, invalid
from ..params import body_args
from .common import emulator_of
from .contacts import is_email
from .sms import clean_phone

router = APIRouter()

EVENT_NOT_FOUND = ApiError(400, "Event not exists", 102)
"""SendPulse's answer for an event name the account has not defined (seen from its Go client's tests)."""


def daily_cap_reached(cap: int) -> ApiError:
    """The answer once the day's flow starts are used up (wording is the emulator's own)."""
    return ApiError(400, f"Daily limit of {cap} automation flow starts is exceeded", 103)


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


@router.post("/events/name/{event_name}")
async def start_event(request: Request, event_name: str) -> dict[str, Any]:
    """Start the flows of an event for the contact the body names by `email` and/or `phone`."""
    emulator = emulator_of(request)
    args = await body_args(request)
    email, phone = args.get("email"), args.get("phone")
    if email in (None, "") and phone in (None, ""):
        raise invalid("Argument email or phone missing")
    if email not in (None, "") and not is_email(email):
        raise invalid("Argument email is invalid")
    cleaned_phone = None
    if phone not in (None, ""):
        cleaned_phone = clean_phone(phone)
        if cleaned_phone is None:
            raise invalid("Argument phone is invalid")
    variables = {k: v for k, v in args.items() if k not in ("email", "phone")}
    for name, value in variables.items():
        if not _scalar(value):
            raise invalid(f"Argument {name} is invalid")
    state = emulator.state
    with state.lock:
        automation = state.automation
        event = automation.events.get(event_name)
        if event is None:
            raise EVENT_NOT_FOUND
        now = state.clock.now()
        day = state.format_date(now)[:10]
        if automation.per_day[day] >= automation.daily_cap:
            raise daily_cap_reached(automation.daily_cap)
        start = FlowStart(event_name, email or None, cleaned_phone, variables, now)
        automation.start(event, day, start)
    return {"result": True}
