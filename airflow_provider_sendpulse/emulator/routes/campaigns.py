"""Email campaigns."""

from __future__ import annotations

import base64
import binascii
from html import escape
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from starlette.requests import Request

from ..campaigns import ACTIVE_STATUSES, CANCELED, DRAFT, QUEUED, SENDING, STATUS_EXPLAIN, Campaign
from ..errors import ApiError, campaign_not_found, invalid
from ..params import (
    body_args,
    get_bool,
    get_list,
    get_object,
    get_order,
    get_str,
    page_args,
    path_int,
    query_args,
)
from .common import emulator_of, find_book

if TYPE_CHECKING:
    from ..app import Emulator

router = APIRouter()

MAX_LISTS = 10
MAX_ATTACHMENTS = 5
API_CAMPAIGNS_PER_HOUR = 4
LIST_PAUSE_SECONDS = 15 * 60
PRICE_PER_EMAIL = "0.0044"


def _decode_body(raw: str) -> str:
    try:
        return base64.b64decode(raw.encode("ascii"), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        raise invalid("Argument body is invalid string") from None


def _list_ids(args: dict[str, Any]) -> list[int]:
    raw = args.get("list_id")
    if isinstance(raw, str):
        raw = raw.strip()
        if raw.startswith("["):
            raw = get_list(args, "list_id")
        elif raw.isdigit():
            raw = int(raw)
    items = raw if isinstance(raw, list) else [raw]
    if not items:
        raise invalid("Argument list_id missing", 722)
    if len(items) > MAX_LISTS:
        raise invalid(f"Argument list_id may not have more than {MAX_LISTS} items")
    ids: list[int] = []
    for item in items:
        if isinstance(item, str) and item.isdigit():
            item = int(item)
        if not isinstance(item, int) or isinstance(item, bool):
            raise invalid("Argument list_id is invalid")
        ids.append(item)
    return list(dict.fromkeys(ids))


def _send_date(emulator: Emulator, args: dict[str, Any], now: float) -> float | None:
    raw = args.get("send_date")
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str):
        raise invalid("Invalid send date", 799)
    try:
        when = emulator.state.parse_date(raw.strip())
    except ValueError:
        raise invalid("Invalid send date", 799) from None
    if when < now - 60:
        raise invalid("Invalid send date", 799)
    return when


def _sender(emulator: Emulator, args: dict[str, Any]) -> tuple[str, str]:
    name = get_str(args, "sender_name", allow_empty=False)
    email = get_str(args, "sender_email", allow_empty=False)
    sender = emulator.state.senders.get(email.strip().lower())
    if sender is None or not sender.active:
        raise invalid("Sender not found", 1003)
    return name, sender.email


def _check_limits(emulator: Emulator, list_ids: list[int], now: float) -> None:
    campaigns = [c for c in emulator.state.campaigns.values() if not c.draft]
    recent = [c for c in campaigns if c.created > now - 3600]
    if len(recent) >= API_CAMPAIGNS_PER_HOUR:
        raise invalid(f"You can create no more than {API_CAMPAIGNS_PER_HOUR} campaigns per hour via API", 791)
    for campaign in campaigns:
        if campaign.created > now - LIST_PAUSE_SECONDS and set(list_ids) & set(campaign.list_ids):
            raise invalid(
                "You must wait 15 minutes before sending the next campaign to this mailing list", 711
            )


def _attachments(args: dict[str, Any]) -> list[str]:
    names: list[str] = []
    for key in ("attachments", "attachments_binary"):
        found = get_object(args, key)
        if found:
            names.extend(found)
    if len(names) > MAX_ATTACHMENTS:
        raise invalid(f"Argument attachments may not have more than {MAX_ATTACHMENTS} items")
    return names


def _template(emulator: Emulator, raw_id: Any) -> tuple[str, str]:
    """`(template id, HTML)` of a template given as `template_id` (an int or a numeric string)."""
    missing = ApiError(404, "Template not found", 290)
    if isinstance(raw_id, bool) or not isinstance(raw_id, str | int):
        raise missing
    template = emulator.state.templates.get(path_int(str(raw_id), missing))
    if template is None:
        raise missing
    return str(template.id), _decode_body(template.body)


