"""CRM team, pipelines and deals: `/crm/v1/users`, `/pipelines`, `/deals`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ..crm import DEAL_DELETED, DEAL_STATUSES, CrmState, Deal, Note, crm_invalid, crm_not_found
from ..crm_params import as_int, attribute_value, parse_datetime, path_id, req_int, req_number, req_str
from ..crm_query import deal_page
from ..crm_views import (
    change_json,
    contact_json,
    deal_attribute_json,
    deal_attribute_value_json,
    deal_attribute_values_json,
    deal_detail_json,
    deal_json,
    deal_note_json,
    pipeline_json,
    step_json,
    user_json,
)
from ..params import body_args
from .crm_common import PREFIX, created, data, locked_crm, no_content

router = APIRouter(prefix=PREFIX)

MAX_NAME = 255
MAX_NOTE = 65_535


@router.get("/users")
async def users(request: Request) -> dict[str, Any]:
    """Confirmed team members."""
    with locked_crm(request) as crm:
        return data([user_json(u) for u in crm.users.values()])


@router.get("/pipelines")
async def pipelines(request: Request) -> dict[str, Any]:
    """Pipelines with their steps."""
    with locked_crm(request) as crm:
        return data([pipeline_json(p, crm.owner.id) for p in crm.pipelines.values()])


@router.get("/pipelines/{pipeline_id}")
async def pipeline(request: Request, pipeline_id: str) -> dict[str, Any]:
    """One pipeline with its steps."""
    with locked_crm(request) as crm:
        return data(pipeline_json(crm.pipeline(path_id(pipeline_id, "Pipeline")), crm.owner.id))


@router.get("/pipelines/{pipeline_id}/steps")
async def steps(request: Request, pipeline_id: str) -> dict[str, Any]:
    """A pipeline's steps, in order."""
    with locked_crm(request) as crm:
        found = crm.pipeline(path_id(pipeline_id, "Pipeline"))
        return data([step_json(s) for s in found.steps])


@router.get("/pipelines/{pipeline_id}/attributes")
async def pipeline_attributes(request: Request, pipeline_id: str) -> dict[str, Any]:
    """The deal attributes a pipeline defines, in order."""
    with locked_crm(request) as crm:
        found = crm.pipeline(path_id(pipeline_id, "Pipeline"))
        defined = sorted(
            (a for a in crm.deal_attributes.values() if a.pipeline_id == found.id), key=lambda a: a.order
        )
        return data([deal_attribute_json(crm, a.id) for a in defined])


@router.post("/deals/get-list")
async def list_deals(request: Request) -> dict[str, Any]:
    """Deals matching `filter[]`, `pipelineIds`, names and contact fields, paged by `limit`/`offset`."""
    args = await body_args(request)
    with locked_crm(request) as crm:
        page = deal_page(crm, args)
        return {"data": [deal_json(d) for d in page.items], "meta": {"total": page.total}}


def _common_fields(crm: CrmState, args: dict[str, Any]) -> dict[str, Any]:
    """Optional deal fields shared by create and update, validated."""
    fields: dict[str, Any] = {}
    if args.get("responsibleId") is not None:
        fields["responsibleId"] = crm.check_user(req_int(args, "responsibleId"))
    if args.get("currency") is not None:
        currency = req_str(args, "currency")
        if len(currency) != 3 or not currency.isalpha():
            raise crm_invalid("currency", "must be a 3-letter currency code such as USD, EUR, UAH")
        fields["currency"] = currency.upper()
    if args.get("sourceId") is not None:
        fields["sourceId"] = req_int(args, "sourceId")
    return fields


def _contact_ids(crm: CrmState, args: dict[str, Any]) -> list[int]:
    raw = args.get("contact")
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise crm_invalid("contact", "must be an array of contact ids")
    ids = [as_int(v, f"contact[{n}]", lo=1) for n, v in enumerate(raw)]
    for n, contact_id in enumerate(ids):
        if contact_id not in crm.contacts:
            raise crm_invalid(f"contact[{n}]", f"contact {contact_id} does not exist")
    return ids


@router.post("/deals")
async def create_deal(request: Request) -> dict[str, Any]:
    """Create a deal in a pipeline step; `pipelineId` and `stepId` are required."""
    args = await body_args(request)
    with locked_crm(request) as crm:
        pipeline_id = req_int(args, "pipelineId", lo=1)
        step_id = req_int(args, "stepId", lo=1)
        crm.check_step(pipeline_id, step_id)
        name = req_str(args, "name", default="", max_len=MAX_NAME)
        price = req_number(args, "price", default=0)
        fields = _common_fields(crm, args)
        contacts = _contact_ids(crm, args)
        attributes = _attribute_values(crm, pipeline_id, args.get("attributes"))
        deal = crm.create_deal(
            pipeline_id,
            step_id,
            name=name,
            price=price,
            currency=fields.get("currency", "USD"),
            responsible_id=fields.get("responsibleId"),
            source_id=fields.get("sourceId"),
            contacts=contacts,
            attributes=attributes,
        )
        return data(deal_json(deal))


