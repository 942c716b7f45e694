"""Every SendPulse endpoint the provider uses, described once.

Each builder returns a :class:`Call`: what to send and how to read the answer. Builders do no I/O;
:class:`~airflow_provider_sendpulse.client.SendPulseClient` and
:class:`~airflow_provider_sendpulse.client.AsyncSendPulseClient` send them.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar
from urllib.parse import quote

from airflow_provider_sendpulse.client.errors import (
    SendPulseError,
    SendPulseNotFoundError,
    SendPulseValidationError,
)
from airflow_provider_sendpulse.client.models import (
    MAX_SMS_SENDER_LENGTH,
    CampaignSpec,
    Contact,
    DoubleOptIn,
    as_moment,
)

T = TypeVar("T")

MAX_PAGE_SIZE = 100
"""SendPulse list endpoints answer 422 for a ``limit`` above this."""

MAX_EMAILS_PER_CALL = 100
"""Most emails one delete or unsubscribe call takes."""

TOKEN_PATH = "/oauth/access_token"  # noqa: S105 (a path, not a secret)


@dataclass(frozen=True)
class Call(Generic[T]):
    """One API call: method, path, query, JSON body, and how to read a successful answer.

    ``is_create`` marks calls that are not safe to replay: after a timeout, dropped connection or
    5xx the client raises :class:`~.errors.SendPulseAmbiguousCreateError` instead of retrying.

    ``settled_by`` lists errors that, when they answer a replay of a call whose earlier attempt may
    have gone through (its answer was lost), mean that attempt did the work: a replayed delete that
    finds nothing to delete has succeeded. The call then returns ``parse(None)``.
    """

    method: str
    path: str
    params: dict[str, Any] | None
    json: Any | None
    parse: Callable[[Any], T]
    is_create: bool = False
    settled_by: tuple[type[SendPulseError], ...] = ()

    def describe(self) -> str:
        """``"METHOD /path"``, for messages and logs (never the body)."""
        return f"{self.method} {self.path}"


# --- answer readers -------------------------------------------------------------------------


def _raw(body: Any) -> Any:
    return body


def _none(body: Any) -> None:
    return None


def _as_list(body: Any) -> list[dict[str, Any]]:
    if body is None:
        return []
    if isinstance(body, list):
        return body
    if isinstance(body, dict):
        for key in ("data", "list", "items"):
            if isinstance(body.get(key), list):
                return list(body[key])
    raise SendPulseError(f"expected a list in the answer, got {type(body).__name__}")


def _as_dict(body: Any) -> dict[str, Any]:
    if isinstance(body, dict):
        return body
    raise SendPulseError(f"expected an object in the answer, got {type(body).__name__}")


def _first(what: str) -> Callable[[Any], dict[str, Any]]:
    def read(body: Any) -> dict[str, Any]:
        if isinstance(body, dict):
            return body
        if isinstance(body, list) and body and isinstance(body[0], dict):
            return dict(body[0])
        raise SendPulseNotFoundError(f"SendPulse returned no {what}")

    return read


def _int_field(key: str) -> Callable[[Any], int]:
    def read(body: Any) -> int:
        value = _as_dict(body).get(key)
        try:
            return int(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise SendPulseError(f"answer has no integer {key!r}") from None

    return read


def _without_result(body: Any) -> dict[str, Any]:
    return {k: v for k, v in _as_dict(body).items() if k != "result"}


def _page(limit: int, offset: int) -> dict[str, Any]:
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValueError(f"limit must be between 1 and {MAX_PAGE_SIZE}, got {limit}")
    if offset < 0:
        raise ValueError(f"offset must not be negative, got {offset}")
    return {"limit": limit, "offset": offset}


def _emails(emails: Sequence[str]) -> list[str]:
    items = [e.strip() for e in emails]
    if not items:
        raise ValueError("no email addresses given")
    if len(items) > MAX_EMAILS_PER_CALL:
        raise ValueError(f"at most {MAX_EMAILS_PER_CALL} emails per call, got {len(items)}")
    return items


def _seg(value: str | int) -> str:
    return quote(str(value), safe="@")


def _b64(html: str) -> str:
    return base64.b64encode(html.encode()).decode("ascii")


# --- account --------------------------------------------------------------------------------


def get_user_info() -> Call[dict[str, Any]]:
    """``GET /user/info``: the account behind the credentials (a cheap connection test)."""
    return Call("GET", "/user/info", None, None, _as_dict)


def get_balance(currency: str | None = None) -> Call[dict[str, Any]]:
    """``GET /balance`` (or ``/balance/{currency}``): the account balance."""
    path = "/balance" if currency is None else f"/balance/{_seg(currency.upper())}"
    return Call("GET", path, None, None, _as_dict)


def raw_call(
    method: str, path: str, params: Mapping[str, Any] | None = None, json: Any | None = None
) -> Call[Any]:
    """Any endpoint, answered as decoded JSON (the escape hatch). Not treated as a create."""
    if not path.startswith("/"):
        path = "/" + path
    return Call(method.upper(), path, dict(params) if params else None, json, _raw)


# --- mailing lists --------------------------------------------------------------------------


def create_mailing_list(name: str) -> Call[int]:
    """``POST /addressbooks``: create a mailing list; answers its id.

    Marked as a create: names are unique, so a blind replay would fail with "name in use";
    after an ambiguous failure look the list up by name instead.
    """
    if not name or not name.strip():
        raise ValueError("mailing list name must not be empty")
    return Call("POST", "/addressbooks", None, {"bookName": name}, _int_field("id"), is_create=True)


def get_mailing_list(list_id: int) -> Call[dict[str, Any]]:
    """``GET /addressbooks/{id}``: one mailing list (SendPulse wraps it in a one-item array)."""
    return Call("GET", f"/addressbooks/{int(list_id)}", None, None, _first(f"mailing list {list_id}"))


def list_mailing_lists(limit: int = MAX_PAGE_SIZE, offset: int = 0) -> Call[list[dict[str, Any]]]:
    """``GET /addressbooks``: one page of mailing lists."""
    return Call("GET", "/addressbooks", _page(limit, offset), None, _as_list)


def rename_mailing_list(list_id: int, name: str) -> Call[None]:
    """``PUT /addressbooks/{id}``: rename a mailing list."""
    if not name or not name.strip():
        raise ValueError("mailing list name must not be empty")
    return Call("PUT", f"/addressbooks/{int(list_id)}", None, {"name": name}, _none)


def delete_mailing_list(list_id: int) -> Call[None]:
    """``DELETE /addressbooks/{id}``: delete a mailing list and its contacts."""
    return Call(
        "DELETE", f"/addressbooks/{int(list_id)}", None, None, _none, settled_by=(SendPulseNotFoundError,)
    )


def list_variables(list_id: int) -> Call[list[dict[str, Any]]]:
    """``GET /addressbooks/{id}/variables``: the list's variables (``name``, ``type``)."""
    return Call("GET", f"/addressbooks/{int(list_id)}/variables", None, None, _as_list)


