"""Contacts: emails in lists, their variables and statuses, and lookups across lists."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request

from ..contacts import ACTIVE, PENDING, STATUS_EXPLAIN, UNSUBSCRIBED, Contact
from ..errors import ApiError, invalid
from ..params import body_args, get_bool, get_list, get_order, get_str, page_args, query_args
from ..state import MailingList
from .common import emulator_of, find_book

router = APIRouter()

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2})?)?$")
MAX_EMAILS_PER_CALL = 100


def is_email(value: Any) -> bool:
    """Whether `value` looks like an email address."""
    return isinstance(value, str) and EMAIL_RE.match(value) is not None


def variable_type(value: Any) -> str:
    """How SendPulse types a variable value: number, date or string."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "number"
    if isinstance(value, str) and _DATE_RE.match(value):
        return "date"
    return "string"


def remember_types(book: MailingList, variables: Mapping[str, Any]) -> None:
    """Record the variables of a list the first time they are seen."""
    for name, value in variables.items():
        book.variable_types.setdefault(name, variable_type(value))


def contact_json(contact: Contact) -> dict[str, Any]:
    """A contact as `GET /addressbooks/{id}/emails` lists it (no add date)."""
    return {
        "email": contact.email,
        "status": contact.status,
        "status_explain": STATUS_EXPLAIN.get(contact.status, ""),
        "variables": dict(contact.variables),
    }


