"""Operators for the SendPulse CRM: upsert contacts and deals, move deals, export what changed."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from airflow_provider_sendpulse.operators.base import SendPulseBaseOperator
from airflow_provider_sendpulse.operators.validation import (
    SendPulseInputError,
    check_choice,
    check_email,
    check_flag,
    check_positive_int,
    check_text,
    int_or_none,
    normalise_phone,
    rendered_list,
    rendered_value,
)

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_provider_sendpulse.hooks.crm import SendPulseCrm
    from airflow_provider_sendpulse.hooks.crm_work import ContactRow

_FORMATS = (None, "csv", "jsonl")
_PROBLEMS_SHOWN = 10

#: Row keys an upserted contact may carry.
CONTACT_KEYS = (
    "email",
    "phone",
    "external_id",
    "first_name",
    "last_name",
    "responsible_id",
    "attributes",
    "tags",
)
#: What separates tag names in a text ``tags`` value (a CSV cell), as the CSV export joins emails.
TAG_SEPARATOR = ";"
#: The longest contact tag name SendPulse accepts.
MAX_TAG_NAME = 64


def _id_or_name(value: object, field: str) -> int | str:
    value = rendered_value(value)
    if isinstance(value, bool) or value in (None, ""):
        raise SendPulseInputError(f"{field}: give an id or an exact name.")
    if isinstance(value, int):
        return check_positive_int(value, field)
    text = check_text(value, field).strip()
    return int(text) if text.isdigit() else text


def contact_row(position: str, item: Mapping[str, Any] | None) -> ContactRow:
    """A checked contact row, or SendPulseInputError naming the row and the field."""
    from airflow_provider_sendpulse.hooks.crm_work import ContactRow

    if item is None:
        raise SendPulseInputError(f"{position}: must be an object with email, phone or external_id.")
    unknown = sorted(set(item) - set(CONTACT_KEYS))
    if unknown:
        raise SendPulseInputError(
            f"{position}: unknown field(s) {', '.join(map(repr, unknown))}; "
            f"allowed: {', '.join(CONTACT_KEYS)}."
        )
    email = item.get("email") or None
    phone = item.get("phone") or None
    external = item.get("external_id") or None
    if not (email or phone or external):
        raise SendPulseInputError(f"{position}: give at least one of email, phone and external_id.")
    if email is not None:
        email = check_email(email, f"{position}.email")
    if phone is not None:
        phone, problem = normalise_phone(phone)
        if problem:
            raise SendPulseInputError(f"{position}.phone: {problem}.")
    attributes = item.get("attributes") or {}
    if not isinstance(attributes, Mapping):
        raise SendPulseInputError(f"{position}.attributes: must be an object of attribute name -> value.")
    responsible = item.get("responsible_id")
    return ContactRow(
        position=position,
        email=email,
        phone=phone,
        external_id=None if external is None else str(external),
        first_name=None if item.get("first_name") is None else str(item["first_name"]),
        last_name=None if item.get("last_name") is None else str(item["last_name"]),
        responsible_id=None
        if responsible in (None, "")
        else check_positive_int(responsible, f"{position}.responsible_id"),
        attributes={str(k): v for k, v in attributes.items()},
        tags=contact_tags(item.get("tags"), f"{position}.tags"),
    )


def contact_tags(value: object, field: str) -> tuple[int | str, ...]:
    """A row's tags: a list of tag ids (integers) and exact names (text), or one text of names separated
    by ``;`` (a CSV cell); duplicates dropped. SendPulseInputError naming ``field`` otherwise."""
    if value is None:
        return ()
    if isinstance(value, str):
        items: list[Any] = [part for part in value.split(TAG_SEPARATOR) if part.strip()]
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        raise SendPulseInputError(
            f"{field}: must be a list of tag ids and names, or names separated by '{TAG_SEPARATOR}'."
        )
    tags: dict[int | str, None] = {}
    for item in items:
        if isinstance(item, int) and not isinstance(item, bool) and item > 0:
            tags[item] = None
        elif isinstance(item, str) and item.strip():
            name = item.strip()
            if len(name) > MAX_TAG_NAME:
                raise SendPulseInputError(f"{field}: a tag name has at most {MAX_TAG_NAME} characters.")
            tags[name] = None
        else:
            raise SendPulseInputError(
                f"{field}: each tag must be a positive tag id or a non-empty name, got {type(item).__name__}."
            )
    return tuple(tags)


class SendPulseUpsertCrmContactOperator(SendPulseBaseOperator):
    """Create or update CRM contacts, found by external id, email or phone, one row at a time.

    Every row is checked before the first request (a bad row fails the task naming it and the field);
    rows are then sent one by one at the connection's rate limit, in flat memory.

    Tags are added, never removed: a contact keeps the tags it has. Tag names are looked up once (one
    request) and every row's tags are checked before the first write.

    :param rows: contacts as a list (or XCom) of objects with ``email``, ``phone``, ``external_id``,
        ``first_name``, ``last_name``, ``responsible_id``, ``attributes`` (name -> value) and ``tags`` (a
        list of tag ids and exact names) (templated).
    :param path: a CSV or JSON-lines file of such rows instead (templated); CSV has no ``attributes``, and
        its ``tags`` column holds tag names separated by ``;``.
    :param file_format: ``"csv"`` or ``"jsonl"``; default from the suffix.
    :param responsible_id: team member given new contacts without their own (default: the first user).
    :param create_tags: create tags named in rows that the account does not have yet; by default such a
        name fails the task before any write, naming the first row that uses it.
    :param storage_conn_id: connection for an object-storage URL given as a string.
    :return: ``{"created", "updated", "failed", "rows": [{"position", "outcome", "contact_id" | "reason"}]}``.
    """

    template_fields: Sequence[str] = ("rows", "path", "responsible_id")

    def __init__(
        self,
        *,
        rows: Any = None,
        path: str | os.PathLike[str] | None = None,
        file_format: Literal["csv", "jsonl"] | None = None,
        responsible_id: int | str | None = None,
        create_tags: bool = False,
        storage_conn_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.rows = rows
        self.path = path
        self.file_format = check_choice(file_format, "file_format", _FORMATS)
        self.responsible_id = responsible_id
        self.create_tags = bool(check_flag(create_tags, "create_tags"))
        self.storage_conn_id = storage_conn_id

    def execute(self, context: Context) -> dict[str, Any]:
        from airflow_provider_sendpulse.hooks.crm_work import upsert_contact
        from airflow_provider_sendpulse.operators.sources import RecordSource

        source = RecordSource(
            rows=None if self.rows is None else rendered_list(self.rows),
            path=self.path,
            file_format=self.file_format,
            storage_conn_id=self.storage_conn_id,
        )
        count, tag_rows = _check_contact_rows(source)
        crm = self.hook.crm
        default_owner, attribute_ids, tag_ids = self._lookups(crm, tag_rows)
        outcomes: list[dict[str, Any]] = []
        totals = {"created": 0, "updated": 0, "failed": 0}
        for position, item in source:
            outcome = upsert_contact(crm, contact_row(position, item), default_owner, attribute_ids, tag_ids)
            totals[outcome["outcome"]] += 1
            outcomes.append(outcome)
            if outcome["outcome"] == "failed":
                self.log.warning("%s failed: %s", position, outcome["reason"])
            if len(outcomes) % 100 == 0:
                self.log.info("Upserted %d of %d contacts", len(outcomes), count)
        self.log.info("Contacts: %(created)d created, %(updated)d updated, %(failed)d failed", totals)
        return {**totals, "rows": outcomes}

    def _lookups(
        self, crm: SendPulseCrm, tag_rows: Mapping[int | str, str]
    ) -> tuple[int, dict[str, int], dict[int | str, int]]:
        """What every row needs: the default owner, attribute ids by name, and the rows' tag ids."""
        from airflow_provider_sendpulse.client import api
        from airflow_provider_sendpulse.hooks.crm_work import resolve_contact_tags

        owner = self.responsible_id
        default_owner = (
            check_positive_int(owner, "responsible_id")
            if owner not in (None, "")
            else int(crm.users()[0]["id"])
        )
        attribute_ids = {
            str(a["name"]): int(a["id"]) for a in crm.client.run(api.list_crm_contact_attributes())
        }
        try:
            tag_ids = resolve_contact_tags(crm, tag_rows, create=self.create_tags)
        except ValueError as error:  # a tag id or name the account does not have
            raise SendPulseInputError(f"{error}.") from None
        return default_owner, attribute_ids, tag_ids


