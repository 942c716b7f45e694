"""The admin API under `/_emulator/` (no auth): inspect and steer the emulator from tests and demos."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter
from pydantic import BaseModel, Field, field_validator
from starlette.requests import Request

from ..contacts import ACTIVE
from ..errors import invalid
from ..faults import FaultRule
from .common import emulator_of, find_book

router = APIRouter(prefix="/_emulator")


class ClockChange(BaseModel):
    """`POST /_emulator/clock` body."""

    advance: float = Field(ge=0)


class FaultSpec(BaseModel):
    """`POST /_emulator/faults` body (see `faults.FaultRule`)."""

    path: str = "**"
    method: str = "*"
    times: int | None = Field(default=1, ge=1)
    status: int | None = Field(default=None, ge=100, le=599)
    error_code: int | None = None
    message: str | None = None
    delay: float = Field(default=0.0, ge=0)
    drop: bool = False
    body: str | None = None
    content_type: str = "text/html; charset=UTF-8"
    after: bool = False
    probability: float | None = Field(default=None, gt=0, le=1)
    seed: int | None = None


class ConfigChange(BaseModel):
    """`POST /_emulator/config` body; absent fields stay as they are."""

    rate_limit: int | None = Field(default=None, ge=0)
    token_ttl: int | None = Field(default=None, ge=0)
    campaign_step_seconds: float | None = Field(default=None, ge=0)
    campaign_limits: bool | None = None
    timezone: str | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"{value!r} is not an IANA time zone name") from None
        return value


class SeedRequest(BaseModel):
    """`POST /_emulator/seed` body: bulk active contacts `<prefix><n>@example.com`."""

    list_id: int
    count: int = Field(ge=0, le=10_000_000)
    prefix: str = "user"
    variables: dict[str, Any] | None = None


class NewContact(BaseModel):
    """One contact of `POST /_emulator/contacts`: an address and its own variables."""

    email: str = Field(min_length=3)
    variables: dict[str, Any] = Field(default_factory=dict)


class ContactsRequest(BaseModel):
    """`POST /_emulator/contacts` body: contacts to add to a list, each with its own variables."""

    list_id: int
    contacts: list[NewContact] = Field(max_length=100_000)


class NewList(BaseModel):
    """`POST /_emulator/lists` body."""

    name: str


@router.get("/state")
async def state(request: Request, contacts_cap: int = 10_000) -> dict[str, Any]:
    """Lists with their contacts (at most `contacts_cap` each), campaigns with statuses, SMS campaigns."""
    emulator = emulator_of(request)
    with emulator.state.lock:
        return emulator.state.snapshot(contacts_cap)


@router.get("/requests")
async def requests(request: Request) -> list[dict[str, Any]]:
    """Requests received, oldest first: method, path, query, status, time (epoch s), account."""
    return emulator_of(request).requests.entries()


@router.delete("/requests")
async def clear_requests(request: Request) -> dict[str, Any]:
    """Forget the received requests."""
    emulator_of(request).requests.clear()
    return {"result": True}


@router.post("/reset")
async def reset(request: Request) -> dict[str, Any]:
    """Empty account, start-up settings, no faults, empty request log, clock back to wall time."""
    emulator_of(request).reset()
    return {"result": True}


@router.post("/expire-tokens")
async def expire_tokens(request: Request) -> dict[str, Any]:
    """Invalidate every minted token (the static API key keeps working)."""
    emulator = emulator_of(request)
    with emulator.state.lock:
        return {"result": True, "expired": emulator.state.expire_tokens()}


@router.get("/tokens")
async def issued_tokens(request: Request) -> dict[str, Any]:
    """Every access token minted since the last reset, expired ones included (for secret scans)."""
    emulator = emulator_of(request)
    with emulator.state.lock:
        return {"tokens": list(emulator.state.issued_tokens)}


@router.get("/clock")
async def clock(request: Request) -> dict[str, Any]:
    """Emulator time and its offset from wall time."""
    emulator = emulator_of(request)
    return {"now": emulator.state.clock.now(), "offset": emulator.state.clock.offset}


@router.post("/clock")
async def advance_clock(request: Request, change: ClockChange) -> dict[str, Any]:
    """Move emulator time forward by `advance` seconds (campaigns progress, tokens expire)."""
    emulator = emulator_of(request)
    with emulator.state.lock:
        emulator.state.clock.advance(change.advance)
    return {"now": emulator.state.clock.now(), "offset": emulator.state.clock.offset}


@router.get("/faults")
async def list_faults(request: Request) -> list[dict[str, Any]]:
    """Active fault rules."""
    return [rule.to_json() for rule in emulator_of(request).faults.rules()]


@router.post("/faults")
async def add_fault(request: Request, spec: FaultSpec) -> dict[str, Any]:
    """Add a fault rule."""
    if not (spec.status or spec.drop or spec.body is not None or spec.delay):
        raise invalid("A fault needs one of status, drop, body or delay")
    rule = FaultRule(**spec.model_dump())
    emulator_of(request).faults.add(rule)
    return {"result": True, "fault": rule.to_json()}


@router.delete("/faults")
async def clear_faults(request: Request) -> dict[str, Any]:
    """Remove every fault rule."""
    emulator_of(request).faults.clear()
    return {"result": True}


@router.get("/config")
async def get_config(request: Request) -> dict[str, Any]:
    """Runtime settings."""
    return emulator_of(request).config.runtime()


@router.post("/config")
async def set_config(request: Request, change: ConfigChange) -> dict[str, Any]:
    """Change runtime settings; `rate_limit: 0` switches the limit off."""
    emulator = emulator_of(request)
    with emulator.state.lock:
        emulator.configure(**change.model_dump(exclude_unset=True, exclude_none=True))
        if "rate_limit" in change.model_fields_set and change.rate_limit is None:
            emulator.configure(rate_limit=None)
    return emulator.config.runtime()


@router.post("/lists")
async def create_list(request: Request, new: NewList) -> dict[str, Any]:
    """Create a mailing list without auth or rate limit."""
    emulator = emulator_of(request)
    with emulator.state.lock:
        return {"id": emulator.state.create_list(new.name).id}


@router.post("/seed")
async def seed(request: Request, spec: SeedRequest) -> dict[str, Any]:
    """Append `count` active contacts to a list fast, numbered after the list's current size."""
    emulator = emulator_of(request)
    state = emulator.state
    with state.lock:
        book = find_book(emulator, spec.list_id)
        start = len(book.contacts)
        emails = [f"{spec.prefix}{n}@example.com" for n in range(start, start + spec.count)]
        added = book.contacts.bulk_add(emails, spec.variables, int(state.clock.now()))
        _register_variables(book, spec.variables or {})
        return {"list_id": book.id, "added": added, "total": len(book.contacts)}


@router.post("/contacts")
async def add_contacts(request: Request, spec: ContactsRequest) -> dict[str, Any]:
    """Add active contacts, each with its own variables (an existing one gets its variables merged)."""
    emulator = emulator_of(request)
    state = emulator.state
    with state.lock:
        book = find_book(emulator, spec.list_id)
        now = int(state.clock.now())
        added = sum(book.contacts.upsert(c.email, c.variables, ACTIVE, now) for c in spec.contacts)
        for contact in spec.contacts:
            _register_variables(book, contact.variables)
        return {"list_id": book.id, "added": added, "total": len(book.contacts)}


def _register_variables(book: Any, variables: dict[str, Any]) -> None:
    """Give the list a type for each new variable name, as SendPulse does on first use."""
    for name, value in variables.items():
        book.variable_types.setdefault(name, "number" if isinstance(value, int | float) else "string")
