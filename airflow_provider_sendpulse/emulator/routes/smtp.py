"""Transactional email (SMTP): send, the delivery log by day, bounces per day and unsubscribes."""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse

from ..errors import ApiError, invalid
from ..params import body_args, get_int, query_args
from ..smtp import BOUNCED, DELIVERED, SmtpRecord, SmtpUnsubscribe
from .common import emulator_of
from .contacts import is_email

if TYPE_CHECKING:
    from ..app import Emulator

router = APIRouter()

MAX_RECIPIENTS = 100
"""Most addresses (to, cc and bcc together) one message takes; more answer SendPulse's 550."""
MAX_LOG_PAGE = 500
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _not_activated() -> ApiError:
    return ApiError(422, "No such SMTP user, you need to create SMTP account first", 400)


def _addresses(raw: Any, name: str, *, required: bool) -> list[str]:
    if raw is None and not required:
        return []
    if not isinstance(raw, list) or (required and not raw):
        raise invalid(f"Argument email.{name} is invalid", 11)
    found = []
    for item in raw:
        address = item.get("email") if isinstance(item, dict) else None
        if not is_email(address):
            raise invalid("Recipient email is invalid")
        found.append(str(address).strip())
    return found


def _base64(value: Any) -> bytes | None:
    if not isinstance(value, str):
        return None
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None


def _body_size(emulator: Emulator, email: dict[str, Any]) -> int:
    """Check the body (html and text, or a template) and attachments; returns the message size."""
    template = email.get("template")
    if template is not None:
        if not isinstance(template, dict) or template.get("id") in (None, ""):
            raise invalid("Argument template.id missing", 10)
        try:
            template_id = int(template["id"])
        except (TypeError, ValueError):
            raise invalid("Argument template is invalid") from None
        variables = template.get("variables", {})
        if not isinstance(variables, dict) and variables != []:
            raise invalid("Variables list passed in wrong format", 731)
        found = emulator.state.templates.get(template_id)
        if found is None:
            raise invalid("Template not found", 31)
        size = len(found.body)
    else:
        html, text = email.get("html"), email.get("text")
        if html in (None, "") or text is None:
            raise invalid("Missed email body", 13)
        decoded = _base64(html)
        if decoded is None or not isinstance(text, str):
            raise invalid("Badly formed incoming data", 999)
        size = len(decoded) + len(text)
    attachments = email.get("attachments")
    if attachments is not None:
        if not isinstance(attachments, dict) or not all(isinstance(v, str) for v in attachments.values()):
            raise invalid("Argument attachments is invalid")
        size += sum(len(v) for v in attachments.values())
    binary = email.get("attachments_binary")
    if binary is not None:
        if not isinstance(binary, dict):
            raise invalid("Argument attachments_binary is invalid")
        for content in binary.values():
            decoded = _base64(content)
            if decoded is None:
                raise invalid("Argument attachments_binary is invalid")
            size += len(decoded)
    return size


@router.post("/smtp/emails")
async def send_email(request: Request) -> dict[str, Any]:
    """Send one message to its `to`, `cc` and `bcc` addresses; answers the message id."""
    emulator = emulator_of(request)
    args = await body_args(request)
    email = args.get("email")
    if isinstance(email, str):
        try:
            email = json.loads(email)
        except ValueError:
            email = None
    if not isinstance(email, dict):
        raise invalid("Argument email missing")
    subject = email.get("subject")
    if not isinstance(subject, str) or not subject.strip():
        raise invalid("Argument subject missing", 12)
    sender = email.get("from")
    if not isinstance(sender, dict):
        raise invalid("Argument from is invalid")
    sender_email = sender.get("email")
    if sender_email in (None, ""):
        raise invalid("Argument from.email missing", 10)
    if not is_email(sender_email):
        raise invalid("Argument from.email is invalid", 10)
    recipients = _addresses(email.get("to"), "to", required=True)
    recipients += _addresses(email.get("cc"), "cc", required=False)
    recipients += _addresses(email.get("bcc"), "bcc", required=False)
    if len(recipients) > MAX_RECIPIENTS:
        raise invalid("5.5.3 Too many recipients", 550)
    size = _body_size(emulator, email)
    state = emulator.state
    with state.lock:
        if not state.smtp.activated:
            raise _not_activated()
        known = state.senders.get(str(sender_email).lower())
        if known is None or not known.active:
            raise invalid("Sender is not valid")
        message_id = state.smtp.new_message_id()
        now = state.clock.now()
        for recipient in recipients:
            state.smtp.log.append(SmtpRecord(message_id, str(sender_email), recipient, subject, now, size))
    return {"result": True, "id": message_id}


def _day(args: dict[str, Any], name: str) -> str | None:
    raw = args.get(name)
    if raw in (None, ""):
        return None
    if not isinstance(raw, str) or not _DAY.fullmatch(raw.strip()):
        raise invalid(f"Argument {name} is invalid")
    return raw.strip()