def _parse_new_contacts(args: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    raw = args.get("emails")
    if raw is None or raw == "" or raw == []:
        raise invalid("Argument emails missing")
    items = get_list(args, "emails", wording="must be array")
    if not items:
        raise invalid("Argument emails missing")
    parsed: list[tuple[str, dict[str, Any]]] = []
    for item in items:
        if isinstance(item, str):
            item = {"email": item}
        if not isinstance(item, dict):
            raise invalid("Argument emails is invalid")
        email = item.get("email")
        if not is_email(email):
            raise invalid("Argument email is invalid")
        variables = item.get("variables") or {}
        if isinstance(variables, list) and not variables:
            variables = {}
        if not isinstance(variables, dict):
            raise invalid("Argument emails.*.variables is invalid")
        parsed.append((str(email).strip().lower(), variables))
    return parsed


def _double_opt_in(emulator: Any, args: dict[str, Any]) -> bool:
    confirmation = args.get("confirmation")
    if confirmation is None or confirmation == "":
        return False
    if not isinstance(confirmation, str):
        raise invalid("Argument confirmation must be string")
    if confirmation != "force":
        raise invalid("Argument confirmation is invalid")
    sender = args.get("sender_email")
    if sender is None or sender == "":
        raise invalid("Argument sender_email missing")
    if not is_email(sender):
        raise invalid("Argument sender_email is invalid")
    found = emulator.state.senders.get(sender)
    if found is None or not found.active:
        raise invalid("Sender not found", 1003)
    # Laravel's `string` rule (error keys template_id.string, message_lang.string): a number is refused.
    for name in ("template_id", "message_lang"):
        value = args.get(name)
        if value is not None and not isinstance(value, str):
            raise invalid(f"Argument {name} is invalid")
    return True


def _emails_arg(args: dict[str, Any], empty: ApiError, too_many: str) -> list[str]:
    raw = args.get("emails")
    if raw is None or raw == "" or raw == []:
        raise empty
    emails = get_list(args, "emails")
    if not emails:
        raise empty
    if len(emails) > MAX_EMAILS_PER_CALL:
        raise invalid(too_many)
    if not all(isinstance(e, str) for e in emails):
        raise invalid("Argument emails is invalid")
    return [e.strip().lower() for e in emails]


@router.post("/addressbooks/{list_id}/emails")
async def add_emails(request: Request, list_id: str) -> dict[str, Any]:
    """Add contacts (upsert on email); `confirmation: "force"` makes them wait for double opt-in."""
    emulator = emulator_of(request)
    args = await body_args(request)
    state = emulator.state
    with state.lock:
        book = find_book(emulator, list_id)
        contacts = _parse_new_contacts(args)
        status = PENDING if _double_opt_in(emulator, args) else ACTIVE
        now = int(state.clock.now())
        for email, variables in contacts:
            remember_types(book, variables)
            book.contacts.upsert(email, variables, status, now)
    return {"result": True}


@router.get("/addressbooks/{list_id}/emails")
async def list_emails(request: Request, list_id: str) -> list[dict[str, Any]]:
    """Contacts of a list, paged; `order` by add date; `active` / `not_active` filters."""
    emulator = emulator_of(request)
    args = query_args(request)
    limit, offset = page_args(args)
    descending = get_order(args) == "desc"
    active = get_bool(args, "active")
    not_active = get_bool(args, "not_active")
    wanted = True if active else (False if not_active else None)
    with emulator.state.lock:
        book = find_book(emulator, list_id)
        page = book.contacts.page(offset, limit, descending, wanted)
    return [contact_json(c) for c in page]


@router.get("/addressbooks/{list_id}/emails/total")
async def count_emails(request: Request, list_id: str) -> dict[str, Any]:
    """`{"total": N}`; with `active=true` only active contacts count."""
    emulator = emulator_of(request)
    active = get_bool(query_args(request), "active")
    with emulator.state.lock:
        book = find_book(emulator, list_id)
        total = book.contacts.count_active() if active else len(book.contacts)
    return {"total": total}


@router.delete("/addressbooks/{list_id}/emails")
async def delete_emails(request: Request, list_id: str) -> dict[str, Any]:
    """Remove up to 100 contacts from a list."""
    emulator = emulator_of(request)
    args = await body_args(request)
    with emulator.state.lock:
        book = find_book(emulator, list_id)
        emails = _emails_arg(
            args, invalid("No emails", 303), f"Limit is exceeded. Max count: {MAX_EMAILS_PER_CALL}"
        )
        book.contacts.remove(emails)
    return {"result": True}


@router.post("/addressbooks/{list_id}/emails/unsubscribe")
async def unsubscribe_emails(request: Request, list_id: str) -> dict[str, Any]:
    """Unsubscribe up to 100 contacts of a list; 422 when none of them is active there."""
    emulator = emulator_of(request)
    args = await body_args(request)
    with emulator.state.lock:
        book = find_book(emulator, list_id)
        emails = _emails_arg(
            args,
            invalid("Argument emails missing"),
            f"Argument emails may not have more than {MAX_EMAILS_PER_CALL} items",
        )
        active = [e for e in emails if (c := book.contacts.get(e)) is not None and c.status == ACTIVE]
        if not active:
            raise invalid("Active emails not found")
        book.contacts.set_status(active, UNSUBSCRIBED)
    return {"result": True}


@router.post("/addressbooks/{list_id}/emails/variable")
async def update_variables(request: Request, list_id: str) -> dict[str, Any]:
    """Change variables of one contact; `variables` is an array of `{"name", "value"}` here."""
    emulator = emulator_of(request)
    args = await body_args(request)
    with emulator.state.lock:
        book = find_book(emulator, list_id)
        email = args.get("email")
        if email is None or email == "":
            raise invalid("Argument email missing")
        if not is_email(email):
            raise invalid("Argument email is invalid")
        if args.get("variables") is None:
            raise invalid("Argument variables missing")
        items = get_list(args, "variables")
        changes: dict[str, Any] = {}
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("name"), str) or "value" not in item:
                raise invalid("Argument variables is invalid")
            changes[item["name"]] = item["value"]
        email = str(email).strip().lower()
        if email not in book.contacts:
            raise invalid("Email address not found", 502)
        remember_types(book, changes)
        book.contacts.set_variables(email, changes)
    return {"result": True}


@router.put("/addressbooks/{list_id}/phone")
async def update_phone(request: Request, list_id: str) -> dict[str, Any]:
    """Set the `Phone` variable of a contact."""
    emulator = emulator_of(request)
    args = await body_args(request)
    with emulator.state.lock:
        book = find_book(emulator, list_id)
        email = get_str(args, "email")
        phone = args.get("phone")
        if not isinstance(phone, str | int) or not re.fullmatch(r"\+?\d{7,15}", str(phone)):
            raise invalid("Phone is not valid")
        email = email.strip().lower()
        if not is_email(email) or email not in book.contacts:
            raise invalid("Email is not valid", 17)
        remember_types(book, {"Phone": str(phone)})
        book.contacts.set_variables(email, {"Phone": str(phone)})
    return {"result": True}


