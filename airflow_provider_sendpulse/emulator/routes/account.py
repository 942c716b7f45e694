"""Senders, templates, balance and account information."""

from __future__ import annotations

import base64
import binascii
import re
from itertools import islice
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request

from ..errors import ApiError, invalid
from ..params import body_args, get_str, page_args, path_int, query_args
from ..state import EmulatorState, Sender, Template
from .common import emulator_of
from .contacts import is_email

router = APIRouter()

TEMPLATE_LANGS = ("en", "ru", "ua", "tr", "es", "pt")
BALANCE = 100.0
ACTIVATION_CODE = "123456"


def _sender_json(sender: Sender) -> dict[str, Any]:
    return {
        "name": sender.name,
        "email": sender.email,
        "status": "Active" if sender.active else "Awaiting activation",
    }


@router.get("/senders")
async def list_senders(request: Request) -> list[dict[str, Any]]:
    """Sender addresses of the account."""
    emulator = emulator_of(request)
    with emulator.state.lock:
        return [_sender_json(s) for s in emulator.state.senders.values()]


@router.post("/senders")
async def add_sender(request: Request) -> dict[str, Any]:
    """Add a sender; it must be activated with the emailed code (always 123456 here)."""
    emulator = emulator_of(request)
    args = await body_args(request)
    name = get_str(args, "name", allow_empty=False)
    email = get_str(args, "email", allow_empty=False).strip().lower()
    if not is_email(email):
        raise invalid("Argument email is invalid")
    with emulator.state.lock:
        if email in emulator.state.senders:
            raise invalid("Sender already exists", 702)
        emulator.state.senders[email] = Sender(email, name, False, ACTIVATION_CODE)
    return {"result": True}


@router.delete("/senders")
async def delete_sender(request: Request) -> dict[str, Any]:
    """Remove a sender."""
    emulator = emulator_of(request)
    email = get_str(await body_args(request), "email").strip().lower()
    with emulator.state.lock:
        if emulator.state.senders.pop(email, None) is None:
            raise ApiError(404, "Sender not found", 1003)
    return {"result": True}


@router.get("/senders/{email}/code")
async def send_activation_code(request: Request, email: str) -> dict[str, Any]:
    """Pretend to email the activation code."""
    emulator = emulator_of(request)
    with emulator.state.lock:
        if email.strip().lower() not in emulator.state.senders:
            raise ApiError(404, "Sender not found", 1003)
    return {"result": True, "email": email}


@router.post("/senders/{email}/code")
async def activate_sender(request: Request, email: str) -> dict[str, Any]:
    """Activate a sender with its code."""
    emulator = emulator_of(request)
    code = str(get_str(await body_args(request), "code"))
    with emulator.state.lock:
        sender = emulator.state.senders.get(email.strip().lower())
        if sender is None:
            raise ApiError(404, "Sender not found", 1003)
        if code != sender.code:
            raise invalid("Activation code is invalid", 705)
        sender.active = True
    return {"result": True, "email": sender.email}


def _template_json(state: EmulatorState, template: Template, with_body: bool) -> dict[str, Any]:
    slug = re.sub(r"[^a-z0-9]+", "-", template.name.lower()).strip("-")
    answer: dict[str, Any] = {
        "id": str(template.id),
        "real_id": template.id,
        "lang": template.lang,
        "name": template.name,
        "name_slug": slug,
        "created": state.format_date(template.created),
        "full_description": "",
        "category": "",
        "category_info": {},
        "tags": {},
        "owner": template.owner,
        "preview": f"https://sendpulse.com/template/preview/{template.id}.png",
        "is_structure": False,
    }
    if with_body:
        answer["body"] = template.body
    return answer


@router.get("/templates")
async def list_templates(request: Request) -> list[dict[str, Any]]:
    """Templates of the account (`owner=me`) or SendPulse's own (`owner=sendpulse`, default)."""
    emulator = emulator_of(request)
    args = query_args(request)
    limit, offset = page_args(args)
    owner = args.get("owner") or "sendpulse"
    if owner not in ("me", "sendpulse"):
        raise invalid("Argument owner is invalid")
    with emulator.state.lock:
        found = (t for t in emulator.state.templates.values() if t.owner == owner)
        return [
            _template_json(emulator.state, t, with_body=False) for t in islice(found, offset, offset + limit)
        ]