def _find(emulator: Emulator, raw_id: str) -> Campaign:
    campaign = emulator.state.campaigns.get(path_int(raw_id, campaign_not_found()))
    if campaign is None:
        raise campaign_not_found()
    return campaign


def _message(campaign: Campaign, with_body: bool) -> dict[str, Any]:
    message: dict[str, Any] = {
        "sender_name": campaign.sender_name,
        "sender_email": campaign.sender_email,
        "subject": campaign.subject,
        "list_id": campaign.list_ids[0] if len(campaign.list_ids) == 1 else campaign.list_ids,
        "attachments": ", ".join(campaign.attachments),
    }
    if with_body:
        message["body"] = campaign.body
    if campaign.segment_id is not None:
        message["segment_id"] = campaign.segment_id
    return message


def campaign_json(emulator: Emulator, campaign: Campaign, detailed: bool) -> dict[str, Any]:
    """A campaign as `GET /campaigns` (summary) or `GET /campaigns/{id}` (detailed) shows it."""
    now, step = emulator.state.clock.now(), emulator.config.campaign_step_seconds
    status = campaign.status(now, step)
    answer: dict[str, Any] = {
        "id": campaign.id,
        "name": campaign.name,
        "message": _message(campaign, detailed),
        "status": status,
        "status_explain": STATUS_EXPLAIN.get(status, ""),
        "all_email_qty": campaign.recipients,
        "tariff_email_qty": campaign.recipients,
        "paid_email_qty": 0,
        "overdraft_price": 0,
        "company_price": 0,
        "overdraft_currency": "USD",
        "send_date": emulator.state.format_date(campaign.send_date or campaign.created),
        "created": emulator.state.format_date(campaign.created),
    }
    if detailed:
        answer["permalink"] = f"https://sendpulse.com/campaign/{campaign.id}"
        answer["statistics"] = campaign.statistics(now, step, emulator.config.seed)
    return answer


@router.post("/campaigns")
async def create_campaign(request: Request) -> dict[str, Any]:
    """Create a campaign to lists (or a segment) from a base64 body or a template."""
    emulator = emulator_of(request)
    args = await body_args(request)
    state = emulator.state
    with state.lock:
        now = state.clock.now()
        sender_name, sender_email = _sender(emulator, args)
        subject = get_str(args, "subject")
        if not subject.strip():
            raise invalid("Empty subject", 720)
        template_id = args.get("template_id")
        if template_id not in (None, ""):
            template_id, html = _template(emulator, template_id)
        else:
            template_id = None
            raw_body = args.get("body")
            if not raw_body:
                raise invalid("Argument body missing")
            if not isinstance(raw_body, str):
                raise invalid("Argument body is invalid string")
            html = _decode_body(raw_body)
        segment = args.get("segment_id")
        if args.get("list_id") in (None, "", []):
            if segment in (None, ""):
                raise invalid("Argument list_id missing", 722)
            list_ids: list[int] = []
        else:
            list_ids = _list_ids(args)
        books = [find_book(emulator, i) for i in list_ids]
        segment_id = (
            None
            if segment in (None, "")
            else path_int(str(segment), invalid("Argument segment_id is invalid"))
        )
        send_date = _send_date(emulator, args, now)
        draft = args.get("type") == "draft"
        if args.get("type") not in (None, "", "draft"):
            raise invalid("Argument type is invalid")
        attachments = _attachments(args)
        name = args.get("name") or f"{subject} {emulator.state.format_date(now)}"
        if not isinstance(name, str):
            raise invalid("Argument name must be string")
        stats = get_object(args, "stats") or {}
        get_bool(args, "is_test")
        if emulator.config.campaign_limits and not draft:
            _check_limits(emulator, list_ids, now)
        recipients = sum(b.contacts.count_active() for b in books)
        campaign = Campaign(
            id=state.new_campaign_id(),
            name=name,
            sender_name=sender_name,
            sender_email=sender_email,
            subject=subject,
            body=html,
            template_id=template_id,
            list_ids=list_ids,
            segment_id=segment_id,
            created=now,
            send_date=send_date,
            recipients=recipients,
            draft=draft,
            attachments=attachments,
            stats_options=stats,
        )
        state.campaigns[campaign.id] = campaign
        status = campaign.status(now, emulator.config.campaign_step_seconds)
    return {
        "id": campaign.id,
        "status": status,
        "count": recipients,
        "tariff_email_qty": recipients,
        "overdraft_price": PRICE_PER_EMAIL,
        "ovedraft_currency": "USD",
    }


