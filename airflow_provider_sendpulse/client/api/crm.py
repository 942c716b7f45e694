"""CRM (``/crm/v1``): team members, pipelines and steps, contacts and deals.

Every CRM answer wraps its payload in ``{"data": ...}``; lists of contacts come as ``data.list``, lists of
deals as ``data`` (with ``meta.total``). Contact list filters on dates are days (``YYYY-MM-DD``); deal
filters (``filter[]``) take ``{name, expression, value}`` with ``eq/neq/gt/gte/lt/lte/like/in``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from airflow_provider_sendpulse.client.api.call import MAX_PAGE_SIZE, Call
from airflow_provider_sendpulse.client.api.read import as_dict, nothing, path_segment
from airflow_provider_sendpulse.client.codes import (
    DEAL_ACTIVE as DEAL_ACTIVE,
)
from airflow_provider_sendpulse.client.codes import (
    DEAL_DELETED as DEAL_DELETED,
)
from airflow_provider_sendpulse.client.codes import (
    DEAL_LOST as DEAL_LOST,
)
from airflow_provider_sendpulse.client.codes import (
    DEAL_WON as DEAL_WON,
)
from airflow_provider_sendpulse.client.errors import SendPulseError

CRM = "/crm/v1"

FILTER_EXPRESSIONS = ("eq", "neq", "gt", "gte", "lt", "lte", "like", "in")
CONTACT_SORT_FIELDS = ("id", "created_at", "first_name", "attributeId", "responsible_id")
DEAL_SORT_FIELDS = ("id", "name", "price", "createdAt", "updatedAt", "stepId", "status", "pipelineId")
CONTACT_DATE_FILTERS = ("from", "to", "updateFrom", "updateTo")


@dataclass(frozen=True)
class DealFilter:
    """One ``filter[]`` entry of ``POST /deals/get-list``, e.g. ``DealFilter("updatedAt", "gte", "...")``."""

    name: str
    expression: str
    value: Any

    def __post_init__(self) -> None:
        if self.expression not in FILTER_EXPRESSIONS:
            raise ValueError(
                f"deal filter on {self.name!r}: expression must be one of {', '.join(FILTER_EXPRESSIONS)}, "
                f"got {self.expression!r}"
            )

    def to_dict(self) -> dict[str, Any]:
        """The entry as the API reads it."""
        value = self.value.isoformat() if isinstance(self.value, datetime) else self.value
        return {"name": self.name, "expression": self.expression, "value": value}


def data_of(body: Any) -> Any:
    """The ``data`` of a CRM answer."""
    answer = as_dict(body)
    if "data" not in answer:
        raise SendPulseError("CRM answer has no 'data'")
    return answer["data"]


def data_object(body: Any) -> dict[str, Any]:
    """The ``data`` object of a CRM answer."""
    data = data_of(body)
    if not isinstance(data, dict):
        raise SendPulseError(f"expected an object in the CRM answer's data, got {type(data).__name__}")
    return data


def data_list(body: Any) -> list[dict[str, Any]]:
    """The ``data`` list of a CRM answer (``data.list`` for contact lists)."""
    data = data_of(body)
    if isinstance(data, dict) and isinstance(data.get("list"), list):
        data = data["list"]
    if not isinstance(data, list):
        raise SendPulseError(f"expected a list in the CRM answer's data, got {type(data).__name__}")
    return data


def _page(limit: int, offset: int) -> dict[str, int]:
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValueError(f"limit must be between 1 and {MAX_PAGE_SIZE}, got {limit}")
    if offset < 0:
        raise ValueError(f"offset must not be negative, got {offset}")
    return {"limit": limit, "offset": offset}


def _sort(field_name: str | None, direction: str, allowed: tuple[str, ...]) -> dict[str, str] | None:
    if field_name is None:
        return None
    if field_name not in allowed:
        raise ValueError(f"sort field must be one of {', '.join(allowed)}, got {field_name!r}")
    if direction not in ("asc", "desc"):
        raise ValueError(f"sort direction must be 'asc' or 'desc', got {direction!r}")
    return {"fieldName": field_name, "direction": direction}


def _day(value: str | date, name: str) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise ValueError(f"{name}: {value!r} is not a day; the CRM filters contacts by YYYY-MM-DD") from None


def _crm(path: str) -> str:
    return f"{CRM}{path}"


# --- team, pipelines --------------------------------------------------------------------------


def list_crm_users() -> Call[list[dict[str, Any]]]:
    """``GET /crm/v1/users``: confirmed team members (their ids are what ``responsibleId`` takes)."""
    return Call("GET", _crm("/users"), None, None, data_list)


def list_pipelines() -> Call[list[dict[str, Any]]]:
    """``GET /crm/v1/pipelines``: deal pipelines, each with its ``steps``."""
    return Call("GET", _crm("/pipelines"), None, None, data_list)


def list_pipeline_steps(pipeline_id: int) -> Call[list[dict[str, Any]]]:
    """``GET /crm/v1/pipelines/{id}/steps``: a pipeline's steps in order."""
    return Call("GET", _crm(f"/pipelines/{int(pipeline_id)}/steps"), None, None, data_list)


