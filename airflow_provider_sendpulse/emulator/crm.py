"""The emulated CRM (`/crm/v1`): team members, pipelines with steps, contacts, deals, notes and deal history.

Times are whole epoch seconds on the emulator clock, so a filter value and the `createdAt` / `updatedAt`
an answer shows always agree. Records use slotted dataclasses and create their lists only when needed, so
100,000 deals or contacts stay small (see `benchmarks/emulator_crm_capacity.py`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .errors import ApiError

#: Deal statuses: 0 deleted, 1 active, 2 lost ("unsuccessful"), 3 won ("successful").
DEAL_DELETED, DEAL_ACTIVE, DEAL_LOST, DEAL_WON = 0, 1, 2, 3
DEAL_STATUSES = (DEAL_DELETED, DEAL_ACTIVE, DEAL_LOST, DEAL_WON)

#: Deal fields a change may touch, as the API names them.
DEAL_FIELDS = ("pipelineId", "stepId", "status", "responsibleId", "name", "price", "currency", "sourceId")
#: Contact fields a change may touch, as the API names them.
CONTACT_FIELDS = ("responsibleId", "firstName", "lastName", "externalContactId")

#: Contact attribute types (`type` of `/contacts/attributes`).
ATTRIBUTE_TYPES = {0: "text", 1: "number", 2: "date", 3: "link", 4: "select", 5: "multiSelect"}


class CrmError(ApiError):
    """An answer in the CRM's `{"data": {"code", "message"}}` envelope, with `errors` per field on 422."""

    def __init__(self, status: int, message: str, field_name: str | None = None) -> None:
        super().__init__(status, message)
        self.field_name = field_name

    def body(self) -> dict[str, Any]:
        """The JSON body the CRM sends for this error."""
        data: dict[str, Any] = {"code": self.status, "message": self.message}
        if self.field_name is not None:
            data["errors"] = {self.field_name: [self.message]}
        return {"data": data}


def crm_invalid(field_name: str, message: str) -> CrmError:
    """HTTP 422 for one bad field; the message names the field and what is allowed."""
    return CrmError(422, f"{field_name}: {message}", field_name)


def crm_not_found(kind: str) -> CrmError:
    """HTTP 404 for an unknown record (`kind` is "Deal", "Contact", ...)."""
    return CrmError(404, f"{kind} not found")


def format_time(ts: int) -> str:
    """Epoch seconds as the CRM writes date-times (RFC 3339, UTC offset)."""
    return datetime.fromtimestamp(ts, UTC).isoformat()


@dataclass(slots=True)
class TeamMember:
    """A confirmed user of the account (`GET /users`); deals and contacts are assigned to them."""

    id: int
    firstname: str
    lastname: str
    email: str


@dataclass(slots=True)
class Step:
    """A stage of a pipeline."""

    id: int
    pipeline_id: int
    name: str
    order: int


@dataclass(slots=True)
class Pipeline:
    """A deal pipeline with its ordered steps."""

    id: int
    name: str
    order: int
    steps: list[Step]


@dataclass(slots=True)
class Note:
    """A note ("comment") on a deal or a contact."""

    id: int
    user_id: int
    text: str
    created: int
    updated: int


@dataclass(slots=True)
class Change:
    """One entry of a deal's history: what changed, when and by whom."""

    id: int
    user_id: int
    time: int
    event_type: str
    data: list[dict[str, Any]]


@dataclass(slots=True)
class Channel:
    """An email address or a phone number of a contact."""

    id: int
    value: str
    is_main: bool


@dataclass(slots=True)
class Tag:
    """A contact tag."""

    id: int
    name: str


@dataclass(slots=True)
class AttributeDef:
    """A contact attribute the account defines (`/contacts/attributes`)."""

    id: int
    name: str
    type: int
    order: int


@dataclass(slots=True)
class DealAttributeDef:
    """A deal attribute a pipeline defines (`/pipelines/{id}/attributes`); deals of it hold values."""

    id: int
    pipeline_id: int
    name: str
    type: int
    order: int