def count_contacts(list_id: int) -> Call[int]:
    """``GET /addressbooks/{id}/emails/total``: how many contacts the list holds."""
    return Call("GET", f"/addressbooks/{int(list_id)}/emails/total", None, None, _int_field("total"))


def list_mailing_list_campaigns(
    list_id: int, limit: int = MAX_PAGE_SIZE, offset: int = 0
) -> Call[list[dict[str, Any]]]:
    """``GET /addressbooks/{id}/campaigns``: one page of campaigns sent to a list."""
    return Call("GET", f"/addressbooks/{int(list_id)}/campaigns", _page(limit, offset), None, _as_list)


# --- contacts -------------------------------------------------------------------------------


def add_contacts(
    list_id: int, contacts: Sequence[Contact], double_opt_in: DoubleOptIn | None = None
) -> Call[None]:
    """``POST /addressbooks/{id}/emails``: add (or update) contacts with their variables.

    Adding is an upsert on the email, so this call is safe to replay.
    """
    if not contacts:
        raise ValueError("no contacts given")
    body: dict[str, Any] = {"emails": [c.to_dict() for c in contacts]}
    if double_opt_in is not None:
        body.update(double_opt_in.to_dict())
    return Call("POST", f"/addressbooks/{int(list_id)}/emails", None, body, _none)


def remove_contacts(list_id: int, emails: Sequence[str]) -> Call[None]:
    """``DELETE /addressbooks/{id}/emails``: remove up to 100 emails from a list."""
    body = {"emails": _emails(emails)}
    return Call("DELETE", f"/addressbooks/{int(list_id)}/emails", None, body, _none)