def _attribute_values(crm: CrmState, pipeline_id: int, raw: Any) -> dict[int, str]:
    """`attributes` of a new deal: `[{attributeId, value}]`, each an attribute of the pipeline."""
    if raw is None:
        return {}
    if not isinstance(raw, list):
        raise crm_invalid("attributes", "must be an array of {attributeId, value}")
    values: dict[int, str] = {}
    for n, item in enumerate(raw):
        where = f"attributes[{n}]"
        if not isinstance(item, dict):
            raise crm_invalid(where, "must be an object {attributeId, value}")
        field_name = f"{where}.attributeId"
        attribute_id = crm.check_deal_attribute(
            pipeline_id, as_int(item.get("attributeId"), field_name, lo=1), field_name
        )
        values[attribute_id] = attribute_value(item.get("value"), f"{where}.value")
    return values


def _deal(crm: CrmState, deal_id: str) -> Deal:
    return crm.deal(path_id(deal_id, "Deal"))


@router.get("/deals/{deal_id}")
async def get_deal(request: Request, deal_id: str) -> dict[str, Any]:
    """A deal with its history, notes and attributes."""
    with locked_crm(request) as crm:
        return data(deal_detail_json(crm, _deal(crm, deal_id)))


@router.put("/deals/{deal_id}")
async def update_deal(request: Request, deal_id: str) -> dict[str, Any]:
    """Overwrite a deal: `pipelineId`, `status`, `stepId`, `name` and `price` are required."""
    args = await body_args(request)
    with locked_crm(request) as crm:
        deal = _deal(crm, deal_id)
        pipeline_id = req_int(args, "pipelineId", lo=1)
        status = req_int(args, "status")
        if status not in DEAL_STATUSES:
            raise crm_invalid("status", "must be 0 (deleted), 1 (active), 2 (lost) or 3 (won)")
        step_id = req_int(args, "stepId", lo=1)
        crm.check_step(pipeline_id, step_id)
        changes = {
            "pipelineId": pipeline_id,
            "status": status,
            "stepId": step_id,
            "name": req_str(args, "name", max_len=MAX_NAME),
            "price": req_number(args, "price"),
            **_common_fields(crm, args),
        }
        crm.change_deal(deal, changes, crm.owner.id)
        return data(deal_json(deal))


@router.delete("/deals/{deal_id}")
async def delete_deal(request: Request, deal_id: str) -> Response:
    """Delete a deal: it stays readable with status 0 (deleted); deleting it again changes nothing."""
    with locked_crm(request) as crm:
        crm.change_deal(_deal(crm, deal_id), {"status": DEAL_DELETED}, crm.owner.id)
        return no_content()


@router.post("/deals/{deal_id}/change-pipeline")
async def change_pipeline(request: Request, deal_id: str) -> dict[str, Any]:
    """Move a deal to a step of the same or another pipeline; both ids are required."""
    args = await body_args(request)
    with locked_crm(request) as crm:
        deal = _deal(crm, deal_id)
        pipeline_id = req_int(args, "pipelineId", lo=1)
        step_id = req_int(args, "stepId", lo=1)
        crm.check_step(pipeline_id, step_id)
        crm.change_deal(deal, {"pipelineId": pipeline_id, "stepId": step_id}, crm.owner.id)
        return data(deal_json(deal))


@router.get("/deals/{deal_id}/attributes")
async def deal_attributes(request: Request, deal_id: str) -> dict[str, Any]:
    """A deal's attribute values."""
    with locked_crm(request) as crm:
        return data(deal_attribute_values_json(crm, _deal(crm, deal_id)))


@router.post("/deals/{deal_id}/attributes")
async def add_deal_attribute(request: Request, deal_id: str) -> dict[str, Any]:
    """Give a deal a value of an attribute of its pipeline it has no value for (else 422: use PUT)."""
    args = await body_args(request)
    with locked_crm(request) as crm:
        deal = _deal(crm, deal_id)
        wanted = req_int(args, "attributeId", lo=1)
        attribute_id = crm.check_deal_attribute(deal.pipeline_id, wanted, "attributeId")
        if attribute_id in (deal.attributes or {}):
            raise crm_invalid(
                "attributeId",
                f"the deal has a value for attribute {attribute_id}; "
                f"PUT /deals/{deal.id}/attributes/{attribute_id} changes it",
            )
        value = attribute_value(args.get("value"), "value")
        crm.set_deal_attribute(deal, attribute_id, value)
        return data(deal_attribute_value_json(crm, attribute_id, value))


