"""Plain data classes for what goes to and comes back from SendPulse (JSON-able via ``to_dict``)."""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from airflow_provider_sendpulse.client.limits import (
    MAX_CAMPAIGN_ATTACHMENTS as MAX_CAMPAIGN_ATTACHMENTS,
)
from airflow_provider_sendpulse.client.limits import MAX_CAMPAIGN_LISTS as MAX_CAMPAIGN_LISTS
from airflow_provider_sendpulse.client.limits import MAX_EMAIL_LENGTH as MAX_EMAIL_LENGTH
from airflow_provider_sendpulse.client.limits import MAX_SMS_SENDER_LENGTH as MAX_SMS_SENDER_LENGTH


def as_moment(value: str | datetime, field: str) -> datetime:
    """A date to send as a datetime (aware, or naive = account time); the client renders it.

    Strings are ``YYYY-MM-DD HH:MM:SS`` (account time) or ISO 8601, with or without an offset.
    """
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f"{field}: {value!r} is not a date; use 'YYYY-MM-DD HH:MM:SS' or ISO 8601")


@dataclass(frozen=True)
class Contact:
    """An email address and its variables in a mailing list."""

    email: str
    variables: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.email, str) or "@" not in self.email:
            raise ValueError(f"not an email address: {self.email!r}")

    @classmethod
    def coerce(cls, value: Contact | str | Mapping[str, Any]) -> Contact:
        """Accept a Contact, a bare email, or a mapping with ``email`` and optional ``variables``.

        In a mapping without a ``variables`` key, every key but ``email`` is taken as a variable.
        """
        if isinstance(value, Contact):
            return value
        if isinstance(value, str):
            return cls(value.strip())
        if isinstance(value, Mapping):
            if "email" not in value:
                raise ValueError("contact mapping has no 'email' key")
            if "variables" in value:
                return cls(str(value["email"]).strip(), dict(value["variables"] or {}))
            return cls(str(value["email"]).strip(), {k: v for k, v in value.items() if k != "email"})
        raise TypeError(f"cannot read a contact from {type(value).__name__}")

    def to_dict(self) -> dict[str, Any]:
        """The contact as SendPulse expects it in ``POST /addressbooks/{id}/emails``."""
        data: dict[str, Any] = {"email": self.email}
        if self.variables:
            data["variables"] = dict(self.variables)
        return data


@dataclass(frozen=True)
class DoubleOptIn:
    """Ask new contacts to confirm by email before they become active."""

    sender_email: str
    message_lang: str = "en"
    template_id: str | int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The confirmation fields added to the add-contacts body."""
        data: dict[str, Any] = {
            "confirmation": "force",
            "sender_email": self.sender_email,
            "message_lang": self.message_lang,
        }
        if self.template_id is not None:
            data["template_id"] = str(self.template_id)  # validated as a string (template_id.string)
        return data


@dataclass(frozen=True)
class CampaignSpec:
    """An email campaign to create: who sends it, to whom, what, and when.

    Give exactly one of ``list_ids`` and ``segment_id``, and exactly one of ``body_html`` and
    ``template_id``. ``send_date`` schedules the campaign (omit to send now); ``draft=True`` only
    saves it. ``attachments`` maps file names to their text content.
    """

    sender_name: str
    sender_email: str
    subject: str
    list_ids: Sequence[int] | None = None
    segment_id: int | None = None
    body_html: str | None = None
    template_id: int | str | None = None
    name: str | None = None
    send_date: str | datetime | None = None
    attachments: Mapping[str, str] | None = None
    draft: bool = False
    is_test: bool | None = None
    use_dynamic_list: bool | None = None
    track_opens: bool | None = None
    track_clicks: bool | None = None
    utm_campaign: str | None = None

    def __post_init__(self) -> None:
        for name in ("sender_name", "sender_email", "subject"):
            if not getattr(self, name):
                raise ValueError(f"CampaignSpec.{name} is required")
        if (self.list_ids is None) == (self.segment_id is None):
            raise ValueError("give exactly one of list_ids and segment_id")
        if self.list_ids is not None and not 1 <= len(self.list_ids) <= MAX_CAMPAIGN_LISTS:
            raise ValueError(f"list_ids needs 1 to {MAX_CAMPAIGN_LISTS} mailing list ids")
        if (self.body_html is None) == (self.template_id is None):
            raise ValueError("give exactly one of body_html and template_id")
        if self.attachments and len(self.attachments) > MAX_CAMPAIGN_ATTACHMENTS:
            raise ValueError(f"at most {MAX_CAMPAIGN_ATTACHMENTS} attachments per campaign")

    def to_dict(self) -> dict[str, Any]:
        """The ``POST /campaigns`` body (HTML base64-encoded; ``send_date`` a datetime the client renders)."""
        body: dict[str, Any] = {
            "sender_name": self.sender_name,
            "sender_email": self.sender_email,
            "subject": self.subject,
        }
        if self.list_ids is not None:
            ids = [int(i) for i in self.list_ids]
            body["list_id"] = ids[0] if len(ids) == 1 else ids
        else:
            body["segment_id"] = self.segment_id
        if self.body_html is not None:
            body["body"] = base64.b64encode(self.body_html.encode()).decode("ascii")
        else:
            body["template_id"] = self.template_id
        optional: dict[str, Any] = {
            "name": self.name,
            "send_date": None if self.send_date is None else as_moment(self.send_date, "send_date"),
            "attachments": dict(self.attachments) if self.attachments else None,
            "type": "draft" if self.draft else None,
            "is_test": self.is_test,
            "use_dynamic_list": self.use_dynamic_list,
        }
        body.update({k: v for k, v in optional.items() if v is not None})
        stats = {
            "opens": self.track_opens,
            "clicks": self.track_clicks,
            "utm_campaign": self.utm_campaign,
        }
        if any(v is not None for v in stats.values()):
            body["stats"] = {k: v for k, v in stats.items() if v is not None}
        return body


@dataclass(frozen=True)
class BatchProgress:
    """Progress of a streamed contact upload, reported after each batch."""

    list_id: int
    batch_number: int
    batch_size: int
    contacts_sent: int
    elapsed_seconds: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class AddSummary:
    """What a streamed contact upload did."""

    list_id: int
    contacts: int
    batches: int
    batch_size: int
    elapsed_seconds: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form (fit for XCom)."""
        return dataclasses.asdict(self)
