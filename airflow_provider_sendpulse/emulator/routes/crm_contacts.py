"""CRM contacts: `/crm/v1/contacts` with emails, phones, attributes, notes and tags."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..crm import ATTRIBUTE_TYPES, Channel, CrmContact, CrmState, crm_invalid, crm_not_found
from ..crm_params import attribute_value, email_value, path_id, req_int, req_str
from ..crm_query import contact_page
from ..crm_views import (
    attribute_value_json,
    channel_json,
    contact_json,
    contact_note_json,
    deal_json,
    tag_json,
)
from ..params import body_args
from .crm_common import PREFIX, created, data, locked_crm, no_content
from .crm_deals import MAX_NOTE, note_of

router = APIRouter(prefix=PREFIX)

MAX_NAME = 255
MAX_TAG = 64


def _attribute_json(crm: CrmState, attribute_id: int) -> dict[str, Any]:
    definition = crm.attributes[attribute_id]
    return {
        "id": definition.id,
        "name": definition.name,
        "status": 1,
        "order": definition.order,
        "options": [],
    }


# Routes with a fixed second segment come before `/contacts/{contact_id}`.


@router.post("/contacts/get-list")
async def list_contacts(request: Request) -> dict[str, Any]:
    """Contacts matching the filters, paged by `limit` (1..100) and `offset`."""
    args = await body_args(request)
    with locked_crm(request) as crm:
        page = contact_page(crm, args)
        return data({"list": [contact_json(crm, c) for c in page.items], "total": page.total})


@router.post("/contacts/get-list-by-email")
async def list_by_email(request: Request) -> dict[str, Any]:
    """Contacts with this email (exactly, or containing it unless `isEmailFullSearch` is true)."""
    args = await body_args(request)
    with locked_crm(request) as crm:
        needle = req_str(args, "email", min_len=1).strip().lower()
        full = args.get("isEmailFullSearch", True)
        if not isinstance(full, bool):
            raise crm_invalid("isEmailFullSearch", "must be true or false")
        found = [
            c
            for c in crm.contacts.values()
            if any(
                (e.value.lower() == needle) if full else (needle in e.value.lower()) for e in c.emails or ()
            )
        ]
        return data({"list": [contact_json(crm, c) for c in found], "total": len(found)})


def _person_fields(crm: CrmState, args: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {"responsibleId": crm.check_user(req_int(args, "responsibleId"))}
    for name in ("firstName", "lastName"):
        if args.get(name) is not None:
            fields[name] = req_str(args, name, max_len=MAX_NAME)
    return fields


@router.post("/contacts/create")
async def create_contact(request: Request) -> dict[str, Any]:
    """Create a contact; `responsibleId` (a team member) is required."""
    args = await body_args(request)
    with locked_crm(request) as crm:
        fields = _person_fields(crm, args)
        external = req_str(args, "externalContactId", default=None, max_len=MAX_NAME)
        if external and external in crm.external_ids:
            raise crm_invalid("externalContactId", "is already used by another contact")
        contact = crm.create_contact(
            fields["responsibleId"], fields.get("firstName", ""), fields.get("lastName", ""), external or None
        )
        return data(contact_json(crm, contact))


@router.get("/contacts/attributes")
async def attributes(request: Request) -> dict[str, Any]:
    """The account's contact attributes."""
    with locked_crm(request) as crm:
        return data([_attribute_json(crm, a) for a in crm.attributes])


@router.post("/contacts/attributes")
async def create_attribute(request: Request) -> dict[str, Any]:
    """Define a contact attribute (`type` 0 text .. 5 multiSelect, default 0)."""
    args = await body_args(request)
    with locked_crm(request) as crm:
        name = req_str(args, "name", min_len=1, max_len=MAX_NAME)
        type_ = req_int(args, "type", default=0, lo=0, hi=max(ATTRIBUTE_TYPES))
        if any(a.name == name for a in crm.attributes.values()):
            raise crm_invalid("name", "an attribute with this name exists")
        return data(_attribute_json(crm, crm.add_attribute(name, type_).id))


@router.get("/contacts/external/{external_id}")
async def by_external_id(request: Request, external_id: str) -> dict[str, Any]:
    """The contact with this `externalContactId` (answered as `data.data`, as documented)."""
    with locked_crm(request) as crm:
        contact_id = crm.external_ids.get(external_id)
        if contact_id is None:
            raise crm_not_found("Contact")
        return data({"data": contact_json(crm, crm.contacts[contact_id])})


