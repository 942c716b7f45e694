"""Mailing lists ("address books")."""

from __future__ import annotations

from itertools import islice
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request

from ..campaigns import ACTIVE_STATUSES
from ..contacts import STATUS_EXPLAIN as CONTACT_STATUS
from ..errors import ApiError, invalid
from ..params import body_args, get_str, page_args, query_args
from ..state import EmulatorState, MailingList
from .common import emulator_of, find_book

router = APIRouter()

PRICE_PER_EMAIL = 0.0044


def book_json(state: EmulatorState, book: MailingList) -> dict[str, Any]:
    """A list as SendPulse describes it."""
    total = len(book.contacts)
    active = book.contacts.count_active()
    return {
        "id": book.id,
        "name": book.name,
        "all_email_qty": total,
        "active_email_qty": active,
        "inactive_email_qty": total - active,
        "creationdate": state.format_date(book.created),
        "status": 0,
        "status_explain": "Active",
    }


def _book_name(args: dict[str, Any], field: str) -> str:
    name = get_str(args, field)
    if not name.strip():
        raise invalid("Book name is empty", 201)
    return str(name.strip())


@router.post("/addressbooks")
async def create_book(request: Request) -> dict[str, Any]:
    """Create a list: `{"bookName"}` -> `{"id"}`."""
    emulator = emulator_of(request)
    name = _book_name(await body_args(request), "bookName")
    with emulator.state.lock:
        if emulator.state.find_list_by_name(name):
            raise invalid("Name already in use", 203)
        return {"id": emulator.state.create_list(name).id}


@router.get("/addressbooks")
async def list_books(request: Request) -> list[dict[str, Any]]:
    """Lists, paged by limit/offset, oldest first."""
    emulator = emulator_of(request)
    limit, offset = page_args(query_args(request))
    with emulator.state.lock:
        books = islice(emulator.state.lists.values(), offset, offset + limit)
        return [book_json(emulator.state, b) for b in books]


@router.get("/addressbooks/{list_id}")
async def get_book(request: Request, list_id: str) -> list[dict[str, Any]]:
    """One list, answered as a one-element array (as SendPulse does)."""
    emulator = emulator_of(request)
    with emulator.state.lock:
        return [book_json(emulator.state, find_book(emulator, list_id))]


@router.put("/addressbooks/{list_id}")
async def rename_book(request: Request, list_id: str) -> dict[str, Any]:
    """Rename a list: `{"name"}`."""
    emulator = emulator_of(request)
    args = await body_args(request)
    with emulator.state.lock:
        book = find_book(emulator, list_id)
        name = _book_name(args, "name")
        other = emulator.state.find_list_by_name(name)
        if other is not None and other.id != book.id:
            raise invalid("Name already in use", 203)
        book.name = name
    return {"result": True}


@router.delete("/addressbooks/{list_id}")
async def delete_book(request: Request, list_id: str) -> dict[str, Any]:
    """Delete a list, refused while one of its campaigns is still being prepared or sent."""
    emulator = emulator_of(request)
    state = emulator.state
    with state.lock:
        book = find_book(emulator, list_id)
        now, step = state.clock.now(), emulator.config.campaign_step_seconds
        if any(c.status(now, step) in ACTIVE_STATUSES for c in state.campaigns_of_list(book.id)):
            raise invalid("The address book has active campaign")
        del state.lists[book.id]
    return {"result": True}


@router.get("/addressbooks/{list_id}/variables")
async def list_variables(request: Request, list_id: str) -> list[dict[str, Any]]:
    """Variables used in the list, with their inferred types."""
    emulator = emulator_of(request)
    with emulator.state.lock:
        book = find_book(emulator, list_id)
        return [{"name": name, "type": kind} for name, kind in book.variable_types.items()]


@router.get("/addressbooks/{list_id}/variables/{name}/{value}")
async def contacts_by_variable(request: Request, list_id: str, name: str, value: str) -> list[dict[str, Any]]:
    """Contacts whose variable `name` equals `value`."""
    emulator = emulator_of(request)
    with emulator.state.lock:
        book = find_book(emulator, list_id)
        if name not in book.variable_types:
            raise ApiError(404, "Variable not found", 299)
        return [
            {"email": c.email, "status": c.status, "status_explain": CONTACT_STATUS.get(c.status, "")}
            for c in book.contacts.iter_all()
            if str(c.variables.get(name, "")) == value
        ]


@router.get("/addressbooks/{list_id}/campaigns")
async def book_campaigns(request: Request, list_id: str) -> list[dict[str, Any]]:
    """Campaigns sent to the list: `[{"task_id", "task_name", "task_status"}]`."""
    emulator = emulator_of(request)
    limit, offset = page_args(query_args(request))
    state = emulator.state
    with state.lock:
        book = find_book(emulator, list_id)
        now, step = state.clock.now(), emulator.config.campaign_step_seconds
        found = state.campaigns_of_list(book.id)[offset : offset + limit]
        return [{"task_id": c.id, "task_name": c.name, "task_status": c.status(now, step)} for c in found]


@router.get("/addressbooks/{list_id}/cost")
async def book_cost(request: Request, list_id: str) -> dict[str, Any]:
    """What a campaign to the list would cost; 422/211 when it has no contacts."""
    emulator = emulator_of(request)
    with emulator.state.lock:
        book = find_book(emulator, list_id)
        active = book.contacts.count_active()
    if not len(book.contacts):
        raise invalid("Addressbook is empty", 211)
    return {
        "cur": "USD",
        "sent_emails_qty": active,
        "overdraftAllEmailsPrice": round(active * PRICE_PER_EMAIL, 4),
        "addressesDeltaFromBalance": 0,
        "addressesDeltaFromTariff": 0,
        "max_emails_per_task": 15000,
        "result": True,
    }
