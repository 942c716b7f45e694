"""Admin API for Automation 360, SMTP and the verifier (`/_emulator/{a360,smtp,verifier}`, no auth)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.requests import Request

from .common import emulator_of

router = APIRouter(prefix="/_emulator")


class NewEvent(BaseModel):
    """`POST /_emulator/a360/events` body: an event as a user defines it in the web app."""

    name: str = Field(min_length=1)


class AutomationChange(BaseModel):
    """`POST /_emulator/a360` body."""

    daily_cap: int | None = Field(default=None, ge=0)
    used_today: int | None = Field(default=None, ge=0)


class SmtpChange(BaseModel):
    """`POST /_emulator/smtp` body."""

    activated: bool | None = None


@router.get("/a360")
async def automation_state(request: Request, cap: int = 100) -> dict[str, Any]:
    """Events, flow starts per day and the newest `cap` starts."""
    state = emulator_of(request).state
    with state.lock:
        return state.automation.snapshot(cap)


@router.post("/a360")
async def change_automation(request: Request, change: AutomationChange) -> dict[str, Any]:
    """Set the daily cap of flow starts, or how many of today's are used already."""
    state = emulator_of(request).state
    with state.lock:
        if change.daily_cap is not None:
            state.automation.daily_cap = change.daily_cap
        if change.used_today is not None:
            state.automation.per_day[state.format_date(state.clock.now())[:10]] = change.used_today
        return state.automation.snapshot(0)


@router.post("/a360/events")
async def add_event(request: Request, event: NewEvent) -> dict[str, Any]:
    """Define an Automation 360 event; returns its id and name."""
    state = emulator_of(request).state
    with state.lock:
        created = state.automation.add_event(event.name)
    return {"id": created.id, "name": created.name}


@router.get("/smtp")
async def smtp_state(request: Request, cap: int = 100) -> dict[str, Any]:
    """Whether SMTP is activated, message and log counts, and the newest `cap` log records."""
    state = emulator_of(request).state
    with state.lock:
        return state.smtp.snapshot(cap)


@router.post("/smtp")
async def change_smtp(request: Request, change: SmtpChange) -> dict[str, Any]:
    """Activate or deactivate the account's SMTP service."""
    state = emulator_of(request).state
    with state.lock:
        if change.activated is not None:
            state.smtp.activated = change.activated
        return state.smtp.snapshot(0)


@router.get("/verifier")
async def verifier_state(request: Request) -> dict[str, Any]:
    """Verified lists (id, addresses, start) and addresses checked one by one."""
    state = emulator_of(request).state
    with state.lock:
        verifier = state.verifier
        return {
            "lists": [
                {"list_id": j.list_id, "emails": len(j.emails), "started": j.started}
                for j in verifier.lists.values()
            ],
            "singles": len(verifier.singles),
        }