def _contact(crm: CrmState, raw_id: str) -> CrmContact:
    return crm.contact(path_id(raw_id, "Contact"))


@router.get("/contacts/{contact_id}")
async def get_contact(request: Request, contact_id: str) -> dict[str, Any]:
    """One contact."""
    with locked_crm(request) as crm:
        return data(contact_json(crm, _contact(crm, contact_id)))


@router.put("/contacts/{contact_id}")
async def update_contact(request: Request, contact_id: str) -> dict[str, Any]:
    """Update a contact's responsible and names; `responsibleId` is required."""
    args = await body_args(request)
    with locked_crm(request) as crm:
        contact = _contact(crm, contact_id)
        crm.update_contact(contact, _person_fields(crm, args))
        return data(contact_json(crm, contact))


@router.delete("/contacts/{contact_id}")
async def delete_contact(request: Request, contact_id: str) -> Response:
    """Delete a contact (its deals lose the link)."""
    with locked_crm(request) as crm:
        crm.delete_contact(_contact(crm, contact_id))
        return no_content()


@router.get("/contacts/{contact_id}/deals")
async def contact_deals(request: Request, contact_id: str) -> dict[str, Any]:
    """The deals a contact is linked to."""
    with locked_crm(request) as crm:
        contact = _contact(crm, contact_id)
        if not crm.deal_counts.get(contact.id):
            return data([])
        return data([deal_json(d) for d in crm.deals.values() if d.contacts and contact.id in d.contacts])


@router.post("/contacts/{contact_id}/comments")
async def add_note(request: Request, contact_id: str) -> dict[str, Any]:
    """Add a note to a contact (notes do not change the contact's `updatedAt`)."""
    args = await body_args(request)
    with locked_crm(request) as crm:
        contact = _contact(crm, contact_id)
        text = req_str(args, "message", min_len=1, max_len=MAX_NOTE)
        contact.notes, note = crm.add_note(contact.notes, text, crm.owner.id)
        return data(contact_note_json(note))


@router.put("/contacts/{contact_id}/comments/{comment_id}")
async def edit_note(request: Request, contact_id: str, comment_id: str) -> dict[str, Any]:
    """Replace a contact note's text."""
    args = await body_args(request)
    with locked_crm(request) as crm:
        note = note_of(_contact(crm, contact_id).notes, comment_id)
        note.text = req_str(args, "message", min_len=1, max_len=MAX_NOTE)
        note.updated = crm.now()
        return data(contact_note_json(note))


@router.delete("/contacts/{contact_id}/comments/{comment_id}")
async def delete_note(request: Request, contact_id: str, comment_id: str) -> Response:
    """Remove a contact note."""
    with locked_crm(request) as crm:
        contact = _contact(crm, contact_id)
        note = note_of(contact.notes, comment_id)
        contact.notes = [n for n in contact.notes or () if n is not note] or None
        return no_content()


def _phone(args: dict[str, Any]) -> str:
    phone = str(req_str(args, "phone", min_len=1, max_len=50)).strip()
    digits = phone.lstrip("+").replace(" ", "").replace("-", "").replace("(", "").replace(")", "")
    if not digits.isdigit() or not 7 <= len(digits) <= 15:
        raise crm_invalid("phone", "must be a phone number in international format (7 to 15 digits)")
    return digits


#: Contact fields holding emails and phones, and the key of their value in answers.
_CHANNELS = {"Phone": ("phones", "phone"), "Email": ("emails", "email")}


def _channel(channels: list[Channel] | None, raw_id: str, kind: str) -> Channel:
    channel_id = path_id(raw_id, kind)
    found = next((c for c in channels or () if c.id == channel_id), None)
    if found is None:
        raise crm_not_found(kind)
    return found


def _replace_channel(
    crm: CrmState, contact_id: str, raw_id: str, kind: str, new_value: Callable[[], str]
) -> dict[str, Any]:
    """Replace an email or phone (`new_value` validates the body once the records are found)."""
    contact = _contact(crm, contact_id)
    attr, key = _CHANNELS[kind]
    channel = _channel(getattr(contact, attr), raw_id, kind)
    channel.value = new_value()
    crm.touch_contact(contact)
    return data(channel_json(channel, key))


def _remove_channel(crm: CrmState, contact_id: str, raw_id: str, kind: str) -> Response:
    contact = _contact(crm, contact_id)
    attr, _ = _CHANNELS[kind]
    channel = _channel(getattr(contact, attr), raw_id, kind)
    setattr(contact, attr, [c for c in getattr(contact, attr) if c is not channel] or None)
    crm.touch_contact(contact)
    return no_content()