# --- contacts ---------------------------------------------------------------------------------


def list_crm_contacts(
    limit: int = MAX_PAGE_SIZE,
    offset: int = 0,
    *,
    filters: Mapping[str, Any] | None = None,
    sort_by: str | None = None,
    direction: str = "asc",
) -> Call[list[dict[str, Any]]]:
    """``POST /crm/v1/contacts/get-list``: one page of contacts.

    ``filters`` are the API's own (``from``/``to`` creation days, ``updateFrom``/``updateTo`` update days,
    ``email``, ``phone``, ``firstName``, ``lastName``, ``ids``, ``responsibleIds``, ``tagIds``); dates
    are days (a ``date``, a ``datetime`` or ``YYYY-MM-DD``). Contacts cannot be sorted by update time.
    """
    body: dict[str, Any] = {}
    for name, value in (filters or {}).items():
        if value is None:
            continue
        body[name] = _day(value, name) if name in CONTACT_DATE_FILTERS else value
    sort = _sort(sort_by, direction, CONTACT_SORT_FIELDS)
    if sort:
        body["sortBy"] = sort
    body.update(_page(limit, offset))
    return Call("POST", _crm("/contacts/get-list"), None, body, data_list)


def get_crm_contact(contact_id: int) -> Call[dict[str, Any]]:
    """``GET /crm/v1/contacts/{id}``: one contact with emails, phones, tags and attributes."""
    return Call("GET", _crm(f"/contacts/{int(contact_id)}"), None, None, data_object)


def find_crm_contacts_by_email(email: str) -> Call[list[dict[str, Any]]]:
    """``POST /crm/v1/contacts/get-list-by-email``: contacts having exactly this email."""
    body = {"email": email.strip(), "isEmailFullSearch": True}
    return Call("POST", _crm("/contacts/get-list-by-email"), None, body, data_list)


def _external_contact(body: Any) -> dict[str, Any]:
    data = data_object(body)
    inner = data.get("data")
    return dict(inner) if isinstance(inner, dict) else data


def get_crm_contact_by_external_id(external_id: str) -> Call[dict[str, Any]]:
    """``GET /crm/v1/contacts/external/{externalContactId}``: the contact with this external id."""
    return Call("GET", _crm(f"/contacts/external/{path_segment(external_id)}"), None, None, _external_contact)


def create_crm_contact(
    responsible_id: int,
    first_name: str | None = None,
    last_name: str | None = None,
    external_id: str | None = None,
) -> Call[dict[str, Any]]:
    """``POST /crm/v1/contacts/create``: a new contact (never replayed after an ambiguous failure)."""
    body: dict[str, Any] = {"responsibleId": int(responsible_id)}
    for key, value in (
        ("firstName", first_name),
        ("lastName", last_name),
        ("externalContactId", external_id),
    ):
        if value is not None:
            body[key] = value
    return Call("POST", _crm("/contacts/create"), None, body, data_object, is_create=True)


def update_crm_contact(
    contact_id: int, responsible_id: int, first_name: str | None = None, last_name: str | None = None
) -> Call[dict[str, Any]]:
    """``PUT /crm/v1/contacts/{id}``: responsible and names (``responsibleId`` is required)."""
    body: dict[str, Any] = {"responsibleId": int(responsible_id)}
    for key, value in (("firstName", first_name), ("lastName", last_name)):
        if value is not None:
            body[key] = value
    return Call("PUT", _crm(f"/contacts/{int(contact_id)}"), None, body, data_object)


def add_crm_contact_emails(contact_id: int, emails: Sequence[str], main: str | None = None) -> Call[Any]:
    """``POST /crm/v1/contacts/{id}/emails``: add email addresses (``main`` becomes the main one)."""
    items = [{"email": e, "isMain": e == main} for e in emails]
    if not items:
        raise ValueError("no email addresses given")
    path = _crm(f"/contacts/{int(contact_id)}/emails")
    return Call("POST", path, None, {"emails": items}, data_of, is_create=True)


def add_crm_contact_phone(contact_id: int, phone: str) -> Call[dict[str, Any]]:
    """``POST /crm/v1/contacts/{id}/phones``: add a phone number (international format)."""
    path = _crm(f"/contacts/{int(contact_id)}/phones")
    return Call("POST", path, None, {"phone": phone}, data_object, is_create=True)