def _check_contact_rows(source: Iterable[tuple[str, Any]]) -> tuple[int, dict[int | str, str]]:
    """The checking pass over every row before the first request: the row count, and each tag named
    with the first row naming it."""
    count = 0
    tag_rows: dict[int | str, str] = {}
    for position, item in source:
        for tag in contact_row(position, item).tags:
            tag_rows.setdefault(tag, position)
        count += 1
    return count, tag_rows


class SendPulseUpsertDealOperator(SendPulseBaseOperator):
    """Create a deal, or update the one with the same external source id (or else name) in the pipeline.

    An update sends only what differs from the deal as it is: its fields, each attribute value, each
    contact link. Input is checked before the first request.

    :param pipeline: pipeline id or exact name (templated).
    :param name: the deal's name; without ``source_id`` it identifies the deal within the pipeline
        (templated).
    :param source_id: the deal's id in an external system (a positive integer, SendPulse's ``sourceId``);
        when given it identifies the deal within the pipeline and is stored on new deals (templated).
    :param step: step id or exact name; new deals default to the first step, updates keep theirs (templated).
    :param price: the deal's price (templated).
    :param currency: 3-letter currency code.
    :param contact_ids: CRM contact ids to link (templated).
    :param responsible_id: team member responsible for the deal.
    :param attributes: deal attribute (id or exact name, of the pipeline) -> value, for new and existing
        deals; values are sent as text of at most 5,500 characters (templated).
    :return: ``{"deal_id", "outcome", "pipeline_id", "step_id"}``.
    """

    template_fields: Sequence[str] = (
        "pipeline",
        "name",
        "source_id",
        "step",
        "price",
        "contact_ids",
        "attributes",
    )

    def __init__(
        self,
        *,
        pipeline: int | str,
        name: str | None = None,
        source_id: int | str | None = None,
        step: int | str | None = None,
        price: float | str | None = None,
        currency: str | None = None,
        contact_ids: Sequence[int] | str | None = None,
        responsible_id: int | None = None,
        attributes: Mapping[int | str, Any] | str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.pipeline = pipeline
        self.name = name
        self.source_id = source_id
        self.step = step
        self.price = price
        self.currency = currency
        self.contact_ids = contact_ids
        self.responsible_id = responsible_id
        self.attributes = attributes

    def execute(self, context: Context) -> dict[str, Any]:
        from airflow_provider_sendpulse.hooks.crm_work import upsert_deal

        pipeline = _id_or_name(self.pipeline, "pipeline")
        source_id = None if self.source_id in (None, "") else check_positive_int(self.source_id, "source_id")
        if self.name in (None, "") and source_id is None:
            raise SendPulseInputError("name/source_id: give the deal's name, its source id, or both.")
        name = None if self.name in (None, "") else check_text(self.name, "name", 255).strip()
        step = None if self.step in (None, "") else _id_or_name(self.step, "step")
        price = _price(self.price)
        if self.currency is not None and not (len(self.currency) == 3 and self.currency.isalpha()):
            raise SendPulseInputError(
                f"currency: must be a 3-letter code such as USD, got {self.currency!r}."
            )
        contacts = [check_positive_int(c, "contact_ids") for c in rendered_list(self.contact_ids) or ()]
        attributes = deal_attributes(self.attributes)
        try:
            result = upsert_deal(
                self.hook.crm,
                pipeline,
                name,
                source_id=source_id,
                step=step,
                price=price,
                currency=self.currency,
                responsible_id=self.responsible_id,
                contact_ids=contacts,
                attributes=attributes,
            )
        except ValueError as error:  # a pipeline, step or attribute not found
            raise SendPulseInputError(f"{error}.") from None
        self.log.info("Deal %s %s", result["deal_id"], result["outcome"])
        return result


#: The longest deal attribute value SendPulse stores.
MAX_DEAL_ATTRIBUTE_VALUE = 5_500


def deal_attributes(value: object) -> dict[int | str, str]:
    """Deal attribute values keyed by attribute id or exact name, checked; values as the text sent."""
    value = rendered_value(value)
    if value in (None, ""):
        return {}
    if not isinstance(value, Mapping):
        raise SendPulseInputError("attributes: must be an object of attribute id or name -> value.")
    checked: dict[int | str, str] = {}
    for key, item in value.items():
        where = f"attributes[{key!r}]"
        number = int_or_none(key)
        if number is not None and number > 0:
            attribute: int | str = number
        elif isinstance(key, str) and key.strip():
            attribute = key.strip()
        else:
            raise SendPulseInputError(f"{where}: the key must be an attribute id or name.")
        if isinstance(item, bool) or not isinstance(item, str | int | float):
            raise SendPulseInputError(
                f"{where}: the value must be text or a number, got {type(item).__name__}."
            )
        text = str(item)
        if len(text) > MAX_DEAL_ATTRIBUTE_VALUE:
            raise SendPulseInputError(
                f"{where}: at most {MAX_DEAL_ATTRIBUTE_VALUE} characters, got {len(text)}."
            )
        checked[attribute] = text
    return checked


def _price(value: object) -> float | None:
    value = rendered_value(value)
    if value in (None, ""):
        return None
    try:
        price = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise SendPulseInputError(f"price: must be a number, got {value!r}.") from None
    if price < 0 or price != price:
        raise SendPulseInputError(f"price: must be a number of at least 0, got {value!r}.")
    return price


class SendPulseMoveDealOperator(SendPulseBaseOperator):
    """Move deals to a step (by id or name) and/or mark them won or lost.

    :param deal_ids: one deal id or a list of them, e.g. from a deal event's XCom (templated).
    :param step: target step id or exact name (templated).
    :param pipeline: the step's pipeline, id or name; default each deal's own (templated).
    :param status: ``"won"`` or ``"lost"``.
    :return: ``[{"deal_id", "pipeline_id", "step_id", "status"}]``.
    """

    template_fields: Sequence[str] = ("deal_ids", "step", "pipeline")

    def __init__(
        self,
        *,
        deal_ids: int | str | Sequence[int],
        step: int | str | None = None,
        pipeline: int | str | None = None,
        status: Literal["won", "lost"] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.deal_ids = deal_ids
        self.step = step
        self.pipeline = pipeline
        self.status = check_choice(status, "status", (None, "won", "lost"))
        if step in (None, "") and status is None:
            raise SendPulseInputError("step/status: give a step to move to, a status (won or lost), or both.")

    def execute(self, context: Context) -> list[dict[str, Any]]:
        from airflow_provider_sendpulse.hooks.crm_work import move_deal

        raw = rendered_list(self.deal_ids)
        ids = [check_positive_int(d, "deal_ids") for d in (raw if isinstance(raw, list | tuple) else [raw])]
        if not ids:
            self.log.info("No deals to move")
            return []
        step = None if self.step in (None, "") else _id_or_name(self.step, "step")
        pipeline = None if self.pipeline in (None, "") else _id_or_name(self.pipeline, "pipeline")
        moved = []
        for deal_id in ids:
            try:
                moved.append(
                    move_deal(self.hook.crm, deal_id, step=step, pipeline=pipeline, status=self.status)
                )
            except ValueError as error:
                raise SendPulseInputError(f"step/pipeline: {error}.") from None
            self.log.info(
                "Deal %s now at step %s, status %s", deal_id, moved[-1]["step_id"], moved[-1]["status"]
            )
        return moved


class SendPulseExportCrmOperator(SendPulseBaseOperator):
    """Export CRM contacts or deals created or updated in a window to CSV or JSON lines, in flat memory.

    :param kind: ``"contacts"`` or ``"deals"``.
    :param path: target file: local path, URL or ``ObjectStoragePath`` (templated); ``.gz`` compresses.
    :param start: window start (aware datetime or ISO 8601; templated); default the data interval's start,
        or the day before its end when the interval is empty (a cron trigger schedule, a manual run).
    :param end: window end, excluded (templated); default the data interval's end.
    :param file_format: ``"csv"`` or ``"jsonl"``; default from the suffix.
    :param storage_conn_id: connection for an object-storage URL given as a string.
    :return: ``{"kind", "path", "format", "count", "start", "end"}``.
    """

    template_fields: Sequence[str] = ("path", "start", "end")

    def __init__(
        self,
        *,
        kind: Literal["contacts", "deals"],
        path: str | os.PathLike[str],
        start: datetime | str | None = None,
        end: datetime | str | None = None,
        file_format: Literal["csv", "jsonl"] | None = None,
        storage_conn_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.kind = check_choice(kind, "kind", ("contacts", "deals"))
        self.path = path
        self.start = start
        self.end = end
        self.file_format = check_choice(file_format, "file_format", _FORMATS)
        self.storage_conn_id = storage_conn_id

    def execute(self, context: Context) -> dict[str, Any]:
        from airflow_provider_sendpulse.hooks.crm_work import changed_in_window, write_records
        from airflow_provider_sendpulse.hooks.files import as_path, file_format_of

        start = _moment(self.start, "start", context.get("data_interval_start"))
        end = _moment(self.end, "end", context.get("data_interval_end"))
        if self.start in (None, "") and start == end:
            start = end - timedelta(days=1)  # an empty data interval (a trigger timetable, a manual run)
        if end <= start:
            raise SendPulseInputError(f"start/end: the window must not be empty, got {start} to {end}.")
        if not self.path:
            raise SendPulseInputError("path: give the file to write.")
        target = as_path(self.path, self.storage_conn_id)
        fmt = file_format_of(target, self.file_format)
        records = changed_in_window(self.hook.crm, self.kind, start, end)
        count = write_records(records, self.kind, target, fmt)
        self.log.info("Exported %d %s changed from %s to %s to %s", count, self.kind, start, end, target)
        return {
            "kind": self.kind,
            "path": str(target),
            "format": fmt,
            "count": count,
            "start": start.isoformat(),
            "end": end.isoformat(),
        }


def _moment(value: object, field: str, default: Any) -> datetime:
    value = rendered_value(value)
    if value in (None, ""):
        value = default
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise SendPulseInputError(f"{field}: {value!r} is not an ISO 8601 date-time.") from None
    if not isinstance(value, datetime):
        raise SendPulseInputError(f"{field}: give a date-time (there is no data interval to default to).")
    if value.tzinfo is None:
        raise SendPulseInputError(f"{field}: give a time zone (e.g. +00:00), got {value.isoformat()!r}.")
    return value
