"""CRM records as the API shows them (`Contact`, `Deal`, `DealDetailed`, `Pipeline`, ... of crm.yml)."""

from __future__ import annotations

from typing import Any

from .crm import (
    ATTRIBUTE_TYPES,
    AttributeDef,
    Change,
    Channel,
    CrmContact,
    CrmState,
    Deal,
    DealAttributeDef,
    Note,
    Pipeline,
    Step,
    TeamMember,
    format_time,
)


def user_json(user: TeamMember) -> dict[str, Any]:
    """A team member."""
    return {
        "id": user.id,
        "firstname": user.firstname,
        "lastname": user.lastname,
        "email": user.email,
        "avatar": "",
        "lang": "en",
        "timezone": 0,
        "currency": "USD",
    }


def step_json(step: Step) -> dict[str, Any]:
    """A pipeline step."""
    return {
        "id": step.id,
        "pipelineId": step.pipeline_id,
        "name": step.name,
        "order": step.order,
        "status": 1,
        "color": "#000000",
        "notifyIn": "0",
    }


def pipeline_json(pipeline: Pipeline, owner_id: int) -> dict[str, Any]:
    """A pipeline with its steps."""
    return {
        "id": pipeline.id,
        "userId": owner_id,
        "name": pipeline.name,
        "status": 1,
        "order": pipeline.order,
        "steps": [step_json(s) for s in pipeline.steps],
        "settings": [],
    }


def deal_json(deal: Deal) -> dict[str, Any]:
    """A deal as lists and writes answer it."""
    item: dict[str, Any] = {
        "id": deal.id,
        "pipelineId": deal.pipeline_id,
        "stepId": deal.step_id,
        "status": deal.status,
        "responsibleId": deal.responsible_id,
        "number": deal.number,
        "name": deal.name,
        "price": deal.price,
        "currency": deal.currency,
        "profit": 0,
        "hasExpense": False,
        "order": 0,
        "sourceType": {"id": 2, "name": "manually"},
        "createdAt": format_time(deal.created),
        "updatedAt": format_time(deal.updated),
    }
    if deal.source_id is not None:
        item["sourceId"] = deal.source_id
    return item


def change_json(change: Change) -> dict[str, Any]:
    """One deal history entry."""
    return {
        "id": change.id,
        "userId": change.user_id,
        "eventType": change.event_type,
        "eventTime": format_time(change.time),
        "eventData": change.data,
    }


def deal_note_json(note: Note) -> dict[str, Any]:
    """A deal note (`DealComment`)."""
    return {
        "id": note.id,
        "userId": note.user_id,
        "eventData": {"text": note.text},
        "status": 1,
        "eventTime": format_time(note.created),
        "createdAt": format_time(note.created),
        "updatedAt": format_time(note.updated),
        "attachments": [],
        "childCount": 0,
        "childUsers": [],
    }


def deal_detail_json(crm: CrmState, deal: Deal) -> dict[str, Any]:
    """`GET /deals/{id}`: the deal with its history, notes and attributes."""
    return {
        **deal_json(deal),
        "history": [change_json(c) for c in crm.deal_history(deal)],
        "comments": [deal_note_json(n) for n in deal.notes or ()],
        "attributes": deal_attribute_values_json(crm, deal),
    }


def _attribute_fields(definition: AttributeDef | DealAttributeDef) -> dict[str, Any]:
    """What contact and deal attribute definitions answer alike (every one active, optional, no options)."""
    return {
        "id": definition.id,
        "name": definition.name,
        "status": 1,
        "type": definition.type,
        "mandatory": False,
        "order": definition.order,
        "options": [],
    }


def deal_attribute_json(crm: CrmState, attribute_id: int) -> dict[str, Any]:
    """A deal attribute a pipeline defines (`DealAttribute`)."""
    return _attribute_fields(crm.deal_attributes[attribute_id])


def deal_attribute_value_json(crm: CrmState, attribute_id: int, value: str) -> dict[str, Any]:
    """A deal's attribute with its value (`DealAttributeValue`)."""
    return {
        **deal_attribute_json(crm, attribute_id),
        "pipelineId": crm.deal_attributes[attribute_id].pipeline_id,
        "value": {"value": value},
    }


def deal_attribute_values_json(crm: CrmState, deal: Deal) -> list[dict[str, Any]]:
    """A deal's attribute values, in the order they were first set."""
    return [deal_attribute_value_json(crm, a, v) for a, v in (deal.attributes or {}).items()]


def contact_note_json(note: Note) -> dict[str, Any]:
    """A contact note (`ContactComment`)."""
    return {
        "id": note.id,
        "userId": note.user_id,
        "text": note.text,
        "createdAt": format_time(note.created),
        "updatedAt": format_time(note.updated),
        "childCount": 0,
        "childUsers": [],
    }


def attribute_value_json(crm: CrmState, attribute_id: int, value: str) -> dict[str, Any]:
    """A contact's attribute with its value (`ContactAttributeValue`)."""
    definition = crm.attributes[attribute_id]
    return {
        **_attribute_fields(definition),
        "contactCardShow": True,
        "value": {"type": ATTRIBUTE_TYPES[definition.type], "value": value},
        "default": False,
    }


def tag_json(crm: CrmState, tag_id: int, contact_count: int | None = None) -> dict[str, Any]:
    """A contact tag."""
    tag = crm.tags[tag_id]
    item: dict[str, Any] = {
        "id": tag.id,
        "name": tag.name,
        "colorText": "#000000",
        "colorBackground": "#ffffff",
    }
    if contact_count is not None:
        item["contactCount"] = contact_count
    return item


def channel_json(channel: Channel, key: str) -> dict[str, Any]:
    """An email (`key` "email") or a phone (`key` "phone") of a contact."""
    return {"id": channel.id, key: channel.value, "isMain": channel.is_main}


def contact_json(crm: CrmState, contact: CrmContact) -> dict[str, Any]:
    """A contact with its emails, phones, tags, attributes and notes."""
    item: dict[str, Any] = {
        "id": contact.id,
        "userId": crm.owner.id,
        "sourceType": "manually",
        "responsibleId": contact.responsible_id,
        "firstName": contact.first_name,
        "lastName": contact.last_name,
        "dealsQty": crm.deal_counts.get(contact.id, 0),
        "comments": [contact_note_json(n) for n in contact.notes or ()],
        "tags": [tag_json(crm, t) for t in contact.tags or ()],
        "phones": [channel_json(p, "phone") for p in contact.phones or ()],
        "emails": [channel_json(e, "email") for e in contact.emails or ()],
        "messengers": [],
        "attributes": [attribute_value_json(crm, a, v) for a, v in (contact.attributes or {}).items()],
        "tasks": [],
        "createdAt": format_time(contact.created),
        "updatedAt": format_time(contact.updated),
    }
    if contact.external_id is not None:
        item["externalContactId"] = contact.external_id
    return item