@router.put("/deals/{deal_id}/attributes/{attribute_id}")
async def update_deal_attribute(request: Request, deal_id: str, attribute_id: str) -> dict[str, Any]:
    """Overwrite a deal's value of an attribute (404 when the deal has no value for it)."""
    args = await body_args(request)
    with locked_crm(request) as crm:
        deal = _deal(crm, deal_id)
        wanted = path_id(attribute_id, "Attribute")
        if wanted not in (deal.attributes or {}):
            raise crm_not_found("Attribute")
        value = attribute_value(args.get("value"), "value")
        crm.set_deal_attribute(deal, wanted, value)
        return data(deal_attribute_value_json(crm, wanted, value))


@router.get("/deals/{deal_id}/comments")
async def deal_notes(request: Request, deal_id: str) -> dict[str, Any]:
    """A deal's notes, oldest first."""
    with locked_crm(request) as crm:
        return data([deal_note_json(n) for n in _deal(crm, deal_id).notes or ()])


@router.post("/deals/{deal_id}/comments")
async def add_deal_note(request: Request, deal_id: str) -> dict[str, Any]:
    """Add a note to a deal (notes do not change the deal's `updatedAt`)."""
    args = await body_args(request)
    with locked_crm(request) as crm:
        deal = _deal(crm, deal_id)
        text = req_str(args, "message", max_len=MAX_NOTE, min_len=1)
        deal.notes, note = crm.add_note(deal.notes, text, crm.owner.id)
        return data(deal_note_json(note))


def note_of(notes: list[Note] | None, raw_id: str) -> Note:
    """The note with this id among `notes`, or 404."""
    note_id = path_id(raw_id, "Comment")
    found = next((n for n in notes or () if n.id == note_id), None)
    if found is None:
        raise crm_not_found("Comment")
    return found


@router.put("/deals/{deal_id}/comments/{comment_id}")
async def edit_deal_note(request: Request, deal_id: str, comment_id: str) -> dict[str, Any]:
    """Replace a deal note's text."""
    args = await body_args(request)
    with locked_crm(request) as crm:
        note = note_of(_deal(crm, deal_id).notes, comment_id)
        note.text = req_str(args, "message", max_len=MAX_NOTE, min_len=1)
        note.updated = crm.now()
        return data(deal_note_json(note))


@router.delete("/deals/{deal_id}/comments/{comment_id}")
async def delete_deal_note(request: Request, deal_id: str, comment_id: str) -> Response:
    """Remove a deal note."""
    with locked_crm(request) as crm:
        deal = _deal(crm, deal_id)
        note = note_of(deal.notes, comment_id)
        deal.notes = [n for n in deal.notes or () if n is not note] or None
        return no_content()


@router.get("/deals/{deal_id}/history")
async def deal_history(request: Request, deal_id: str) -> dict[str, Any]:
    """History entries between the required `fromDate` and `toDate` (inclusive), oldest first."""
    args = dict(request.query_params)
    with locked_crm(request) as crm:
        deal = _deal(crm, deal_id)
        low = parse_datetime(args.get("fromDate"), "fromDate")
        high = parse_datetime(args.get("toDate"), "toDate")
        return data([change_json(c) for c in crm.deal_history(deal) if low <= c.time <= high])


@router.get("/deals/{deal_id}/contacts")
async def deal_contacts(request: Request, deal_id: str) -> dict[str, Any]:
    """The contacts linked to a deal."""
    with locked_crm(request) as crm:
        deal = _deal(crm, deal_id)
        return data([contact_json(crm, crm.contacts[c]) for c in deal.contacts or ()])


@router.post("/deals/{deal_id}/contacts/{contact_id}")
async def link_contact(request: Request, deal_id: str, contact_id: str) -> Response:
    """Link a contact to a deal (a change of the deal)."""
    with locked_crm(request) as crm:
        deal = _deal(crm, deal_id)
        contact = crm.contact(path_id(contact_id, "Contact"))
        crm.link_contact(deal, contact.id, crm.owner.id)
        return created()


@router.delete("/deals/{deal_id}/contacts/{contact_id}")
async def unlink_contact(request: Request, deal_id: str, contact_id: str) -> Response:
    """Unlink a contact from a deal."""
    with locked_crm(request) as crm:
        deal = _deal(crm, deal_id)
        if not crm.unlink_contact(deal, path_id(contact_id, "Contact"), crm.owner.id):
            raise crm_not_found("Contact")
        return no_content()