def list_crm_contact_attributes() -> Call[list[dict[str, Any]]]:
    """``GET /crm/v1/contacts/attributes``: the contact attributes the account defines (id, name, type)."""
    return Call("GET", _crm("/contacts/attributes"), None, None, data_list)


def set_crm_contact_attributes(contact_id: int, values: Mapping[int, Any]) -> Call[Any]:
    """``POST /crm/v1/contacts/{id}/attributes/batch``: set attribute values by attribute id."""
    items = [{"attributeId": int(k), "value": str(v)} for k, v in values.items()]
    if not items:
        raise ValueError("no attribute values given")
    path = _crm(f"/contacts/{int(contact_id)}/attributes/batch")
    return Call("POST", path, None, {"attributesValues": items}, data_of)


def add_crm_contact_comment(contact_id: int, text: str) -> Call[dict[str, Any]]:
    """``POST /crm/v1/contacts/{id}/comments``: add a note to a contact."""
    path = _crm(f"/contacts/{int(contact_id)}/comments")
    return Call("POST", path, None, {"message": text}, data_object, is_create=True)


def list_contact_tags(name: str | None = None) -> Call[list[dict[str, Any]]]:
    """``GET /crm/v1/contact-tags``: the account's contact tags (id, name), ``name`` matching exactly."""
    params = None if name is None else {"name": name}
    return Call("GET", _crm("/contact-tags"), params, None, data_list)


def create_contact_tag(name: str) -> Call[dict[str, Any]]:
    """``POST /crm/v1/contact-tags``: a new contact tag (at most 64 characters; never replayed)."""
    return Call("POST", _crm("/contact-tags"), None, {"name": name}, data_object, is_create=True)


def tag_crm_contact(contact_id: int, tag_id: int) -> Call[None]:
    """``POST /crm/v1/contact-tags/{tagId}/contact/{contactId}``: put a tag on a contact (its others stay)."""
    path = _crm(f"/contact-tags/{int(tag_id)}/contact/{int(contact_id)}")
    return Call("POST", path, None, None, nothing)


# --- deals ------------------------------------------------------------------------------------


def list_deals(
    limit: int = MAX_PAGE_SIZE,
    offset: int = 0,
    *,
    filters: Sequence[DealFilter] = (),
    sort_by: str | None = None,
    direction: str = "asc",
    pipeline_ids: Sequence[int] | None = None,
    name: str | None = None,
) -> Call[list[dict[str, Any]]]:
    """``POST /crm/v1/deals/get-list``: one page of deals matching ``filter[]`` entries."""
    body: dict[str, Any] = {}
    if filters:
        body["filter"] = [f.to_dict() for f in filters]
    if pipeline_ids:
        body["pipelineIds"] = [int(p) for p in pipeline_ids]
    if name:
        body["name"] = name
    sort = _sort(sort_by, direction, DEAL_SORT_FIELDS)
    if sort:
        body["sortBy"] = sort
    body.update(_page(limit, offset))
    return Call("POST", _crm("/deals/get-list"), None, body, data_list)


def get_deal(deal_id: int) -> Call[dict[str, Any]]:
    """``GET /crm/v1/deals/{id}``: one deal with its history, notes and attributes."""
    return Call("GET", _crm(f"/deals/{int(deal_id)}"), None, None, data_object)


def create_deal(
    pipeline_id: int,
    step_id: int,
    *,
    name: str | None = None,
    price: float | None = None,
    currency: str | None = None,
    responsible_id: int | None = None,
    contact_ids: Sequence[int] | None = None,
    attributes: Mapping[int, Any] | None = None,
    source_id: int | None = None,
) -> Call[dict[str, Any]]:
    """``POST /crm/v1/deals``: a new deal in a pipeline step (never replayed after an ambiguous failure).

    ``attributes`` are values by attribute id (see :func:`list_deal_attributes`); ``source_id`` is the
    deal's integer id in an external system, which ``filter[]`` can find it by.
    """
    body: dict[str, Any] = {"pipelineId": int(pipeline_id), "stepId": int(step_id)}
    body.update(_deal_extras(name, price, currency, responsible_id, source_id))
    if contact_ids:
        body["contact"] = [int(c) for c in contact_ids]
    if attributes:
        body["attributes"] = [{"attributeId": int(k), "value": str(v)} for k, v in attributes.items()]
    return Call("POST", _crm("/deals"), None, body, data_object, is_create=True)


def _deal_extras(
    name: str | None,
    price: float | None,
    currency: str | None,
    responsible_id: int | None,
    source_id: int | None = None,
) -> dict[str, Any]:
    extras: dict[str, Any] = {}
    if name is not None:
        extras["name"] = name
    if price is not None:
        extras["price"] = price
    if currency is not None:
        extras["currency"] = currency
    if responsible_id is not None:
        extras["responsibleId"] = int(responsible_id)
    if source_id is not None:
        extras["sourceId"] = int(source_id)
    return extras