def _record_json(emulator: Emulator, record: SmtpRecord, now: float) -> dict[str, Any]:
    code, subcode, data = BOUNCED if record.bounced else DELIVERED
    return {
        "id": record.message_id,
        "sender": record.sender,
        "total_size": record.size,
        "sender_ip": "192.0.2.10",
        "smtp_answer_code": code,
        "smtp_answer_subcode": subcode,
        "smtp_answer_data": data,
        "used_ip": "192.0.2.10",
        "recipient": record.recipient,
        "subject": record.subject,
        "send_date": emulator.state.format_date(record.sent),
        "tracking": record.tracking(now, emulator.config.campaign_step_seconds),
    }


@router.get("/smtp/emails")
async def list_emails(request: Request) -> JSONResponse:
    """The delivery log: one record per recipient, oldest first, filtered by day (account time)."""
    emulator = emulator_of(request)
    args = query_args(request)
    start, end = _day(args, "from"), _day(args, "to")
    limit = get_int(args, "limit", default=MAX_LOG_PAGE, minimum=1, maximum=MAX_LOG_PAGE)
    offset = get_int(args, "offset", default=0, minimum=0)
    sender, recipient = args.get("sender"), args.get("recipient")
    state = emulator.state
    with state.lock:
        if not state.smtp.activated:
            raise _not_activated()
        now = state.clock.now()
        found: list[dict[str, Any]] = []
        skipped = 0
        for record in state.smtp.log:
            day = state.format_date(record.sent)[:10]
            if (start and day < start) or (end and day > end):
                continue
            if sender not in (None, "") and record.sender != sender:
                continue
            if recipient not in (None, "") and record.recipient != recipient:
                continue
            if skipped < offset:
                skipped += 1
                continue
            found.append(_record_json(emulator, record, now))
            if len(found) >= limit:
                break
    return JSONResponse(found)


@router.get("/smtp/bounces/day")
async def bounces_of_day(request: Request) -> dict[str, Any]:
    """Bounced recipients of one day (default today, account time)."""
    emulator = emulator_of(request)
    args = query_args(request)
    state = emulator.state
    day = _day(args, "date") or state.format_date(state.clock.now())[:10]
    limit = get_int(args, "limit", default=MAX_LOG_PAGE, minimum=1, maximum=MAX_LOG_PAGE)
    offset = get_int(args, "offset", default=0, minimum=0)
    with state.lock:
        bounced = [r for r in state.smtp.log if r.bounced and state.format_date(r.sent)[:10] == day]
        page = bounced[offset : offset + limit]
        emails = [
            {
                "email_to": r.recipient,
                "sender": r.sender,
                "send_date": state.format_date(r.sent),
                "subject": r.subject,
                "smtp_answer_code": BOUNCED[0],
                "smtp_answer_subcode": BOUNCED[1],
                "smtp_answer_data": BOUNCED[2],
            }
            for r in page
        ]
    return {"total": len(bounced), "emails": emails, "request_limit": limit, "found": len(page)}


@router.get("/smtp/unsubscribe")
async def list_unsubscribed(request: Request) -> JSONResponse:
    """Addresses on the SMTP suppression list, optionally only those of one day."""
    emulator = emulator_of(request)
    args = query_args(request)
    day = _day(args, "date")
    limit = get_int(args, "limit", default=MAX_LOG_PAGE, minimum=1, maximum=MAX_LOG_PAGE)
    offset = get_int(args, "offset", default=0, minimum=0)
    state = emulator.state
    with state.lock:
        chosen = [
            u for u in state.smtp.unsubscribed.values() if day is None or state.format_date(u.at)[:10] == day
        ]
        page = [
            {
                "email": u.email,
                "unsubscribe_by_link": int(u.by_link),
                "unsubscribe_by_user": int(not u.by_link),
                "spam_complaint": 0,
                "date": state.format_date(u.at),
            }
            for u in chosen[offset : offset + limit]
        ]
    return JSONResponse(page)


@router.post("/smtp/unsubscribe")
async def unsubscribe(request: Request) -> dict[str, Any]:
    """Put addresses on the SMTP suppression list (a JSON array of `{email, comment}`)."""
    emulator = emulator_of(request)
    try:
        items = json.loads(await request.body() or b"null")
    except ValueError:
        items = None
    if not isinstance(items, list) or not items:
        raise ApiError(400, "Empty emails", 14)
    for item in items:
        if not isinstance(item, dict) or not is_email(item.get("email")):
            raise invalid("Argument email is invalid")
    state = emulator.state
    with state.lock:
        now = state.clock.now()
        for item in items:
            address = str(item["email"]).strip().lower()
            state.smtp.unsubscribed[address] = SmtpUnsubscribe(
                address, now, by_link=False, comment=str(item.get("comment") or "")
            )
    return {"result": True}