def unsubscribe_contacts(list_id: int, emails: Sequence[str]) -> Call[None]:
    """``POST /addressbooks/{id}/emails/unsubscribe``: unsubscribe up to 100 emails."""
    body = {"emails": _emails(emails)}
    # Replayed after a lost answer, SendPulse refuses with 422 "Active emails not found": done already.
    return Call(
        "POST",
        f"/addressbooks/{int(list_id)}/emails/unsubscribe",
        None,
        body,
        _none,
        settled_by=(SendPulseValidationError,),
    )


def update_contact_variables(list_id: int, email: str, variables: Mapping[str, Any]) -> Call[None]:
    """``POST /addressbooks/{id}/emails/variable``: set variables of one contact."""
    if not variables:
        raise ValueError("no variables given")
    body = {
        "email": email,
        "variables": [
            {"name": str(name), "value": value if isinstance(value, str) else str(value)}
            for name, value in variables.items()
        ],
    }
    return Call("POST", f"/addressbooks/{int(list_id)}/emails/variable", None, body, _none)


def list_contacts(
    list_id: int,
    limit: int = MAX_PAGE_SIZE,
    offset: int = 0,
    order: str | None = None,
    active: bool | None = None,
) -> Call[list[dict[str, Any]]]:
    """``GET /addressbooks/{id}/emails``: one page of a list's contacts.

    :param order: ``"asc"`` or ``"desc"`` (SendPulse's order of addition).
    :param active: True for active contacts only, False for inactive only, None for all.
    """
    params = _page(limit, offset)
    if order is not None:
        if order not in ("asc", "desc"):
            raise ValueError("order must be 'asc' or 'desc'")
        params["order"] = order
    if active is True:
        params["active"] = True
    elif active is False:
        params["not_active"] = True
    return Call("GET", f"/addressbooks/{int(list_id)}/emails", params, None, _as_list)


def get_contact(list_id: int, email: str) -> Call[dict[str, Any]]:
    """``GET /addressbooks/{id}/emails/{email}``: one contact of a list."""
    path = f"/addressbooks/{int(list_id)}/emails/{_seg(email)}"
    return Call("GET", path, None, None, _first(f"contact {email!r}"))


# --- email campaigns ------------------------------------------------------------------------


def create_campaign(spec: CampaignSpec) -> Call[dict[str, Any]]:
    """``POST /campaigns``: create (send or schedule) an email campaign; answers ``id``, ``status``..."""
    return Call("POST", "/campaigns", None, spec.to_dict(), _as_dict, is_create=True)


def get_campaign(campaign_id: int) -> Call[dict[str, Any]]:
    """``GET /campaigns/{id}``: a campaign with its status and statistics."""
    return Call("GET", f"/campaigns/{int(campaign_id)}", None, None, _first(f"campaign {campaign_id}"))


def list_campaigns(
    limit: int = MAX_PAGE_SIZE,
    offset: int = 0,
    order: str | None = "desc",
    status: Sequence[int] | None = None,
) -> Call[list[dict[str, Any]]]:
    """``GET /campaigns``: one page of campaigns, newest first by default."""
    params = _page(limit, offset)
    if order is not None:
        params["order"] = order
    if status:
        params["status"] = [int(s) for s in status]
    return Call("GET", "/campaigns", params, None, _as_list)


EDITABLE_CAMPAIGN_FIELDS = ("name", "subject", "sender_name", "sender_email", "template_id", "send_date")
"""What ``PATCH /campaigns/{id}`` changes (vendor spec and docs); SendPulse ignores anything else."""


def edit_campaign(campaign_id: int, **changes: Any) -> Call[None]:
    """``PATCH /campaigns/{id}``: change a scheduled campaign.

    Only :data:`EDITABLE_CAMPAIGN_FIELDS` can be changed: SendPulse silently ignores other fields (such
    as the HTML body), so an edit would report success and change nothing; they are refused here.
    ``send_date`` is a datetime (naive = account time) or a date string.
    """
    unknown = sorted(set(changes) - set(EDITABLE_CAMPAIGN_FIELDS))
    if unknown:
        raise ValueError(
            f"cannot edit campaign field {unknown[0]!r}: SendPulse edits only "
            f"{', '.join(EDITABLE_CAMPAIGN_FIELDS)} (create a new campaign to change the content)"
        )
    body: dict[str, Any] = {k: v for k, v in changes.items() if v is not None}
    if "send_date" in body:
        body["send_date"] = as_moment(body["send_date"], "send_date")
    if not body:
        raise ValueError("nothing to change")
    return Call("PATCH", f"/campaigns/{int(campaign_id)}", None, body, _none)