@dataclass(slots=True)
class CrmContact:
    """A CRM contact; collections are None until first used."""

    id: int
    responsible_id: int
    first_name: str
    last_name: str
    external_id: str | None
    created: int
    updated: int
    emails: list[Channel] | None = None
    phones: list[Channel] | None = None
    tags: list[int] | None = None
    attributes: dict[int, str] | None = None
    notes: list[Note] | None = None

    def fields(self) -> dict[str, Any]:
        """The changeable fields under their API names."""
        return {
            "responsibleId": self.responsible_id,
            "firstName": self.first_name,
            "lastName": self.last_name,
            "externalContactId": self.external_id,
        }


@dataclass(slots=True)
class Deal:
    """A CRM deal; `closed` is when it was last won or lost; collections are None until first used."""

    id: int
    number: int
    pipeline_id: int
    step_id: int
    status: int
    responsible_id: int
    name: str
    price: float
    currency: str
    source_id: int | None
    created: int
    updated: int
    created_by: int
    closed: int | None = None
    contacts: list[int] | None = None
    notes: list[Note] | None = None
    history: list[Change] | None = None
    attributes: dict[int, str] | None = None

    def fields(self) -> dict[str, Any]:
        """The changeable fields under their API names."""
        return {
            "pipelineId": self.pipeline_id,
            "stepId": self.step_id,
            "status": self.status,
            "responsibleId": self.responsible_id,
            "name": self.name,
            "price": self.price,
            "currency": self.currency,
            "sourceId": self.source_id,
        }


_SETTERS = {
    "pipelineId": "pipeline_id",
    "stepId": "step_id",
    "status": "status",
    "responsibleId": "responsible_id",
    "name": "name",
    "price": "price",
    "currency": "currency",
    "sourceId": "source_id",
    "firstName": "first_name",
    "lastName": "last_name",
    "externalContactId": "external_id",
}


def _history_groups(changed: set[str]) -> list[tuple[str, tuple[str, ...]]]:
    """Group changed deal fields into history events: a move, a status change, other edits."""
    groups: list[tuple[str, tuple[str, ...]]] = []
    if "pipelineId" in changed:
        groups.append(("pipeline_changed", ("pipelineId", "stepId")))
    elif "stepId" in changed:
        groups.append(("step_changed", ("stepId",)))
    if "status" in changed:
        groups.append(("status_changed", ("status",)))
    rest = tuple(f for f in DEAL_FIELDS if f in changed and f not in ("pipelineId", "stepId", "status"))
    if rest:
        groups.append(("updated", rest))
    return groups


