"""Composite CRM work: upsert contacts and deals, move deals, export what changed in a window.

Each function takes a :class:`~.crm.SendPulseCrm` and sends one row's requests at a time, so any number of
rows streams through in flat memory at the client's rate limit.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from airflow.sdk import ObjectStoragePath

from airflow_provider_sendpulse.client import api
from airflow_provider_sendpulse.client.api import DealFilter
from airflow_provider_sendpulse.client.crm_models import CrmContact, parse_crm_time
from airflow_provider_sendpulse.client.errors import SendPulseError
from airflow_provider_sendpulse.hooks.crm import SendPulseCrm, contact_pages, deal_pages
from airflow_provider_sendpulse.hooks.files import FileFormat, written_atomically

CrmKind = Literal["contacts", "deals"]
DealMove = Literal["won", "lost"]

DEAL_COLUMNS = ("id", "name", "pipelineId", "stepId", "status", "price", "currency", "responsibleId")
CONTACT_COLUMNS = ("id", "firstName", "lastName", "externalContactId", "responsibleId")


@dataclass(frozen=True)
class ContactRow:
    """One contact to upsert, already checked: at least one of email, phone and external id."""

    position: str
    email: str | None = None
    phone: str | None = None
    external_id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    responsible_id: int | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)
    tags: tuple[int | str, ...] = ()
    """Tags to put on the contact: ids (int) or exact names (str); tags it has already stay."""


def upsert_contact(
    crm: SendPulseCrm,
    row: ContactRow,
    responsible_id: int,
    attribute_ids: Mapping[str, int],
    tag_ids: Mapping[int | str, int] | None = None,
) -> dict[str, Any]:
    """Create or update the contact ``row`` describes; ``{"position", "outcome", "contact_id"[, "reason"]}``.

    Found by external id, else email, else phone. Only what the contact lacks is sent: changed names or
    responsible, new emails and phones, changed attribute values, and each tag it does not have yet (by the
    ids ``tag_ids`` maps the row's tags to, see :func:`resolve_contact_tags`); nothing is removed. A failed
    row (an API refusal, an unknown attribute) is reported with its reason and does not stop the others.
    """
    try:
        unknown = sorted(set(row.attributes) - set(attribute_ids))
        if unknown:
            raise ValueError(
                f"unknown contact attribute(s) {', '.join(map(repr, unknown))}; known: "
                f"{', '.join(sorted(attribute_ids)) or 'none'}"
            )
        found = crm.find_contact(email=row.email, phone=row.phone, external_id=row.external_id)
        owner = row.responsible_id or (found.responsible_id if found else None) or responsible_id
        if found is None:
            created = crm.client.run(
                api.create_crm_contact(owner, row.first_name, row.last_name, external_id=row.external_id)
            )
            contact_id, outcome = int(created["id"]), "created"
            have = CrmContact.from_api(created)
        else:
            contact_id, outcome, have = found.id, "updated", found
            changed = (row.first_name not in (None, found.first_name)) or (
                row.last_name not in (None, found.last_name)
            )
            if changed or owner != found.responsible_id:
                crm.client.run(api.update_crm_contact(contact_id, owner, row.first_name, row.last_name))
        if row.email and row.email.lower() not in {e.lower() for e in have.emails}:
            crm.client.run(
                api.add_crm_contact_emails(contact_id, [row.email], main=None if have.emails else row.email)
            )
        if row.phone and row.phone not in have.phones:
            crm.client.run(api.add_crm_contact_phone(contact_id, row.phone))
        values = {attribute_ids[k]: v for k, v in row.attributes.items() if have.attributes.get(k) != str(v)}
        if values:
            crm.client.run(api.set_crm_contact_attributes(contact_id, values))
        tagged = {int(t["id"]) for t in have.raw.get("tags") or () if isinstance(t, Mapping) and "id" in t}
        for tag_id in _row_tag_ids(row, tag_ids or {}):
            if tag_id not in tagged:
                crm.client.run(api.tag_crm_contact(contact_id, tag_id))
    except (SendPulseError, ValueError) as error:
        return {"position": row.position, "outcome": "failed", "reason": str(error)}
    return {"position": row.position, "outcome": outcome, "contact_id": contact_id}


def _row_tag_ids(row: ContactRow, tag_ids: Mapping[int | str, int]) -> list[int]:
    unresolved = [tag for tag in row.tags if tag not in tag_ids]
    if unresolved:
        raise ValueError(f"tags {', '.join(map(repr, unresolved))} were not resolved to tag ids")
    return list(dict.fromkeys(tag_ids[tag] for tag in row.tags))


def resolve_contact_tags(
    crm: SendPulseCrm, wanted: Mapping[int | str, str], *, create: bool = False
) -> dict[int | str, int]:
    """Tag ids for contact tags given by id or exact name; ``wanted`` maps each to the first row naming it.

    One ``GET /contact-tags``. An unknown id, or an unknown name unless ``create``, is a ValueError naming
    that row and the tags there are; every tag is checked before ``create`` adds the missing names (one
    ``POST /contact-tags`` each).
    """
    if not wanted:
        return {}
    tags = crm.client.run(api.list_contact_tags())
    by_name = {str(t["name"]): int(t["id"]) for t in tags}
    known_ids = set(by_name.values())
    known = ", ".join(f"{t.get('name')!r} ({t.get('id')})" for t in tags[:20]) or "none"
    resolved: dict[int | str, int] = {}
    missing: list[str] = []
    for tag, position in wanted.items():
        if isinstance(tag, int):
            if tag not in known_ids:
                raise ValueError(f"{position}.tags: no contact tag with id {tag}; known: {known}")
            resolved[tag] = tag
        elif tag in by_name:
            resolved[tag] = by_name[tag]
        elif create:
            missing.append(tag)
        else:
            raise ValueError(
                f"{position}.tags: no contact tag named {tag!r} (create_tags=True creates missing tags); "
                f"known: {known}"
            )
    for name in missing:
        resolved[name] = int(crm.client.run(api.create_contact_tag(name))["id"])
    return resolved


def upsert_deal(
    crm: SendPulseCrm,
    pipeline: int | str,
    name: str | None = None,
    *,
    source_id: int | None = None,
    step: int | str | None = None,
    price: float | None = None,
    currency: str | None = None,
    responsible_id: int | None = None,
    contact_ids: Sequence[int] = (),
    attributes: Mapping[int | str, Any] | None = None,
) -> dict[str, Any]:
    """Create the deal in ``pipeline`` (at ``step``, default the first), or update the one already there.

    The deal is found by its external ``source_id`` when given (one ``get-list`` filtered on ``sourceId``),
    else by its exact ``name``. An update sends only what differs: the deal's fields in one ``PUT`` (status
    and what is not given kept), each changed attribute value (by attribute id or name) on its own, and a
    link per contact not yet linked. ValueError, naming ``pipeline/step`` or ``attributes``, when a
    pipeline, step or attribute does not exist.

    Returns ``{"deal_id", "outcome", "pipeline_id", "step_id"}``.
    """
    if name is None and source_id is None:
        raise ValueError("name/source_id: give the deal's name, its external source id, or both")
    try:
        pipeline_id, step_id = crm.resolve_step(pipeline, step)
    except ValueError as error:
        raise ValueError(f"pipeline/step: {error}") from None
    values = deal_attribute_values(crm, pipeline_id, attributes) if attributes else {}
    found = (
        crm.find_deal_by_source(pipeline_id, source_id)
        if source_id is not None
        else crm.find_deal(pipeline_id, str(name))
    )
    if found is None:
        created = crm.client.run(
            api.create_deal(
                pipeline_id,
                step_id,
                name=name,
                price=price,
                currency=currency,
                responsible_id=responsible_id,
                contact_ids=contact_ids,
                attributes=values,
                source_id=source_id,
            )
        )
        return {
            "deal_id": int(created["id"]),
            "outcome": "created",
            "pipeline_id": pipeline_id,
            "step_id": step_id,
        }
    target_step = step_id if step is not None else found.step_id
    new_name = found.name if name is None else name
    new_price = found.price if price is None else price
    differs = (
        (target_step, new_name, new_price) != (found.step_id, found.name, found.price)
        or (currency is not None and currency.upper() != found.currency.upper())
        or (responsible_id is not None and int(responsible_id) != found.responsible_id)
    )
    if differs:
        crm.client.run(
            api.update_deal(
                found.id,
                pipeline_id=pipeline_id,
                step_id=target_step,
                status=found.status,
                name=new_name,
                price=new_price,
                currency=currency,
                responsible_id=responsible_id,
                source_id=found.raw.get("sourceId"),
            )
        )
    if values:
        set_deal_attributes(crm, found.id, values)
    if contact_ids:
        linked = {int(c["id"]) for c in crm.client.run(api.list_deal_contacts(found.id))}
        for contact_id in contact_ids:
            if int(contact_id) not in linked:
                crm.client.run(api.link_deal_contact(found.id, int(contact_id)))
    return {"deal_id": found.id, "outcome": "updated", "pipeline_id": pipeline_id, "step_id": target_step}


def deal_attribute_values(
    crm: SendPulseCrm, pipeline_id: int, attributes: Mapping[int | str, Any]
) -> dict[int, str]:
    """Values by attribute id for ``attributes`` keyed by id or exact name of the pipeline's deal attributes
    (one request); ValueError naming the unknown keys and the attributes there are."""
    defined = crm.client.run(api.list_deal_attributes(pipeline_id))
    by_key = {str(a["id"]): int(a["id"]) for a in defined} | {str(a["name"]): int(a["id"]) for a in defined}
    unknown = [k for k in attributes if str(k) not in by_key]
    if unknown:
        known = ", ".join(f"{a.get('name')!r} ({a.get('id')})" for a in defined[:20]) or "none"
        raise ValueError(
            f"attributes: no deal attribute {', '.join(map(repr, unknown))} in pipeline {pipeline_id}; "
            f"known: {known}"
        )
    return {by_key[str(k)]: str(v) for k, v in attributes.items()}


def set_deal_attributes(crm: SendPulseCrm, deal_id: int, values: Mapping[int, str]) -> int:
    """Give an existing deal these attribute values, sending only those that differ: ``POST`` for a value
    the deal lacks, ``PUT`` for one it has. One read plus one request per changed value; returns how many
    changed."""
    current: dict[int, str | None] = {}
    for item in crm.client.run(api.list_deal_attribute_values(deal_id)):
        value = item.get("value")
        current[int(item["id"])] = value.get("value") if isinstance(value, Mapping) else value
    changed = 0
    for attribute_id, value in values.items():
        if attribute_id not in current:
            crm.client.run(api.add_deal_attribute(deal_id, attribute_id, value))
        elif current[attribute_id] != value:
            crm.client.run(api.update_deal_attribute(deal_id, attribute_id, value))
        else:
            continue
        changed += 1
    return changed


def move_deal(
    crm: SendPulseCrm,
    deal_id: int,
    *,
    step: int | str | None = None,
    pipeline: int | str | None = None,
    status: DealMove | None = None,
) -> dict[str, Any]:
    """Move a deal to ``step`` (of ``pipeline``, default its own) and/or mark it won or lost.

    Returns ``{"deal_id", "pipeline_id", "step_id", "status"}`` as the deal now stands.
    """
    deal = crm.client.run(api.get_deal(deal_id))
    pipeline_id, step_id = int(deal["pipelineId"]), int(deal["stepId"])
    if step is not None:
        pipeline_id, step_id = crm.resolve_step(pipeline if pipeline is not None else pipeline_id, step)
        if (pipeline_id, step_id) != (int(deal["pipelineId"]), int(deal["stepId"])):
            deal = crm.client.run(api.change_deal_pipeline(deal_id, pipeline_id, step_id))
    if status is not None:
        wanted = api.crm.DEAL_WON if status == "won" else api.crm.DEAL_LOST
        if int(deal["status"]) != wanted:
            deal = crm.client.run(
                api.update_deal(
                    deal_id,
                    pipeline_id=pipeline_id,
                    step_id=step_id,
                    status=wanted,
                    name=str(deal.get("name") or ""),
                    price=float(deal.get("price") or 0),
                )
            )
    return {
        "deal_id": int(deal_id),
        "pipeline_id": pipeline_id,
        "step_id": step_id,
        "status": int(deal["status"]),
    }


def changed_in_window(
    crm: SendPulseCrm, kind: CrmKind, start: datetime, end: datetime
) -> Iterator[dict[str, Any]]:
    """Records created or updated in ``[start, end)``, each once, read a page at a time.

    First those updated in the window, then those created in it and updated after it; contacts are
    filtered by day on the server and to the second here.
    """
    if kind == "deals":
        updated = [DealFilter("updatedAt", "gte", start), DealFilter("updatedAt", "lt", end)]
        created = [
            DealFilter("createdAt", "gte", start),
            DealFilter("createdAt", "lt", end),
            DealFilter("updatedAt", "gte", end),
        ]
        for filters in (updated, created):
            yield from _walk(crm, deal_pages(filters))
        return
    day_window = {"updateFrom": start.date(), "updateTo": end.date()}
    for item in _walk(crm, contact_pages(day_window)):
        if _within(item.get("updatedAt"), start, end):
            yield item
    for item in _walk(crm, contact_pages({"from": start.date(), "to": end.date()})):
        if _within(item.get("createdAt"), start, end) and not _within(item.get("updatedAt"), start, end):
            yield item


def _walk(crm: SendPulseCrm, pages: Any) -> Iterator[dict[str, Any]]:
    from airflow_provider_sendpulse.client.pagination import iter_items

    return iter_items(crm.client, pages)


def _within(value: Any, start: datetime, end: datetime) -> bool:
    moment = parse_crm_time(value)
    return moment is not None and start <= moment < end


def write_records(
    records: Iterable[Mapping[str, Any]], kind: CrmKind, target: Path | ObjectStoragePath, fmt: FileFormat
) -> int:
    """Write CRM records as CSV (flat columns, emails and phones joined by ``;``) or JSON lines (whole)."""
    count = 0
    with written_atomically(target) as out:
        if fmt == "jsonl":
            for record in records:
                out.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
                count += 1
            return count
        columns = [
            *(DEAL_COLUMNS if kind == "deals" else (*CONTACT_COLUMNS, "emails", "phones")),
            "createdAt",
            "updatedAt",
        ]
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        for record in records:
            flat = dict(record)
            if kind == "contacts":
                flat["emails"] = ";".join(_values(record.get("emails"), "email"))
                flat["phones"] = ";".join(_values(record.get("phones"), "phone"))
            writer.writerow(["" if flat.get(c) is None else flat.get(c) for c in columns])
            count += 1
    return count


def _values(items: Any, key: str) -> list[str]:
    return [str(i.get(key)) for i in items or () if isinstance(i, Mapping) and i.get(key)]
