"""Operator for SendPulse Automation 360: start an event's flows for every row of a list or file."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from airflow_provider_sendpulse.operators.base import SendPulseBaseOperator
from airflow_provider_sendpulse.operators.validation import (
    SendPulseInputError,
    check_choice,
    check_delimiter,
    check_encoding,
    check_positive_int,
    check_text,
)

if TYPE_CHECKING:
    from airflow.sdk import Context

DAILY_FLOW_START_CAP = 100_000
"""SendPulse starts Automation 360 flows for at most this many contacts per account and day."""
_FORMATS = (None, "csv", "jsonl")


class SendPulseAutomationEventOperator(SendPulseBaseOperator):
    """Send an Automation 360 event (``POST /events/name/{event_name}``) for every row of a list, an XCom,
    or a CSV / JSON-lines file: reverse ETL from a warehouse into SendPulse flows.

    Each row names a contact by ``email`` and/or ``phone``; its other columns are the event's variables
    (or map columns with ``column_mapping``). The source is read twice as a stream, so memory stays flat:
    a first pass validates every row (bad rows are reported by position, never by address) and checks
    SendPulse's cap of 100,000 flow starts a day before anything is sent; a second pass sends one request
    per row at the connection's rate limit, logging progress.

    Outcomes per row: ``sent``; ``failed`` when SendPulse refused the row (the reason is kept); ``unknown``
    when the answer was lost (timeout, dropped connection, 5xx): such a row is never sent again, since a
    second start would run the flow twice. Failures go to ``failures_path`` (JSON lines with position,
    email, phone, outcome and reason) and the first 20 (position and reason) to the returned summary.

    Retries: before each request the task state store (Airflow 3.3+) records the row being sent, so a
    retried or cleared task resumes after the last acknowledged row and sends nothing twice. Without a
    task state store a retry refuses to run rather than risk resending. An unknown event name, or the
    daily cap being reached mid-way, stops the task without retries (the message says what to do).

    :param event_name: the Automation 360 event, as created in SendPulse (templated).
    :param rows: rows as dicts (``email`` / ``phone`` / variables) or bare emails, e.g. from XCom
        (templated).
    :param path: CSV or JSON-lines file, local path, URL or ``ObjectStoragePath`` (templated).
    :param file_format: ``"csv"`` or ``"jsonl"``; default from the file suffix (``.gz`` is read too).
    :param column_mapping: source column -> ``"email"``, ``"phone"`` or a variable name (templated).
    :param on_invalid: ``"fail"`` (default: nothing is sent when a row is bad) or ``"skip"`` bad rows.
    :param failures_path: where to write the rows SendPulse refused or whose outcome is unknown (JSON
        lines; local path or object-storage URL; templated). A resumed task keeps the earlier failures.
    :param daily_cap: flow starts SendPulse allows per day (100,000); a run with more rows is refused.
    :param delimiter: CSV delimiter.
    :param encoding: file encoding (a UTF-8 byte-order mark is skipped).
    :param storage_conn_id: connection for object-storage URLs given as strings.
    :param sendpulse_conn_id: Airflow connection of type ``sendpulse``.
    :return: ``{"event_name", "rows", "sent", "failed", "unknown", "invalid", "blank",
        "resumed_from_row", "failures", "failures_path", "elapsed_seconds"}``; counts cover every try of
        the task instance.
    """

    template_fields: Sequence[str] = ("event_name", "rows", "path", "column_mapping", "failures_path")

    def __init__(
        self,
        *,
        event_name: str,
        rows: Any = None,
        path: str | os.PathLike[str] | None = None,
        file_format: Literal["csv", "jsonl"] | None = None,
        column_mapping: Mapping[str, str] | None = None,
        on_invalid: Literal["fail", "skip"] = "fail",
        failures_path: str | os.PathLike[str] | None = None,
        daily_cap: int = DAILY_FLOW_START_CAP,
        delimiter: str = ",",
        encoding: str = "utf-8-sig",
        storage_conn_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.event_name = event_name
        self.rows = rows
        self.path = path
        self.file_format = check_choice(file_format, "file_format", _FORMATS)
        self.column_mapping = column_mapping
        self.on_invalid = check_choice(on_invalid, "on_invalid", ("fail", "skip"))
        self.failures_path = failures_path
        self.daily_cap = check_positive_int(daily_cap, "daily_cap")
        self.delimiter = check_delimiter(delimiter)
        self.encoding = check_encoding(encoding)
        self.storage_conn_id = storage_conn_id

    def execute(self, context: Context) -> dict[str, Any]:
        from airflow_provider_sendpulse.hooks.automation_events import Failures
        from airflow_provider_sendpulse.hooks.create_once import Attempt
        from airflow_provider_sendpulse.hooks.files import as_path

        event_name = check_text(self.event_name, "event_name").strip()
        if "/" in event_name:
            raise SendPulseInputError(f"event_name: {event_name!r} contains '/', which no event name has.")
        from airflow_provider_sendpulse.operators.sources import EventSource

        source = EventSource(
            contacts=self.rows,
            path=self.path,
            file_format=self.file_format,
            column_mapping=self.column_mapping,
            delimiter=self.delimiter,
            encoding=self.encoding,
            storage_conn_id=self.storage_conn_id,
        )
        failures = Failures(
            None if self.failures_path in (None, "") else as_path(self.failures_path, self.storage_conn_id)  # type: ignore[arg-type]
        )
        return self.hook.send_automation_events(
            event_name,
            source,
            Attempt.from_context(context),
            on_invalid=self.on_invalid,
            daily_cap=self.daily_cap,
            failures=failures,
        )
