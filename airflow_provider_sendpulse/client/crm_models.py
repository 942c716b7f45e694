"""Typed views of CRM contacts and deals as the API answers them (JSON-able via ``to_dict``)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from airflow_provider_sendpulse.client.codes import DEAL_LOST, DEAL_WON


def parse_crm_time(value: Any) -> datetime | None:
    """A CRM date-time (RFC 3339, ``Z`` or an offset; space or ``T``) as an aware datetime, else None."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _values(items: Any, key: str) -> list[str]:
    return [str(i[key]) for i in items or () if isinstance(i, dict) and i.get(key)]


@dataclass(frozen=True)
class CrmContact:
    """A CRM contact: ids, names, main channels and attribute values by name."""

    id: int
    responsible_id: int | None
    first_name: str
    last_name: str
    external_id: str | None
    emails: list[str]
    phones: list[str]
    tags: list[str]
    attributes: dict[str, Any]
    created_at: datetime | None
    updated_at: datetime | None
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_api(cls, item: dict[str, Any]) -> CrmContact:
        """Read one contact of a CRM answer."""
        attributes = {
            str(a["name"]): (a.get("value") or {}).get("value")
            if isinstance(a.get("value"), dict)
            else a.get("value")
            for a in item.get("attributes") or ()
            if isinstance(a, dict) and a.get("name")
        }
        return cls(
            id=int(item["id"]),
            responsible_id=_int(item.get("responsibleId")),
            first_name=str(item.get("firstName") or ""),
            last_name=str(item.get("lastName") or ""),
            external_id=item.get("externalContactId") or None,
            emails=_values(item.get("emails"), "email"),
            phones=_values(item.get("phones"), "phone"),
            tags=_values(item.get("tags"), "name"),
            attributes=attributes,
            created_at=parse_crm_time(item.get("createdAt")),
            updated_at=parse_crm_time(item.get("updatedAt")),
            raw=dict(item),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-able fields (dates as RFC 3339 strings), without the raw answer."""
        return _json(self)


@dataclass(frozen=True)
class Deal:
    """A CRM deal: where it stands (pipeline, step, status) and what it is worth."""

    id: int
    name: str
    pipeline_id: int
    step_id: int
    status: int
    price: float
    currency: str
    responsible_id: int | None
    created_at: datetime | None
    updated_at: datetime | None
    raw: dict[str, Any] = field(repr=False, compare=False)
    source_id: int | None = None
    """The deal's id in an external system (``sourceId``), if it has one."""

    @classmethod
    def from_api(cls, item: dict[str, Any]) -> Deal:
        """Read one deal of a CRM answer."""
        return cls(
            id=int(item["id"]),
            name=str(item.get("name") or ""),
            pipeline_id=int(item.get("pipelineId") or 0),
            step_id=int(item.get("stepId") or 0),
            status=int(item.get("status") or 0),
            price=float(item.get("price") or 0),
            currency=str(item.get("currency") or ""),
            responsible_id=_int(item.get("responsibleId")),
            created_at=parse_crm_time(item.get("createdAt")),
            updated_at=parse_crm_time(item.get("updatedAt")),
            raw=dict(item),
            source_id=_int(item.get("sourceId")) or None,
        )

    @property
    def won(self) -> bool:
        """The deal is won (status 3)."""
        return self.status == DEAL_WON

    @property
    def lost(self) -> bool:
        """The deal is lost (status 2)."""
        return self.status == DEAL_LOST

    def to_dict(self) -> dict[str, Any]:
        """JSON-able fields (dates as RFC 3339 strings), without the raw answer."""
        return _json(self)


def _json(record: CrmContact | Deal) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(record):
        if f.name == "raw":
            continue
        value = getattr(record, f.name)
        out[f.name] = value.isoformat() if isinstance(value, datetime) else value
    return out