@router.post("/contacts/{contact_id}/phones")
async def add_phone(request: Request, contact_id: str) -> dict[str, Any]:
    """Add a phone number; the first one is the main one."""
    args = await body_args(request)
    with locked_crm(request) as crm:
        contact = _contact(crm, contact_id)
        phone = Channel(crm.new_id("channel"), _phone(args), not contact.phones)
        contact.phones = [*(contact.phones or ()), phone]
        crm.touch_contact(contact)
        return data(channel_json(phone, "phone"))


@router.put("/contacts/{contact_id}/phones/{phone_id}")
async def edit_phone(request: Request, contact_id: str, phone_id: str) -> dict[str, Any]:
    """Replace a phone number."""
    args = await body_args(request)
    with locked_crm(request) as crm:
        return _replace_channel(crm, contact_id, phone_id, "Phone", lambda: _phone(args))


@router.delete("/contacts/{contact_id}/phones/{phone_id}")
async def delete_phone(request: Request, contact_id: str, phone_id: str) -> Response:
    """Remove a phone number."""
    with locked_crm(request) as crm:
        return _remove_channel(crm, contact_id, phone_id, "Phone")


@router.post("/contacts/{contact_id}/emails")
async def add_emails(request: Request, contact_id: str) -> dict[str, Any]:
    """Add email addresses `{"emails": [{"email", "isMain"}]}`; answers the contact's emails."""
    args = await body_args(request)
    with locked_crm(request) as crm:
        contact = _contact(crm, contact_id)
        items = args.get("emails")
        if not isinstance(items, list) or not items:
            raise crm_invalid("emails", "must be a non-empty array of {email, isMain}")
        added: list[tuple[str, bool]] = []
        for n, item in enumerate(items):
            if not isinstance(item, dict):
                raise crm_invalid(f"emails[{n}]", "must be an object {email, isMain}")
            is_main = item.get("isMain", False)
            if not isinstance(is_main, bool):
                raise crm_invalid(f"emails[{n}].isMain", "must be true or false")
            added.append((email_value(item.get("email"), f"emails[{n}].email", 50), is_main))
        emails = list(contact.emails or ())
        for address, is_main in added:
            if is_main:
                for existing in emails:
                    existing.is_main = False
            emails.append(Channel(crm.new_id("channel"), address, is_main or not emails))
        contact.emails = emails
        crm.touch_contact(contact)
        return data([channel_json(e, "email") for e in emails])


@router.put("/contacts/{contact_id}/emails/{email_id}")
async def edit_email(request: Request, contact_id: str, email_id: str) -> dict[str, Any]:
    """Replace an email address."""
    args = await body_args(request)
    with locked_crm(request) as crm:
        return _replace_channel(
            crm, contact_id, email_id, "Email", lambda: email_value(args.get("email"), "email", 128)
        )


@router.delete("/contacts/{contact_id}/emails/{email_id}")
async def delete_email(request: Request, contact_id: str, email_id: str) -> Response:
    """Remove an email address."""
    with locked_crm(request) as crm:
        return _remove_channel(crm, contact_id, email_id, "Email")


def _attribute_id(crm: CrmState, value: Any, name: str) -> int:
    attribute_id = req_int({name: value}, name)
    if attribute_id not in crm.attributes:
        raise crm_invalid(name, f"attribute {attribute_id} does not exist (GET /contacts/attributes)")
    return int(attribute_id)


def _set_attributes(crm: CrmState, contact: CrmContact, values: dict[int, str]) -> None:
    current = contact.attributes or {}
    if any(current.get(k) != v for k, v in values.items()):
        contact.attributes = {**current, **values}
        crm.touch_contact(contact)


@router.get("/contacts/{contact_id}/attributes")
async def contact_attributes(request: Request, contact_id: str) -> dict[str, Any]:
    """A contact's attribute values."""
    with locked_crm(request) as crm:
        contact = _contact(crm, contact_id)
        return data([attribute_value_json(crm, a, v) for a, v in (contact.attributes or {}).items()])


@router.post("/contacts/{contact_id}/attributes")
async def set_attribute(request: Request, contact_id: str) -> dict[str, Any]:
    """Set one attribute value `{"attributeId", "value"}`."""
    args = await body_args(request)
    with locked_crm(request) as crm:
        contact = _contact(crm, contact_id)
        attribute_id = _attribute_id(crm, args.get("attributeId"), "attributeId")
        value = attribute_value(args.get("value"), "value")
        _set_attributes(crm, contact, {attribute_id: value})
        return data(attribute_value_json(crm, attribute_id, value))


