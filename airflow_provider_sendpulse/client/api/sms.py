"""SMS: phones in a list, single messages and SMS campaigns."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from airflow_provider_sendpulse.client.api.call import Call
from airflow_provider_sendpulse.client.api.read import (
    as_dict,
    as_list,
    first_item,
    nothing,
    without_result,
)
from airflow_provider_sendpulse.client.models import MAX_SMS_SENDER_LENGTH, as_moment


def _phones(phones: Sequence[str]) -> list[str]:
    items = [str(p).strip().lstrip("+") for p in phones]
    if not items:
        raise ValueError("no phone numbers given")
    bad = [p for p in items if not p.isdigit()]
    if bad:
        raise ValueError(f"phone numbers must be digits in international format, got {bad[0]!r}")
    return items


def _sms_extras(
    date: str | datetime | None, route: Mapping[str, Any] | None, emulate: bool | None
) -> dict[str, Any]:
    extras: dict[str, Any] = {}
    if date is not None:
        extras["date"] = as_moment(date, "date")
    if route is not None:
        extras["route"] = dict(route)
    if emulate is not None:
        extras["emulate"] = emulate
    return extras


def add_phones(list_id: int, phones: Sequence[str]) -> Call[dict[str, Any]]:
    """``POST /sms/numbers``: add phone numbers to a list; answers the counters."""
    body = {"addressBookId": int(list_id), "phones": _phones(phones)}
    return Call("POST", "/sms/numbers", None, body, without_result)


def send_sms(
    sender: str,
    phones: Sequence[str],
    body: str,
    date: str | datetime | None = None,
    route: Mapping[str, Any] | None = None,
    emulate: bool | None = None,
) -> Call[dict[str, Any]]:
    """``POST /sms/send``: send an SMS to phone numbers; answers ``campaign_id`` and counters."""
    payload = {"sender": sender, "phones": _phones(phones), "body": body}
    payload.update(_sms_extras(date, route, emulate))
    return Call("POST", "/sms/send", None, payload, without_result, is_create=True)


def create_sms_campaign(
    sender: str,
    list_id: int,
    body: str,
    date: str | datetime | None = None,
    route: Mapping[str, Any] | None = None,
    emulate: bool | None = None,
) -> Call[dict[str, Any]]:
    """``POST /sms/campaigns``: an SMS campaign to a list's phones; answers ``campaign_id``."""
    if len(sender) > MAX_SMS_SENDER_LENGTH:
        raise ValueError(f"SMS sender name is at most {MAX_SMS_SENDER_LENGTH} characters")
    payload: dict[str, Any] = {"sender": sender, "addressBookId": int(list_id), "body": body}
    payload.update(_sms_extras(date, route, emulate))
    return Call("POST", "/sms/campaigns", None, payload, without_result, is_create=True)


def get_sms_campaign(campaign_id: int) -> Call[dict[str, Any]]:
    """``GET /sms/campaigns/info/{id}``: one SMS campaign."""
    return Call(
        "GET", f"/sms/campaigns/info/{int(campaign_id)}", None, None, _sms_info(f"SMS campaign {campaign_id}")
    )


def _sms_info(what: str) -> Callable[[Any], dict[str, Any]]:
    first = first_item(what)

    def read(body: Any) -> dict[str, Any]:
        if isinstance(body, dict) and "data" in body:
            return first(body["data"])
        return first(body)

    return read


def list_sms_campaigns(date_from: str | datetime, date_to: str | datetime) -> Call[list[dict[str, Any]]]:
    """``GET /sms/campaigns/list``: SMS campaigns created in a date window (inclusive, account time)."""
    params = {"dateFrom": as_moment(date_from, "date_from"), "dateTo": as_moment(date_to, "date_to")}
    return Call("GET", "/sms/campaigns/list", params, None, as_list)


def cancel_sms_campaign(campaign_id: int) -> Call[None]:
    """``PUT /sms/campaigns/cancel/{id}``: cancel a scheduled SMS campaign."""
    return Call("PUT", f"/sms/campaigns/cancel/{int(campaign_id)}", None, None, nothing)


def sms_cost(
    sender: str,
    body: str,
    list_id: int | None = None,
    phones: Sequence[str] | None = None,
) -> Call[dict[str, Any]]:
    """``GET /sms/campaigns/cost``: what an SMS campaign would cost (to a list or to phones)."""
    if (list_id is None) == (phones is None):
        raise ValueError("give exactly one of list_id and phones")
    params: dict[str, Any] = {"sender": sender, "body": body}
    if list_id is not None:
        params["addressBookId"] = int(list_id)
    else:
        params["phones"] = _phones(phones or [])  # phones[]=...: an array, as PHP reads it
    return Call("GET", "/sms/campaigns/cost", params, None, _sms_cost)


def _sms_cost(body: Any) -> dict[str, Any]:
    data = as_dict(body)
    inner = data.get("data")
    return dict(inner) if isinstance(inner, dict) else without_result(data)