def update_deal(
    deal_id: int,
    *,
    pipeline_id: int,
    step_id: int,
    status: int,
    name: str,
    price: float,
    currency: str | None = None,
    responsible_id: int | None = None,
    source_id: int | None = None,
) -> Call[dict[str, Any]]:
    """``PUT /crm/v1/deals/{id}``: overwrite a deal (pipeline, step, status, name and price are required)."""
    if status not in (DEAL_DELETED, DEAL_ACTIVE, DEAL_LOST, DEAL_WON):
        raise ValueError(f"deal status must be 0 (deleted), 1 (active), 2 (lost) or 3 (won), got {status!r}")
    body: dict[str, Any] = {
        "pipelineId": int(pipeline_id),
        "stepId": int(step_id),
        "status": status,
        "name": name,
        "price": price,
    }
    body.update(_deal_extras(None, None, currency, responsible_id, source_id))
    return Call("PUT", _crm(f"/deals/{int(deal_id)}"), None, body, data_object)


def list_deal_attributes(pipeline_id: int) -> Call[list[dict[str, Any]]]:
    """``GET /crm/v1/pipelines/{id}/attributes``: the deal attributes a pipeline defines (id, name, type)."""
    return Call("GET", _crm(f"/pipelines/{int(pipeline_id)}/attributes"), None, None, data_list)


def list_deal_attribute_values(deal_id: int) -> Call[list[dict[str, Any]]]:
    """``GET /crm/v1/deals/{id}/attributes``: a deal's attributes with their values (``value.value``)."""
    return Call("GET", _crm(f"/deals/{int(deal_id)}/attributes"), None, None, data_list)


def add_deal_attribute(deal_id: int, attribute_id: int, value: Any) -> Call[dict[str, Any]]:
    """``POST /crm/v1/deals/{id}/attributes``: give a deal a value it does not have yet (never replayed)."""
    body = {"attributeId": int(attribute_id), "value": str(value)}
    return Call("POST", _crm(f"/deals/{int(deal_id)}/attributes"), None, body, data_object, is_create=True)


def update_deal_attribute(deal_id: int, attribute_id: int, value: Any) -> Call[dict[str, Any]]:
    """``PUT /crm/v1/deals/{id}/attributes/{attributeId}``: overwrite a deal's value of an attribute."""
    path = _crm(f"/deals/{int(deal_id)}/attributes/{int(attribute_id)}")
    return Call("PUT", path, None, {"value": str(value)}, data_object)


def change_deal_pipeline(deal_id: int, pipeline_id: int, step_id: int) -> Call[dict[str, Any]]:
    """``POST /crm/v1/deals/{id}/change-pipeline``: move a deal to a step of this or another pipeline."""
    body = {"pipelineId": int(pipeline_id), "stepId": int(step_id)}
    return Call("POST", _crm(f"/deals/{int(deal_id)}/change-pipeline"), None, body, data_object)


def list_deal_comments(deal_id: int) -> Call[list[dict[str, Any]]]:
    """``GET /crm/v1/deals/{id}/comments``: a deal's notes."""
    return Call("GET", _crm(f"/deals/{int(deal_id)}/comments"), None, None, data_list)


def add_deal_comment(deal_id: int, text: str) -> Call[dict[str, Any]]:
    """``POST /crm/v1/deals/{id}/comments``: add a note to a deal."""
    path = _crm(f"/deals/{int(deal_id)}/comments")
    return Call("POST", path, None, {"message": text}, data_object, is_create=True)


def deal_history(
    deal_id: int, from_date: str | datetime, to_date: str | datetime
) -> Call[list[dict[str, Any]]]:
    """``GET /crm/v1/deals/{id}/history``: the deal's changes between two moments (RFC 3339, inclusive)."""
    params = {"fromDate": _rfc3339(from_date), "toDate": _rfc3339(to_date)}
    return Call("GET", _crm(f"/deals/{int(deal_id)}/history"), params, None, data_list)


def _rfc3339(value: str | datetime) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def list_deal_contacts(deal_id: int) -> Call[list[dict[str, Any]]]:
    """``GET /crm/v1/deals/{id}/contacts``: the contacts linked to a deal."""
    return Call("GET", _crm(f"/deals/{int(deal_id)}/contacts"), None, None, data_list)


def link_deal_contact(deal_id: int, contact_id: int) -> Call[None]:
    """``POST /crm/v1/deals/{id}/contacts/{contactId}``: link a contact to a deal."""
    path = _crm(f"/deals/{int(deal_id)}/contacts/{int(contact_id)}")
    return Call("POST", path, None, None, nothing)