def _status_filter(args: dict[str, Any]) -> set[int] | None:
    raw = args.get("status")
    if raw is None or raw == "" or raw == []:
        return None
    items = raw if isinstance(raw, list) else [raw]
    wanted: set[int] = set()
    for item in items:
        try:
            wanted.add(int(item))
        except (TypeError, ValueError):
            raise invalid("Argument status is invalid") from None
    return wanted


@router.get("/campaigns")
async def list_campaigns(request: Request) -> list[dict[str, Any]]:
    """Campaigns, paged; `order` by creation (asc default), `status` filter, `planed` (sic) for scheduled."""
    emulator = emulator_of(request)
    args = query_args(request)
    limit, offset = page_args(args)
    descending = get_order(args) == "desc"
    wanted = _status_filter(args)
    planned = get_bool(args, "planed")
    state = emulator.state
    with state.lock:
        now, step = state.clock.now(), emulator.config.campaign_step_seconds
        found = list(state.campaigns.values())
        if descending:
            found.reverse()
        if wanted is not None:
            found = [c for c in found if c.status(now, step) in wanted]
        if planned:
            found = [c for c in found if c.send_date and c.send_date > now and c.status(now, step) == QUEUED]
        return [campaign_json(emulator, c, detailed=False) for c in found[offset : offset + limit]]


@router.get("/campaigns/{campaign_id}")
async def get_campaign(request: Request, campaign_id: str) -> dict[str, Any]:
    """One campaign with its statistics."""
    emulator = emulator_of(request)
    with emulator.state.lock:
        return campaign_json(emulator, _find(emulator, campaign_id), detailed=True)


@router.get("/_emulator/campaigns/{campaign_id}", response_class=HTMLResponse)
async def campaign_page(request: Request, campaign_id: str) -> HTMLResponse:
    """A read-only HTML page of one campaign, for a browser (the "SendPulse campaign" extra link).

    The API answer needs a token, which a browser does not have; this page is the emulator's
    stand-in for SendPulse's web app. The campaign's HTML is shown in a sandboxed frame.
    """
    emulator = emulator_of(request)
    with emulator.state.lock:
        campaign = _find(emulator, campaign_id)
        answer = campaign_json(emulator, campaign, detailed=True)
        body = campaign.body
    return HTMLResponse(render_campaign_page(answer, body))


def render_campaign_page(answer: dict[str, Any], body: str) -> str:
    """The page of :func:`campaign_page`: every value escaped, the body only inside a sandbox."""
    message = answer["message"]
    rows = [
        ("Status", f"{answer['status']} ({answer['status_explain']})"),
        ("Subject", message.get("subject")),
        ("Sender", f"{message.get('sender_name')} <{message.get('sender_email')}>"),
        ("Mailing list", message.get("list_id")),
        ("Recipients", answer["all_email_qty"]),
        ("Created", answer["created"]),
        ("Send date", answer["send_date"]),
    ]
    rows += [(stat["explain"], stat["count"]) for stat in answer.get("statistics", [])]
    table = "".join(f"<tr><th>{escape(str(k))}</th><td>{escape(str(v))}</td></tr>" for k, v in rows)
    title = escape(f"Campaign {answer['id']}: {answer['name']}")
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body><h1>{title}</h1><p>SendPulse emulator: a read-only view.</p>"
        f"<table>{table}</table><h2>Message</h2>"
        f"<iframe sandbox title='message' style='width:100%;height:30em' srcdoc=\"{escape(body)}\"></iframe>"
        "</body></html>"
    )