def cancel_campaign(campaign_id: int) -> Call[None]:
    """``DELETE /campaigns/{id}``: cancel a scheduled campaign."""
    return Call("DELETE", f"/campaigns/{int(campaign_id)}", None, None, _none)


def campaign_countries(campaign_id: int) -> Call[dict[str, Any]]:
    """``GET /campaigns/{id}/countries``: opens per country code."""
    return Call("GET", f"/campaigns/{int(campaign_id)}/countries", None, None, _country_map)


def _country_map(body: Any) -> dict[str, Any]:
    return {} if body in (None, []) else _as_dict(body)


def campaign_referrals(campaign_id: int) -> Call[list[dict[str, Any]]]:
    """``GET /campaigns/{id}/referrals``: clicks per link."""
    return Call("GET", f"/campaigns/{int(campaign_id)}/referrals", None, None, _as_list)


# --- senders and templates ------------------------------------------------------------------


def list_senders() -> Call[list[dict[str, Any]]]:
    """``GET /senders``: the account's sender addresses."""
    return Call("GET", "/senders", None, None, _as_list)


def list_templates(
    owner: str | None = "me", limit: int = MAX_PAGE_SIZE, offset: int = 0
) -> Call[list[dict[str, Any]]]:
    """``GET /templates``: one page of templates (``owner`` ``"me"`` or ``"sendpulse"``)."""
    params = _page(limit, offset)
    if owner is not None:
        params["owner"] = owner
    return Call("GET", "/templates", params, None, _as_list)


def get_template(template_id: int | str) -> Call[dict[str, Any]]:
    """``GET /template/{id}``: one template."""
    return Call("GET", f"/template/{_seg(template_id)}", None, None, _first(f"template {template_id}"))


def create_template(body_html: str, name: str | None = None, lang: str = "en") -> Call[int]:
    """``POST /template``: store an HTML template; answers its id."""
    body: dict[str, Any] = {"body": _b64(body_html), "lang": lang}
    if name is not None:
        body["name"] = name
    return Call("POST", "/template", None, body, _int_field("real_id"), is_create=True)


# --- SMS ------------------------------------------------------------------------------------


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
    return Call("POST", "/sms/numbers", None, body, _without_result)


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
    return Call("POST", "/sms/send", None, payload, _without_result, is_create=True)


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
    return Call("POST", "/sms/campaigns", None, payload, _without_result, is_create=True)


def get_sms_campaign(campaign_id: int) -> Call[dict[str, Any]]:
    """``GET /sms/campaigns/info/{id}``: one SMS campaign."""
    return Call(
        "GET", f"/sms/campaigns/info/{int(campaign_id)}", None, None, _sms_info(f"SMS campaign {campaign_id}")
    )


def _sms_info(what: str) -> Callable[[Any], dict[str, Any]]:
    first = _first(what)

    def read(body: Any) -> dict[str, Any]:
        if isinstance(body, dict) and "data" in body:
            return first(body["data"])
        return first(body)

    return read


def list_sms_campaigns(date_from: str | datetime, date_to: str | datetime) -> Call[list[dict[str, Any]]]:
    """``GET /sms/campaigns/list``: SMS campaigns created in a date window (inclusive, account time)."""
    params = {"dateFrom": as_moment(date_from, "date_from"), "dateTo": as_moment(date_to, "date_to")}
    return Call("GET", "/sms/campaigns/list", params, None, _as_list)


def cancel_sms_campaign(campaign_id: int) -> Call[None]:
    """``PUT /sms/campaigns/cancel/{id}``: cancel a scheduled SMS campaign."""
    return Call("PUT", f"/sms/campaigns/cancel/{int(campaign_id)}", None, None, _none)


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
    data = _as_dict(body)
    inner = data.get("data")
    return dict(inner) if isinstance(inner, dict) else _without_result(data)