@router.get("/template/{template_id}")
async def get_template(request: Request, template_id: str) -> dict[str, Any]:
    """One template with its base64 body."""
    emulator = emulator_of(request)
    missing = ApiError(404, "Template not found", 290)
    with emulator.state.lock:
        template = emulator.state.templates.get(path_int(template_id, missing))
        if template is None:
            raise missing
        return _template_json(emulator.state, template, with_body=True)


def _template_body(args: dict[str, Any]) -> str:
    body = args.get("body")
    if body is None or body == "":
        raise invalid("Argument body missing")
    if not isinstance(body, str):
        raise invalid("Argument body is invalid string")
    try:
        base64.b64decode(body.encode("ascii"), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        raise invalid("Argument body is invalid string") from None
    return body


def _lang(args: dict[str, Any]) -> str:
    lang = args.get("lang") or "en"
    if not isinstance(lang, str):
        raise invalid("Argument lang must be string")
    if lang not in TEMPLATE_LANGS:
        raise invalid("Argument lang is invalid")
    return lang


@router.post("/template")
async def create_template(request: Request) -> dict[str, Any]:
    """Create a template: `{"name", "body": base64, "lang"}` -> `{"result": true, "real_id"}`."""
    emulator = emulator_of(request)
    args = await body_args(request)
    body = _template_body(args)
    lang = _lang(args)
    state = emulator.state
    with state.lock:
        name = (
            get_str(args, "name", default="") or f"Template {emulator.state.format_date(state.clock.now())}"
        )
        if any(t.name == name and t.owner == "me" for t in state.templates.values()):
            raise invalid("Template with such name already exist", 573)
        template = state.add_template(name, body, lang, owner="me", now=state.clock.now())
    return {"result": True, "real_id": template.id}


@router.post("/template/edit/{template_id}")
async def edit_template(request: Request, template_id: str) -> dict[str, Any]:
    """Replace a template's body (and language)."""
    emulator = emulator_of(request)
    args = await body_args(request)
    missing = ApiError(404, "Template not found", 31)
    with emulator.state.lock:
        template = emulator.state.templates.get(path_int(template_id, missing))
        if template is None or template.owner != "me":
            raise missing
        template.body = _template_body(args)
        if args.get("lang"):
            template.lang = _lang(args)
    return {"result": True}


@router.get("/balance")
async def balance(request: Request) -> dict[str, Any]:
    """Account balance."""
    return {"currency": "USD", "balance_currency": BALANCE}


@router.get("/balance/{currency}")
async def balance_in(request: Request, currency: str) -> dict[str, Any]:
    """Account balance in a currency (the emulator keeps dollars)."""
    return {"currency": currency.upper(), "balance_currency": BALANCE}


@router.get("/user/balance/detail")
async def balance_detail(request: Request) -> dict[str, Any]:
    """Balance and tariff details."""
    emulator = emulator_of(request)
    with emulator.state.lock:
        subscribers = sum(len(b.contacts) for b in emulator.state.lists.values())
        now = emulator.state.clock.now()
    return {
        "balance": {"main": f"{BALANCE:.2f}", "bonus": "0.00", "currency": "USD"},
        "email": {
            "tariff_name": "Emulator",
            "finished_time": emulator.state.format_date(now + 365 * 86400),
            "emails_left": 1_000_000,
            "maximum_subscribers": 10_000_000,
            "current_subscribers": subscribers,
        },
        "smtp": {
            "tariff_name": "SMTP Free",
            "end_date": emulator.state.format_date(now + 365 * 86400),
            "auto_renew": 0,
        },
        "push": {
            "tariff_name": "Free",
            "end_date": emulator.state.format_date(now + 365 * 86400),
            "auto_renew": 0,
        },
    }


@router.get("/user/info")
async def user_info(request: Request) -> dict[str, Any]:
    """The account owner, with the account's time zone."""
    return {
        "id": 7000001,
        "name": "SendPulse Emulator",
        "email": "owner@example.com",
        "phone": "380000000000",
        "lang": "en",
        "country": "UA",
        "timezone": emulator_of(request).config.timezone,
    }