@router.get("/addressbooks/{list_id}/emails/{email}")
async def get_email(request: Request, list_id: str, email: str) -> dict[str, Any]:
    """One contact of a list; `abook_id` is a string and `variables` an array here."""
    emulator = emulator_of(request)
    with emulator.state.lock:
        book = find_book(emulator, list_id)
        contact = book.contacts.get(email.strip().lower())
        if contact is None:
            raise ApiError(404, "Email address not found", 502)
        types = dict(book.variable_types)
    variables = [
        {"name": name, "type": types.get(name, variable_type(value)), "value": value}
        for name, value in contact.variables.items()
    ]
    return {
        "email": contact.email,
        "abook_id": str(book.id),
        "phone": str(contact.variables.get("Phone", "")),
        "status": contact.status,
        "status_explain": STATUS_EXPLAIN.get(contact.status, ""),
        "variables": variables,
    }


def _memberships(emulator: Any, email: str) -> list[tuple[MailingList, Contact]]:
    found = []
    for book in emulator.state.lists.values():
        contact = book.contacts.get(email)
        if contact is not None:
            found.append((book, contact))
    return found


def _not_found_anywhere() -> ApiError:
    return ApiError(404, "Email not found", 17)


def _memberships_or_404(request: Request, email: str) -> list[tuple[MailingList, Contact]]:
    """Every (list, contact) holding ``email``, read under the lock; 404/17 when there is none."""
    emulator = emulator_of(request)
    with emulator.state.lock:
        found = _memberships(emulator, email.strip().lower())
    if not found:
        raise _not_found_anywhere()
    return found


@router.get("/emails/{email}")
async def email_everywhere(request: Request, email: str) -> list[dict[str, Any]]:
    """Every list holding this email."""
    return [
        {
            "book_id": book.id,
            "email": contact.email,
            "status": contact.status,
            "status_explain": STATUS_EXPLAIN.get(contact.status, ""),
            "variables": dict(contact.variables),
        }
        for book, contact in _memberships_or_404(request, email)
    ]


@router.delete("/emails/{email}")
async def delete_everywhere(request: Request, email: str) -> dict[str, Any]:
    """Remove an email from every list."""
    emulator = emulator_of(request)
    with emulator.state.lock:
        for book in emulator.state.lists.values():
            book.contacts.remove([email.strip().lower()])
    return {"result": True}


@router.get("/emails/{email}/details")
async def email_details(request: Request, email: str) -> list[dict[str, Any]]:
    """Per-list details of an email, with its add date."""
    state = emulator_of(request).state
    return [
        {
            "list_id": book.id,
            "list_name": book.name,
            "add_date": state.format_date(contact.added),
            "source": "api",
            "status": contact.status,
            "status_explain": STATUS_EXPLAIN.get(contact.status, ""),
            "variables": dict(contact.variables),
        }
        for book, contact in _memberships_or_404(request, email)
    ]


@router.post("/emails")
async def emails_info(request: Request) -> dict[str, Any]:
    """For each given email, the lists holding it."""
    emulator = emulator_of(request)
    emails = get_list(await body_args(request), "emails")
    answer: dict[str, Any] = {}
    with emulator.state.lock:
        for email in emails:
            if not isinstance(email, str):
                raise invalid("Argument emails is invalid")
            found = _memberships(emulator, email.strip().lower())
            answer[email] = [
                {"book_id": b.id, "status": c.status, "variables": dict(c.variables)} for b, c in found
            ]
    return answer


def _campaign_stats(emulator: Any, email: str) -> dict[str, Any]:
    state = emulator.state
    books = [book for book, _ in _memberships(emulator, email)]
    ids = {b.id for b in books}
    now, step = state.clock.now(), emulator.config.campaign_step_seconds
    sent = opened = 0
    for campaign in state.campaigns.values():
        if ids.intersection(campaign.list_ids):
            status = campaign.email_status(email, now, step)
            if status is not None:
                sent += 1
                opened += status["global_status"] == 3
    return {
        "statistic": {"sent": sent, "open": opened, "link": 0},
        "addressbooks": [{"id": b.id, "name": b.name} for b in books],
        "blacklist": False,
    }


@router.get("/emails/{email}/campaigns")
async def email_campaigns(request: Request, email: str) -> dict[str, Any]:
    """Campaign statistics of one email."""
    emulator = emulator_of(request)
    with emulator.state.lock:
        if not _memberships(emulator, email.strip().lower()):
            raise _not_found_anywhere()
        return _campaign_stats(emulator, email.strip().lower())


@router.post("/emails/campaigns")
async def emails_campaigns(request: Request) -> dict[str, Any]:
    """Campaign statistics of several emails."""
    emulator = emulator_of(request)
    emails = get_list(await body_args(request), "emails")
    with emulator.state.lock:
        return {str(e): _campaign_stats(emulator, str(e).strip().lower()) for e in emails}
