"""SMS: phones in lists, campaigns to lists or to phones, their status and cost."""

from __future__ import annotations

import re
import zlib
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter
from starlette.requests import Request

from ..errors import ApiError, invalid
from ..params import body_args, get_bool, get_int, get_list, get_object, get_str, path_int, query_args
from ..state import MailingList, SmsCampaign
from .common import emulator_of, find_book

if TYPE_CHECKING:
    from ..app import Emulator

router = APIRouter()

MAX_SENDER = 11
PRICE_PER_SMS = 0.03
_PHONE = re.compile(r"\d{7,15}")
_COUNTRIES = (("380", "UA"), ("44", "GB"), ("49", "DE"), ("48", "PL"), ("33", "FR"), ("1", "US"), ("7", "KZ"))

#: Campaign-level SMS statuses, on the same clock as email campaigns.
SMS_STATUS = {14: "Queued", 2: "Sending", 3: "Sent", 16: "Canceled by user"}


def clean_phone(raw: Any) -> str | None:
    """A phone as SendPulse stores it (international digits, no `+`), or None when it is not one."""
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        return None
    digits = re.sub(r"[\s()+-]", "", str(raw))
    return digits if _PHONE.fullmatch(digits) else None


def list_phones(book: MailingList) -> list[str]:
    """Phones an SMS campaign to the list reaches: added phones and the `Phone` variable of contacts."""
    phones = dict.fromkeys(book.phones)
    for raw in book.contacts.variable_values("Phone"):
        cleaned = clean_phone(raw)
        if cleaned:
            phones.setdefault(cleaned)
    return list(phones)


def _country(phone: str) -> str:
    return next((code for prefix, code in _COUNTRIES if phone.startswith(prefix)), "UA")