class CrmState:
    """The CRM of one account. Callers hold the emulator state's lock."""

    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now
        self.users: dict[int, TeamMember] = {}
        self.pipelines: dict[int, Pipeline] = {}
        self.steps: dict[int, Step] = {}
        self.contacts: dict[int, CrmContact] = {}
        self.deals: dict[int, Deal] = {}
        self.tags: dict[int, Tag] = {}
        self.attributes: dict[int, AttributeDef] = {}
        self.deal_attributes: dict[int, DealAttributeDef] = {}
        self.deal_counts: dict[int, int] = {}
        self.external_ids: dict[str, int] = {}
        self._ids = {
            kind: itertools.count(start)
            for kind, start in (
                ("user", 7_000_001),
                ("pipeline", 7_100_001),
                ("step", 7_200_001),
                ("contact", 20_000_001),
                ("deal", 30_000_001),
                ("note", 40_000_001),
                ("change", 50_000_001),
                ("channel", 60_000_001),
                ("tag", 70_000_001),
                ("attribute", 80_000_001),
                ("deal_attribute", 90_000_001),
            )
        }
        self._deal_number = itertools.count(1)
        self.owner = self.add_user("Account", "Owner", "owner@example.com")

    def now(self) -> int:
        """Emulator time in whole seconds."""
        return int(self._now())

    def new_id(self, kind: str) -> int:
        """The next id of a kind of record."""
        return next(self._ids[kind])

    # team and pipelines --------------------------------------------------------------------------

    def add_user(self, firstname: str, lastname: str, email: str) -> TeamMember:
        """Add a confirmed team member."""
        user = TeamMember(self.new_id("user"), firstname, lastname, email)
        self.users[user.id] = user
        return user

    def add_pipeline(self, name: str, step_names: list[str]) -> Pipeline:
        """Add a pipeline with its steps, in order."""
        pipeline = Pipeline(self.new_id("pipeline"), name, len(self.pipelines) + 1, [])
        for order, step_name in enumerate(step_names, start=1):
            step = Step(self.new_id("step"), pipeline.id, step_name, order)
            pipeline.steps.append(step)
            self.steps[step.id] = step
        self.pipelines[pipeline.id] = pipeline
        return pipeline

    def add_tag(self, name: str) -> Tag:
        """The tag with this name, created when new."""
        found = next((t for t in self.tags.values() if t.name == name), None)
        if found is not None:
            return found
        tag = Tag(self.new_id("tag"), name)
        self.tags[tag.id] = tag
        return tag

    def add_attribute(self, name: str, type_: int = 0) -> AttributeDef:
        """The contact attribute with this name, created when new."""
        found = next((a for a in self.attributes.values() if a.name == name), None)
        if found is not None:
            return found
        attribute = AttributeDef(self.new_id("attribute"), name, type_, len(self.attributes) + 1)
        self.attributes[attribute.id] = attribute
        return attribute

    def add_deal_attribute(self, pipeline_id: int, name: str, type_: int = 0) -> DealAttributeDef:
        """The pipeline's deal attribute with this name, created when new."""
        self.pipeline(pipeline_id)
        same = (a for a in self.deal_attributes.values() if a.pipeline_id == pipeline_id and a.name == name)
        found = next(same, None)
        if found is not None:
            return found
        order = sum(a.pipeline_id == pipeline_id for a in self.deal_attributes.values()) + 1
        attribute = DealAttributeDef(self.new_id("deal_attribute"), pipeline_id, name, type_, order)
        self.deal_attributes[attribute.id] = attribute
        return attribute

    # lookups that answer the CRM's 404 / 422 -----------------------------------------------------

    def deal(self, deal_id: int) -> Deal:
        """The deal with this id, or 404."""
        found = self.deals.get(deal_id)
        if found is None:
            raise crm_not_found("Deal")
        return found

    def contact(self, contact_id: int) -> CrmContact:
        """The contact with this id, or 404."""
        found = self.contacts.get(contact_id)
        if found is None:
            raise crm_not_found("Contact")
        return found

    def pipeline(self, pipeline_id: int) -> Pipeline:
        """The pipeline with this id, or 404."""
        found = self.pipelines.get(pipeline_id)
        if found is None:
            raise crm_not_found("Pipeline")
        return found

    def check_user(self, user_id: int, field_name: str = "responsibleId") -> int:
        """`user_id` when it is a team member, else 422 naming the field."""
        if user_id not in self.users:
            raise crm_invalid(field_name, f"{user_id} is not a team member (GET /users lists them)")
        return user_id

    def check_step(self, pipeline_id: int, step_id: int) -> None:
        """422 unless the pipeline exists and the step belongs to it."""
        if pipeline_id not in self.pipelines:
            raise crm_invalid("pipelineId", f"pipeline {pipeline_id} does not exist (GET /pipelines)")
        step = self.steps.get(step_id)
        if step is None or step.pipeline_id != pipeline_id:
            raise crm_invalid("stepId", f"step {step_id} is not a step of pipeline {pipeline_id}")

    # contacts ------------------------------------------------------------------------------------

    def create_contact(
        self,
        responsible_id: int,
        first_name: str = "",
        last_name: str = "",
        external_id: str | None = None,
        *,
        emails: list[str] | None = None,
        phones: list[str] | None = None,
        tags: list[str] | None = None,
        created: int | None = None,
    ) -> CrmContact:
        """Create a contact (emails, phones and tags are for seeding; the API adds them with own calls)."""
        now = self.now() if created is None else created
        contact = CrmContact(
            self.new_id("contact"), responsible_id, first_name, last_name, external_id, now, now
        )
        if emails:
            contact.emails = [Channel(self.new_id("channel"), e, n == 0) for n, e in enumerate(emails)]
        if phones:
            contact.phones = [Channel(self.new_id("channel"), p, n == 0) for n, p in enumerate(phones)]
        if tags:
            contact.tags = [self.add_tag(name).id for name in tags]
        self.contacts[contact.id] = contact
        if external_id:
            self.external_ids[external_id] = contact.id
        return contact

    def update_contact(self, contact: CrmContact, changes: dict[str, Any]) -> bool:
        """Apply field changes; bumps `updatedAt` when anything changed. True when something did."""
        current = contact.fields()
        changed = {k: v for k, v in changes.items() if k in CONTACT_FIELDS and current[k] != v}
        if not changed:
            return False
        if "externalContactId" in changed:
            if contact.external_id:
                self.external_ids.pop(contact.external_id, None)
            if changed["externalContactId"]:
                self.external_ids[changed["externalContactId"]] = contact.id
        for name, value in changed.items():
            setattr(contact, _SETTERS[name], value)
        self.touch_contact(contact)
        return True

    def touch_contact(self, contact: CrmContact) -> None:
        """Record that the contact card changed now."""
        contact.updated = self.now()

    def delete_contact(self, contact: CrmContact) -> None:
        """Remove a contact and unlink it from its deals."""
        del self.contacts[contact.id]
        if contact.external_id:
            self.external_ids.pop(contact.external_id, None)
        if self.deal_counts.pop(contact.id, 0):
            for deal in self.deals.values():
                if deal.contacts and contact.id in deal.contacts:
                    self.unlink_contact(deal, contact.id, self.owner.id)

    # deals ---------------------------------------------------------------------------------------

    def create_deal(
        self,
        pipeline_id: int,
        step_id: int,
        *,
        name: str = "",
        price: float = 0,
        currency: str = "USD",
        responsible_id: int | None = None,
        source_id: int | None = None,
        contacts: list[int] | None = None,
        attributes: dict[int, str] | None = None,
        user_id: int | None = None,
        created: int | None = None,
    ) -> Deal:
        """Create an active deal; the caller has checked pipeline, step, responsible and contacts."""
        now = self.now() if created is None else created
        author = self.owner.id if user_id is None else user_id
        deal = Deal(
            id=self.new_id("deal"),
            number=next(self._deal_number),
            pipeline_id=pipeline_id,
            step_id=step_id,
            status=DEAL_ACTIVE,
            responsible_id=self.owner.id if responsible_id is None else responsible_id,
            name=name,
            price=price,
            currency=currency,
            source_id=source_id,
            created=now,
            updated=now,
            created_by=author,
            attributes=dict(attributes) if attributes else None,
        )
        self.deals[deal.id] = deal
        for contact_id in contacts or ():
            if contact_id not in (deal.contacts or ()):
                deal.contacts = [*(deal.contacts or ()), contact_id]
                self.deal_counts[contact_id] = self.deal_counts.get(contact_id, 0) + 1
        return deal

    def change_deal(self, deal: Deal, changes: dict[str, Any], user_id: int) -> bool:
        """Apply field changes as `user_id`: bumps `updatedAt` and records history. True when changed.

        Setting the values a deal already has changes nothing (no new `updatedAt`, no history entry).
        """
        current = deal.fields()
        changed = {k: v for k, v in changes.items() if k in DEAL_FIELDS and current[k] != v}
        if not changed:
            return False
        now = self.now()
        for event_type, names in _history_groups(set(changed)):
            data = [
                {"field": n, "oldValue": current[n], "newValue": changed.get(n, current[n])} for n in names
            ]
            self._record(deal, user_id, now, event_type, data)
        for name, value in changed.items():
            setattr(deal, _SETTERS[name], value)
        if changed.get("status") in (DEAL_WON, DEAL_LOST):
            deal.closed = now
        deal.updated = now
        return True

    def check_deal_attribute(self, pipeline_id: int, attribute_id: int, field_name: str) -> int:
        """`attribute_id` when the pipeline defines it, else 422 naming the field."""
        found = self.deal_attributes.get(attribute_id)
        if found is None or found.pipeline_id != pipeline_id:
            raise crm_invalid(
                field_name,
                f"attribute {attribute_id} is not a deal attribute of pipeline {pipeline_id} "
                f"(GET /pipelines/{pipeline_id}/attributes)",
            )
        return attribute_id

    def set_deal_attribute(self, deal: Deal, attribute_id: int, value: str) -> bool:
        """Set a deal's attribute value; a new value bumps `updatedAt` (no history entry). True if changed."""
        if (deal.attributes or {}).get(attribute_id) == value:
            return False
        deal.attributes = {**(deal.attributes or {}), attribute_id: value}
        deal.updated = self.now()
        return True

    def link_contact(self, deal: Deal, contact_id: int, user_id: int) -> bool:
        """Attach a contact to a deal (a change of the deal); False when already attached."""
        if deal.contacts and contact_id in deal.contacts:
            return False
        deal.contacts = [*(deal.contacts or ()), contact_id]
        self.deal_counts[contact_id] = self.deal_counts.get(contact_id, 0) + 1
        now = self.now()
        self._record(deal, user_id, now, "contact_added", [{"field": "contactId", "newValue": contact_id}])
        deal.updated = now
        return True

    def unlink_contact(self, deal: Deal, contact_id: int, user_id: int) -> bool:
        """Detach a contact from a deal; False when it was not attached."""
        if not deal.contacts or contact_id not in deal.contacts:
            return False
        deal.contacts = [c for c in deal.contacts if c != contact_id] or None
        left = self.deal_counts.get(contact_id, 1) - 1
        if left > 0:
            self.deal_counts[contact_id] = left
        else:
            self.deal_counts.pop(contact_id, None)
        now = self.now()
        self._record(deal, user_id, now, "contact_removed", [{"field": "contactId", "oldValue": contact_id}])
        deal.updated = now
        return True

    def _record(
        self, deal: Deal, user_id: int, now: int, event_type: str, data: list[dict[str, Any]]
    ) -> None:
        entry = Change(self.new_id("change"), user_id, now, event_type, data)
        deal.history = [*(deal.history or ()), entry]

    def deal_history(self, deal: Deal) -> Iterator[Change]:
        """The deal's history, oldest first, starting with its creation."""
        yield Change(0, deal.created_by, deal.created, "created", [{"field": "name", "newValue": deal.name}])
        yield from deal.history or ()

    # notes ---------------------------------------------------------------------------------------

    def add_note(self, notes: list[Note] | None, text: str, user_id: int) -> tuple[list[Note], Note]:
        """A new note appended to `notes` (a new list when None); notes do not bump `updatedAt`."""
        now = self.now()
        note = Note(self.new_id("note"), user_id, text, now, now)
        return [*(notes or ()), note], note

    def snapshot(self, cap: int = 1_000) -> dict[str, Any]:
        """Counts, team, pipelines and the newest `cap` deals (with attribute values by name) and contacts
        (with tag names) (admin `GET /_emulator/crm`)."""
        newest_deals = list(itertools.islice(reversed(self.deals.values()), cap))
        newest_contacts = list(itertools.islice(reversed(self.contacts.values()), cap))
        return {
            "users": [vars_of(u) for u in self.users.values()],
            "pipelines": [
                {"id": p.id, "name": p.name, "steps": [{"id": s.id, "name": s.name} for s in p.steps]}
                for p in self.pipelines.values()
            ],
            "deal_count": len(self.deals),
            "contact_count": len(self.contacts),
            "deals": [
                {
                    "id": d.id,
                    **d.fields(),
                    "attributes": {self.deal_attributes[a].name: v for a, v in (d.attributes or {}).items()},
                    "updated": d.updated,
                }
                for d in newest_deals
            ],
            "contacts": [
                {
                    "id": c.id,
                    **c.fields(),
                    "tags": [self.tags[t].name for t in c.tags or ()],
                    "updated": c.updated,
                }
                for c in newest_contacts
            ],
        }


def vars_of(record: Any) -> dict[str, Any]:
    """A slotted record's fields as a dict."""
    return {name: getattr(record, name) for name in record.__slots__}