@router.patch("/campaigns/{campaign_id}")
async def edit_campaign(request: Request, campaign_id: str) -> dict[str, Any]:
    """Edit a draft or a campaign still waiting for its send date.

    `name`, `subject`, `sender_name`, `sender_email`, `template_id` and `send_date` are edited; any other
    field (`body` included) is ignored, as SendPulse ignores it: the answer is a success all the same.
    """
    emulator = emulator_of(request)
    args = await body_args(request)
    state = emulator.state
    with state.lock:
        campaign = _find(emulator, campaign_id)
        now = state.clock.now()
        status = campaign.status(now, emulator.config.campaign_step_seconds)
        if status not in (DRAFT, QUEUED) or (status == QUEUED and not campaign.send_date):
            raise invalid("Campaign can not be edited", 800)
        for name in ("name", "subject", "sender_name"):
            if name in args:
                setattr(campaign, name, get_str(args, name, allow_empty=False))
        if "sender_email" in args:
            campaign.sender_name, campaign.sender_email = _sender(
                emulator, {"sender_name": campaign.sender_name, **args}
            )
        if args.get("template_id") not in (None, ""):
            campaign.template_id, campaign.body = _template(emulator, args["template_id"])
        if args.get("send_date"):
            campaign.send_date = _send_date(emulator, args, now)
    return {"result": True, "id": campaign.id}


@router.delete("/campaigns/{campaign_id}")
async def cancel_campaign(request: Request, campaign_id: str) -> dict[str, Any]:
    """Cancel a campaign that has not finished sending (status becomes 16)."""
    emulator = emulator_of(request)
    state = emulator.state
    with state.lock:
        campaign = _find(emulator, campaign_id)
        now = state.clock.now()
        status = campaign.status(now, emulator.config.campaign_step_seconds)
        if status == CANCELED:
            return {"result": True}
        if status not in (*ACTIVE_STATUSES, DRAFT, SENDING):
            raise invalid("Campaign can not be cancelled", 800)
        campaign.canceled_at = now
    return {"result": True}


@router.get("/campaigns/{campaign_id}/countries")
async def campaign_countries(request: Request, campaign_id: str) -> dict[str, int]:
    """Opens per country code."""
    emulator = emulator_of(request)
    with emulator.state.lock:
        campaign = _find(emulator, campaign_id)
        now = emulator.state.clock.now()
        return campaign.countries(now, emulator.config.campaign_step_seconds, emulator.config.seed)


@router.get("/campaigns/{campaign_id}/referrals")
async def campaign_referrals(request: Request, campaign_id: str) -> list[dict[str, Any]]:
    """Clicks per link."""
    emulator = emulator_of(request)
    with emulator.state.lock:
        campaign = _find(emulator, campaign_id)
        now = emulator.state.clock.now()
        return campaign.referrals(now, emulator.config.campaign_step_seconds, emulator.config.seed)


@router.get("/campaigns/{campaign_id}/email/{email}")
async def campaign_email(request: Request, campaign_id: str, email: str) -> dict[str, Any]:
    """Delivery state of one recipient."""
    emulator = emulator_of(request)
    state = emulator.state
    email = email.strip().lower()
    with state.lock:
        campaign = _find(emulator, campaign_id)
        books = [state.lists[i] for i in campaign.list_ids if i in state.lists]
        if not any(email in b.contacts for b in books):
            raise ApiError(404, "Email address not found", 502)
        now, step = state.clock.now(), emulator.config.campaign_step_seconds
        delivery = campaign.email_status(email, now, step)
    if delivery is None:
        return {
            "sent_date": "",
            "global_status": 0,
            "global_status_explain": "Not sent yet",
            "detail_status": 0,
            "detail_status_explain": "Not sent yet",
        }
    return {
        "sent_date": emulator.state.format_date(max(campaign.created, campaign.send_date or 0.0)),
        **delivery,
        "detail_status_explain": delivery["global_status_explain"],
    }