def _parts(body: str) -> int:
    per_part = 160 if body.isascii() else 70
    return max(1, -(-len(body) // per_part))


def _sender(args: dict[str, Any]) -> str:
    sender = get_str(args, "sender", allow_empty=False)
    if len(sender) > MAX_SENDER:
        raise invalid(f"Argument sender may not be greater than {MAX_SENDER} characters")
    return str(sender)


def _date(emulator: Emulator, args: dict[str, Any], name: str, now: float) -> float:
    raw = args.get(name)
    if raw is None or raw == "":
        return now
    if not isinstance(raw, str):
        raise invalid(f"Argument {name} is invalid")
    try:
        return emulator.state.parse_date(raw.strip())
    except ValueError:
        raise invalid(f"Argument {name} is invalid") from None


def _window_date(emulator: Emulator, args: dict[str, Any], name: str, end_of_day: bool) -> float | None:
    raw = args.get(name)
    if raw is None or raw == "":
        return None
    text = str(raw).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        text += " 23:59:59" if end_of_day else " 00:00:00"
    try:
        return emulator.state.parse_date(text)
    except ValueError:
        raise invalid(f"Argument {name} is invalid") from None


def sms_status(emulator: Emulator, campaign: SmsCampaign) -> int:
    """Where the SMS campaign is: 14 until its date, 2 for one step, then 3; 16 when canceled."""
    if campaign.canceled:
        return 16
    now, step = emulator.state.clock.now(), emulator.config.campaign_step_seconds
    if now < campaign.send_date:
        return 14
    return 2 if now < campaign.send_date + step else 3


def _summary(emulator: Emulator, campaign: SmsCampaign) -> dict[str, Any]:
    status = sms_status(emulator, campaign)
    return {
        "id": campaign.id,
        "address_book_id": campaign.address_book_id or 0,
        "currency": "USD",
        "company_price": round(len(campaign.phones) * _parts(campaign.body) * PRICE_PER_SMS, 2),
        "send_date": emulator.state.format_date(campaign.send_date),
        "date_created": emulator.state.format_date(campaign.created),
        "sender_name": campaign.sender,
        "status": status,
        "status_explain": SMS_STATUS[status],
    }


def _phone_info(campaign: SmsCampaign, status: int, phone: str) -> dict[str, Any]:
    if status == 16:
        code, explain = 16, "Canceled"
    elif status == 3:
        failed = zlib.crc32(f"{campaign.id}:{phone}".encode()) % 100 < 3
        code, explain = (2, "Not delivered") if failed else (1, "Delivered")
    else:
        code, explain = 0, "Queued"
    return {
        "phone": phone,
        "status": code,
        "status_explain": explain,
        "countryCode": _country(phone),
        "money_spent": round(_parts(campaign.body) * PRICE_PER_SMS, 4) if code in (1, 2) else 0,
    }


def _new_campaign(
    emulator: Emulator, args: dict[str, Any], phones: list[str], book_id: int | None, sender: str, body: str
) -> SmsCampaign:
    state = emulator.state
    now = state.clock.now()
    campaign = SmsCampaign(
        id=state.new_sms_id(),
        sender=sender,
        body=body,
        address_book_id=book_id,
        phones=phones,
        created=now,
        send_date=max(now, _date(emulator, args, "date", now)),
        emulate=bool(get_bool(args, "emulate", default=False)),
    )
    get_object(args, "route")
    state.sms_campaigns[campaign.id] = campaign
    return campaign


def _phones_arg(args: dict[str, Any]) -> tuple[list[str], int]:
    raw = get_list(args, "phones")
    cleaned = [clean_phone(p) for p in raw]
    valid = list(dict.fromkeys(p for p in cleaned if p))
    return valid, len(raw) - sum(1 for p in cleaned if p)


@router.post("/sms/numbers")
async def add_phones(request: Request) -> dict[str, Any]:
    """Add phones to a list: counters of added, existing and rejected phones."""
    emulator = emulator_of(request)
    args = await body_args(request)
    list_id = get_int(args, "addressBookId")
    phones, rejected = _phones_arg(args)
    with emulator.state.lock:
        book = find_book(emulator, list_id)
        now = emulator.state.clock.now()
        exists = sum(1 for p in phones if p in book.phones)
        for phone in phones:
            book.phones.setdefault(phone, now)
    return {
        "result": True,
        "counters": {"added": len(phones) - exists, "exceptions": rejected, "exists": exists},
    }


@router.delete("/sms/numbers")
async def remove_phones(request: Request) -> dict[str, Any]:
    """Remove phones from a list."""
    emulator = emulator_of(request)
    args = await body_args(request)
    list_id = get_int(args, "addressBookId")
    phones, _ = _phones_arg(args)
    with emulator.state.lock:
        book = find_book(emulator, list_id)
        deleted = sum(1 for p in phones if book.phones.pop(p, None) is not None)
    return {"result": True, "counters": {"deleted": deleted}}


@router.get("/sms/numbers/info/{list_id}/{phone}")
async def phone_info(request: Request, list_id: str, phone: str) -> dict[str, Any]:
    """One phone of a list."""
    emulator = emulator_of(request)
    with emulator.state.lock:
        book = find_book(emulator, list_id)
        cleaned = clean_phone(phone)
        added = book.phones.get(cleaned or "")
    if added is None:
        raise ApiError(404, "Phone not found", 8)
    return {
        "result": True,
        "data": {"status": 0, "variables": [], "added": emulator.state.format_date(added)},
    }


@router.post("/sms/campaigns")
async def create_sms_campaign(request: Request) -> dict[str, Any]:
    """An SMS campaign to the phones of a list."""
    emulator = emulator_of(request)
    args = await body_args(request)
    sender = _sender(args)
    list_id = get_int(args, "addressBookId")
    body = get_str(args, "body", allow_empty=False)
    with emulator.state.lock:
        book = find_book(emulator, list_id)
        phones = list_phones(book)
        if not phones:
            raise invalid("Phones not found", 8)
        campaign = _new_campaign(emulator, args, phones, book.id, sender, body)
    return {"result": True, "campaign_id": campaign.id}


@router.delete("/sms/campaigns")
async def delete_sms_campaign(request: Request) -> dict[str, Any]:
    """Delete an SMS campaign."""
    emulator = emulator_of(request)
    campaign_id = get_int(await body_args(request), "id")
    with emulator.state.lock:
        if emulator.state.sms_campaigns.pop(campaign_id, None) is None:
            raise ApiError(404, "Campaign not found", 802)
    return {"result": True}


@router.post("/sms/send")
async def send_sms(request: Request) -> dict[str, Any]:
    """An SMS campaign to explicit phones."""
    emulator = emulator_of(request)
    args = await body_args(request)
    sender = _sender(args)
    phones, rejected = _phones_arg(args)
    body = get_str(args, "body", allow_empty=False)
    if not phones:
        raise invalid("Phones not found", 8)
    with emulator.state.lock:
        campaign = _new_campaign(emulator, args, phones, None, sender, body)
    return {
        "result": True,
        "campaign_id": campaign.id,
        "counters": {"exceptions": rejected, "sends": len(phones)},
    }


@router.get("/sms/campaigns/list")
async def list_sms_campaigns(request: Request) -> dict[str, Any]:
    """SMS campaigns created between `dateFrom` and `dateTo` (inclusive)."""
    emulator = emulator_of(request)
    args = query_args(request)
    start = _window_date(emulator, args, "dateFrom", end_of_day=False)
    end = _window_date(emulator, args, "dateTo", end_of_day=True)
    with emulator.state.lock:
        found = [
            _summary(emulator, c)
            for c in emulator.state.sms_campaigns.values()
            # Dates have whole seconds, so a campaign is compared by the second it was created in.
            if (start is None or int(c.created) >= start) and (end is None or int(c.created) <= end)
        ]
    return {"result": True, "data": found}


def _sms_campaign(emulator: Emulator, campaign_id: str) -> SmsCampaign:
    """The SMS campaign with this id (the state lock held by the caller); SendPulse's 404/802 if none."""
    missing = ApiError(404, "Campaign not found", 802)
    campaign = emulator.state.sms_campaigns.get(path_int(campaign_id, missing))
    if campaign is None:
        raise missing
    return campaign


@router.get("/sms/campaigns/info/{campaign_id}")
async def sms_campaign_info(request: Request, campaign_id: str) -> dict[str, Any]:
    """One SMS campaign with the state of each phone."""
    emulator = emulator_of(request)
    with emulator.state.lock:
        campaign = _sms_campaign(emulator, campaign_id)
        data = _summary(emulator, campaign)
        data["task_phones_info"] = [_phone_info(campaign, data["status"], p) for p in campaign.phones]
    return {"result": True, "data": data}


@router.put("/sms/campaigns/cancel/{campaign_id}")
async def cancel_sms_campaign(request: Request, campaign_id: str) -> dict[str, Any]:
    """Cancel an SMS campaign that has not started yet."""
    emulator = emulator_of(request)
    with emulator.state.lock:
        campaign = _sms_campaign(emulator, campaign_id)
        if sms_status(emulator, campaign) not in (14, 16):
            raise invalid("Campaign can not be cancelled", 800)
        campaign.canceled = True
    return {"result": True}


@router.get("/sms/campaigns/cost")
async def sms_cost(request: Request) -> dict[str, Any]:
    """What an SMS campaign to a list or to phones would cost."""
    emulator = emulator_of(request)
    args = query_args(request)
    _sender(args)
    body = get_str(args, "body", allow_empty=False)
    if args.get("phones") not in (None, "", []):
        count = len(_phones_arg(args)[0])
    else:
        list_id = get_int(args, "addressBookId")
        with emulator.state.lock:
            count = len(list_phones(find_book(emulator, list_id)))
    return {
        "result": True,
        "data": {"price": round(count * _parts(body) * PRICE_PER_SMS, 2), "currency": "USD"},
    }


@router.get("/sms/senders")
async def sms_senders(request: Request) -> list[dict[str, Any]]:
    """Alpha-name senders of the account."""
    return [{"id": 1, "sender": "Emulator", "country": "UA", "status": 1, "status_explain": "Active"}]