@router.post("/contacts/{contact_id}/attributes/batch")
async def set_attributes(request: Request, contact_id: str) -> JSONResponse:
    """Set several attribute values `{"attributesValues": [{"attributeId", "value"}]}` at once (HTTP 201)."""
    args = await body_args(request)
    with locked_crm(request) as crm:
        contact = _contact(crm, contact_id)
        items = args.get("attributesValues")
        if not isinstance(items, list) or not items:
            raise crm_invalid("attributesValues", "must be a non-empty array of {attributeId, value}")
        values: dict[int, str] = {}
        for n, item in enumerate(items):
            if not isinstance(item, dict):
                raise crm_invalid(f"attributesValues[{n}]", "must be an object {attributeId, value}")
            attribute_id = _attribute_id(crm, item.get("attributeId"), f"attributesValues[{n}].attributeId")
            values[attribute_id] = attribute_value(item.get("value"), f"attributesValues[{n}].value")
        _set_attributes(crm, contact, values)
        stored = [{"attributeId": k, "value": v} for k, v in values.items()]
        return JSONResponse(data(stored), status_code=201)


@router.put("/contacts/{contact_id}/attributes/{attribute_id}")
async def edit_attribute(request: Request, contact_id: str, attribute_id: str) -> dict[str, Any]:
    """Replace one attribute value."""
    args = await body_args(request)
    with locked_crm(request) as crm:
        contact = _contact(crm, contact_id)
        found = path_id(attribute_id, "Attribute")
        if found not in (contact.attributes or {}):
            raise crm_not_found("Attribute")
        value = attribute_value(args.get("value"), "value")
        _set_attributes(crm, contact, {found: value})
        return data(attribute_value_json(crm, found, value))


@router.delete("/contacts/{contact_id}/attributes/{attribute_id}")
async def delete_attribute(request: Request, contact_id: str, attribute_id: str) -> Response:
    """Remove one attribute value."""
    with locked_crm(request) as crm:
        contact = _contact(crm, contact_id)
        found = path_id(attribute_id, "Attribute")
        if found not in (contact.attributes or {}):
            raise crm_not_found("Attribute")
        contact.attributes = {k: v for k, v in (contact.attributes or {}).items() if k != found} or None
        crm.touch_contact(contact)
        return no_content()


def _tag_counts(crm: CrmState) -> dict[int, int]:
    counts: dict[int, int] = dict.fromkeys(crm.tags, 0)
    for contact in crm.contacts.values():
        for tag_id in contact.tags or ():
            counts[tag_id] += 1
    return counts


@router.get("/contact-tags")
async def tags(request: Request, name: str | None = None, search: str | None = None) -> dict[str, Any]:
    """Contact tags with their contact counts; `name` matches exactly, `search` partly."""
    with locked_crm(request) as crm:
        counts = _tag_counts(crm)
        found = [
            tag_json(crm, t.id, counts[t.id])
            for t in crm.tags.values()
            if (name is None or t.name == name) and (search is None or search.lower() in t.name.lower())
        ]
        return data(found)


@router.post("/contact-tags")
async def create_tag(request: Request) -> dict[str, Any]:
    """Create a tag (a taken name answers the existing tag)."""
    args = await body_args(request)
    with locked_crm(request) as crm:
        tag = crm.add_tag(req_str(args, "name", min_len=1, max_len=MAX_TAG).strip())
        return data(tag_json(crm, tag.id))


@router.post("/contact-tags/{tag_id}/contact/{contact_id}")
async def tag_contact(request: Request, tag_id: str, contact_id: str) -> Response:
    """Put a tag on a contact (a change of the contact)."""
    with locked_crm(request) as crm:
        tag = path_id(tag_id, "Tag")
        if tag not in crm.tags:
            raise crm_not_found("Tag")
        contact = _contact(crm, contact_id)
        if tag not in (contact.tags or ()):
            contact.tags = [*(contact.tags or ()), tag]
            crm.touch_contact(contact)
        return created()


@router.delete("/contact-tags/{tag_id}/contact/{contact_id}")
async def untag_contact(request: Request, tag_id: str, contact_id: str) -> Response:
    """Take a tag off a contact."""
    with locked_crm(request) as crm:
        contact = _contact(crm, contact_id)
        tag = path_id(tag_id, "Tag")
        if tag not in (contact.tags or ()):
            raise crm_not_found("Tag")
        contact.tags = [t for t in contact.tags or () if t != tag] or None
        crm.touch_contact(contact)
        return no_content()
