"""Admin API for the CRM under `/_emulator/crm` (no auth): seed it, and act as a user of the web app."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.requests import Request

from ..crm import DEAL_STATUSES, CrmState, crm_invalid
from ..crm_views import contact_json, deal_attribute_json, deal_json, pipeline_json, user_json
from .crm_common import locked_crm

router = APIRouter(prefix="/_emulator/crm")


class NewMember(BaseModel):
    """`POST /_emulator/crm/users` body."""

    firstname: str
    lastname: str = ""
    email: str


class NewPipeline(BaseModel):
    """`POST /_emulator/crm/pipelines` body: a name and step names, in order."""

    name: str
    steps: list[str] = Field(min_length=1)


class NewContact(BaseModel):
    """One contact to seed; `attributes` maps attribute names (created when new) to values."""

    first_name: str = ""
    last_name: str = ""
    responsible_id: int | None = None
    emails: list[str] = Field(default_factory=list)
    phones: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    external_id: str | None = None
    attributes: dict[str, str] = Field(default_factory=dict)
    created: int | None = None


class ContactSeed(BaseModel):
    """`POST /_emulator/crm/contacts` body: explicit `contacts`, or `count` numbered ones."""

    contacts: list[NewContact] = Field(default_factory=list)
    count: int = Field(default=0, ge=0, le=1_000_000)
    prefix: str = "contact"
    created: int | None = None


class NewDeal(BaseModel):
    """One deal to seed."""

    pipeline_id: int
    step_id: int
    name: str = ""
    price: float = Field(default=0, ge=0)
    currency: str = "USD"
    responsible_id: int | None = None
    contacts: list[int] = Field(default_factory=list)
    source_id: int | None = None
    attributes: dict[str, str] = Field(default_factory=dict)
    created: int | None = None


class NewDealAttribute(BaseModel):
    """`POST /_emulator/crm/pipelines/{id}/attributes` body."""

    name: str = Field(min_length=1)
    type: int = Field(default=0, ge=0, le=5)


class DealSeed(BaseModel):
    """`POST /_emulator/crm/deals` body: explicit `deals`, or `count` numbered ones in one step."""

    deals: list[NewDeal] = Field(default_factory=list)
    count: int = Field(default=0, ge=0, le=1_000_000)
    pipeline_id: int | None = None
    step_id: int | None = None
    prefix: str = "Deal"
    price: float = Field(default=0, ge=0)
    created: int | None = None


class DealChange(BaseModel):
    """`POST /_emulator/crm/deals/{id}`: what a user changes in the web app (absent = unchanged)."""

    pipeline_id: int | None = None
    step_id: int | None = None
    status: int | None = None
    name: str | None = None
    price: float | None = Field(default=None, ge=0)
    responsible_id: int | None = None
    user_id: int | None = None


class ContactChange(BaseModel):
    """`POST /_emulator/crm/contacts/{id}`: what a user changes in the web app (absent = unchanged)."""

    first_name: str | None = None
    last_name: str | None = None
    responsible_id: int | None = None
    external_id: str | None = None


def _created(crm: CrmState, created: int | None) -> int | None:
    if created is not None and created > crm.now():
        raise crm_invalid("created", "may not be in the future of the emulator clock")
    return created


def _seed_contact(crm: CrmState, spec: NewContact, created: int | None) -> int:
    responsible = crm.check_user(spec.responsible_id) if spec.responsible_id else crm.owner.id
    contact = crm.create_contact(
        responsible,
        spec.first_name,
        spec.last_name,
        spec.external_id,
        emails=spec.emails,
        phones=spec.phones,
        tags=spec.tags,
        created=_created(crm, spec.created if spec.created is not None else created),
    )
    if spec.attributes:
        contact.attributes = {crm.add_attribute(k).id: v for k, v in spec.attributes.items()}
    return contact.id


@router.get("")
async def crm_state(request: Request, cap: int = 1_000) -> dict[str, Any]:
    """Team, pipelines, counts and the newest `cap` deals and contacts."""
    with locked_crm(request) as crm:
        return crm.snapshot(cap)


@router.post("/users")
async def add_member(request: Request, member: NewMember) -> dict[str, Any]:
    """Add a confirmed team member."""
    with locked_crm(request) as crm:
        return user_json(crm.add_user(member.firstname, member.lastname, member.email))


@router.post("/pipelines")
async def add_pipeline(request: Request, new: NewPipeline) -> dict[str, Any]:
    """Add a pipeline with its steps."""
    with locked_crm(request) as crm:
        return pipeline_json(crm.add_pipeline(new.name, new.steps), crm.owner.id)


@router.post("/pipelines/{pipeline_id}/attributes")
async def add_deal_attribute(request: Request, pipeline_id: int, new: NewDealAttribute) -> dict[str, Any]:
    """Define a deal attribute of a pipeline (the existing one when the name is taken)."""
    with locked_crm(request) as crm:
        return deal_attribute_json(crm, crm.add_deal_attribute(pipeline_id, new.name, new.type).id)


@router.post("/contacts")
async def seed_contacts(request: Request, seed: ContactSeed) -> dict[str, Any]:
    """Add contacts; numbered ones are `<prefix><n>` with email `<prefix><n>@example.com`."""
    with locked_crm(request) as crm:
        ids = [_seed_contact(crm, spec, seed.created) for spec in seed.contacts]
        created = _created(crm, seed.created)
        start = len(crm.contacts)
        for n in range(start, start + seed.count):
            name = f"{seed.prefix}{n}"
            contact = crm.create_contact(
                crm.owner.id, name, "", emails=[f"{name}@example.com"], created=created
            )
            ids.append(contact.id)
        return {"ids": ids}


@router.post("/deals")
async def seed_deals(request: Request, seed: DealSeed) -> dict[str, Any]:
    """Add deals; numbered ones are `<prefix> <n>` in `pipeline_id` / `step_id`."""
    with locked_crm(request) as crm:
        ids: list[int] = []
        for spec in seed.deals:
            crm.check_step(spec.pipeline_id, spec.step_id)
            for contact_id in spec.contacts:
                crm.contact(contact_id)
            deal = crm.create_deal(
                spec.pipeline_id,
                spec.step_id,
                name=spec.name,
                price=spec.price,
                currency=spec.currency,
                responsible_id=crm.check_user(spec.responsible_id) if spec.responsible_id else None,
                source_id=spec.source_id,
                contacts=spec.contacts,
                attributes={
                    crm.add_deal_attribute(spec.pipeline_id, k).id: v for k, v in spec.attributes.items()
                },
                created=_created(crm, spec.created if spec.created is not None else seed.created),
            )
            ids.append(deal.id)
        if seed.count:
            if seed.pipeline_id is None or seed.step_id is None:
                raise crm_invalid("pipeline_id", "pipeline_id and step_id are required with count")
            crm.check_step(seed.pipeline_id, seed.step_id)
            created = _created(crm, seed.created)
            start = len(crm.deals)
            for n in range(start, start + seed.count):
                deal = crm.create_deal(
                    seed.pipeline_id,
                    seed.step_id,
                    name=f"{seed.prefix} {n}",
                    price=seed.price,
                    created=created,
                )
                ids.append(deal.id)
        return {"ids": ids}


@router.post("/deals/{deal_id}")
async def change_deal(request: Request, deal_id: int, change: DealChange) -> dict[str, Any]:
    """Change a deal as a user would in the web app: edit, move to a step or pipeline, win, lose, delete."""
    with locked_crm(request) as crm:
        deal = crm.deal(deal_id)
        user = crm.check_user(change.user_id, "user_id") if change.user_id else crm.owner.id
        pipeline_id = change.pipeline_id or deal.pipeline_id
        step_id = change.step_id
        if change.pipeline_id and step_id is None:
            step_id = crm.pipeline(pipeline_id).steps[0].id
        crm.check_step(pipeline_id, step_id or deal.step_id)
        if change.status is not None and change.status not in DEAL_STATUSES:
            raise crm_invalid("status", "must be 0 (deleted), 1 (active), 2 (lost) or 3 (won)")
        if change.responsible_id is not None:
            crm.check_user(change.responsible_id, "responsible_id")
        changes = {
            "pipelineId": pipeline_id,
            "stepId": step_id,
            "status": change.status,
            "name": change.name,
            "price": change.price,
            "responsibleId": change.responsible_id,
        }
        crm.change_deal(deal, {k: v for k, v in changes.items() if v is not None}, user)
        return deal_json(deal)


@router.post("/contacts/{contact_id}")
async def change_contact(request: Request, contact_id: int, change: ContactChange) -> dict[str, Any]:
    """Change a contact as a user would in the web app."""
    with locked_crm(request) as crm:
        contact = crm.contact(contact_id)
        if change.responsible_id is not None:
            crm.check_user(change.responsible_id, "responsible_id")
        changes = {
            "firstName": change.first_name,
            "lastName": change.last_name,
            "responsibleId": change.responsible_id,
            "externalContactId": change.external_id,
        }
        crm.update_contact(contact, {k: v for k, v in changes.items() if v is not None})
        return contact_json(crm, contact)
