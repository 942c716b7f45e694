"""Operators for SendPulse transactional email (SMTP service): send once per task, export the logs."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from airflow_provider_sendpulse.operators.base import SendPulseBaseOperator
from airflow_provider_sendpulse.operators.validation import (
    SendPulseInputError,
    check_choice,
    check_email,
    check_text,
    int_or_none,
    rendered_value,
)

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_provider_sendpulse.client.api.smtp import Address

MAX_RECIPIENTS = 100
"""Addresses (to, cc and bcc together) SendPulse takes in one message."""
LOG_KINDS = ("emails", "bounces", "unsubscribes")


def _addresses(value: Any, field: str, *, required: bool) -> list[Address]:
    """Recipients given as an address, a list of addresses, or ``{"email", "name"}`` items."""
    from airflow_provider_sendpulse.client.api.smtp import Address

    value = rendered_value(value)
    if value in (None, "", []):
        if required:
            raise SendPulseInputError(f"{field}: give at least one recipient.")
        return []
    items = [value] if isinstance(value, str | Mapping) else value
    if not isinstance(items, Sequence):
        raise SendPulseInputError(f"{field}: expected an email address or a list of them.")
    found: list[Address] = []
    for index, item in enumerate(items):
        where = f"{field}[{index}]" if len(items) > 1 or not isinstance(value, str | Mapping) else field
        if isinstance(item, Mapping):
            name = item.get("name") or ""
            if not isinstance(name, str):
                raise SendPulseInputError(f"{where}: 'name' must be text.")
            found.append(Address(check_email(item.get("email"), where), name))
        else:
            found.append(Address(check_email(item, where)))
    return found


def _attachments(value: Any) -> dict[str, bytes | str]:
    value = rendered_value(value)
    if value in (None, {}, ""):
        return {}
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and k.strip() and isinstance(v, str | bytes) for k, v in value.items()
    ):
        raise SendPulseInputError(
            'attachments: expected {"file name": content} with text or bytes content, e.g. '
            '{"report.csv": "a,b\\n1,2\\n"}.'
        )
    return dict(value)


class SendPulseSendTransactionalEmailOperator(SendPulseBaseOperator):
    """Send one transactional email through SendPulse SMTP (``POST /smtp/emails``), once per task instance.

    The body is HTML and/or text (a text version is made from HTML when not given, as SendPulse needs
    both), or a SendPulse template with variables. One message goes to every ``to`` address together
    with ``cc`` and ``bcc`` (at most 100 in all); to send one message per recipient, map the task over
    them: ``SendPulseSendTransactionalEmailOperator.partial(...).expand(to=[...])``.

    Retry safety (as the SMS operator): the task state store (Airflow 3.3+) records that a send is under
    way and then the message id; a later try returns the stored id. When an earlier try may have sent
    without recording it, the SMTP log since the DAG run started is searched for the same sender, first
    recipient and subject; if nothing is found after a send was started, the task fails rather than risk
    a second email. SendPulse needs an activated SMTP service on the account: otherwise its refusal is
    raised as is.

    :param sender_email: an active sender address of the account (templated).
    :param sender_name: the sender's display name (templated).
    :param to: an address, a list of addresses, or ``{"email", "name"}`` items (templated).
    :param subject: subject line (templated).
    :param html: HTML body (templated).
    :param text: plain-text body (templated).
    :param template_id: a SendPulse template, instead of a body (templated).
    :param variables: the template's variables (templated).
    :param cc: copy recipients, as ``to`` (templated).
    :param bcc: blind-copy recipients, as ``to`` (templated).
    :param reply_to: a reply-to address (templated).
    :param attachments: ``{"file name": content}``, text or bytes (templated).
    :param sendpulse_conn_id: Airflow connection of type ``sendpulse``.
    :return: ``{"message_id", "recipients", "created"}``.
    """

    template_fields: Sequence[str] = (
        "sender_email",
        "sender_name",
        "to",
        "subject",
        "html",
        "text",
        "template_id",
        "variables",
        "cc",
        "bcc",
        "reply_to",
        "attachments",
    )
    template_fields_renderers: ClassVar[dict[str, str]] = {"html": "html", "variables": "json"}

    def __init__(
        self,
        *,
        sender_email: str,
        to: Any,
        subject: str,
        sender_name: str = "",
        html: str | None = None,
        text: str | None = None,
        template_id: int | str | None = None,
        variables: Mapping[str, Any] | None = None,
        cc: Any = None,
        bcc: Any = None,
        reply_to: str | None = None,
        attachments: Mapping[str, str | bytes] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.sender_email = sender_email
        self.sender_name = sender_name
        self.to = to
        self.subject = subject
        self.html = html
        self.text = text
        self.template_id = template_id
        self.variables = variables
        self.cc = cc
        self.bcc = bcc
        self.reply_to = reply_to
        self.attachments = attachments

    def execute(self, context: Context) -> dict[str, Any]:
        from airflow_provider_sendpulse.client.api.smtp import Address, EmailMessage
        from airflow_provider_sendpulse.hooks.create_once import Attempt

        message = EmailMessage(
            sender=Address(check_email(self.sender_email, "sender_email"), self._sender_name()),
            to=_addresses(self.to, "to", required=True),
            subject=check_text(self.subject, "subject"),
            cc=_addresses(self.cc, "cc", required=False),
            bcc=_addresses(self.bcc, "bcc", required=False),
            reply_to=None if self.reply_to in (None, "") else Address(check_email(self.reply_to, "reply_to")),
            attachments=_attachments(self.attachments),
            **self._body(),
        )
        outcome = self.hook.send_transactional_email_once(Attempt.from_context(context), message)
        if outcome.created:
            context["ti"].xcom_push(key="smtp_message_id", value=outcome.id)
            self.log.info("Sent transactional email %s to %d recipient(s)", outcome.id, message.recipients)
        return {"message_id": outcome.id, "recipients": message.recipients, "created": outcome.created}

    def _sender_name(self) -> str:
        if self.sender_name is None or not isinstance(self.sender_name, str):
            raise SendPulseInputError("sender_name: must be text.")
        return self.sender_name

    def _body(self) -> dict[str, Any]:
        has_body = self.html not in (None, "") or self.text not in (None, "")
        has_template = self.template_id not in (None, "")
        if has_body == has_template:
            raise SendPulseInputError(
                "html/text/template_id: give a body (html and/or text) or a template_id, not both."
            )
        if has_template:
            template_id = int_or_none(self.template_id)
            if template_id is None or template_id <= 0:
                raise SendPulseInputError(
                    f"template_id: must be a positive integer, got {self.template_id!r}."
                )
            variables = rendered_value(self.variables) or {}
            if not isinstance(variables, Mapping):
                raise SendPulseInputError(
                    "variables: expected a mapping of template variable names to values."
                )
            return {"template_id": template_id, "variables": dict(variables)}
        body: dict[str, Any] = {}
        for name in ("html", "text"):
            value = getattr(self, name)
            if value not in (None, ""):
                body[name] = check_text(value, name)
        if self.variables:
            raise SendPulseInputError("variables: only a template takes variables; render them into html.")
        return body


class SendPulseExportTransactionalEmailsOperator(SendPulseBaseOperator):
    """Export the SMTP log of the DAG run's data interval to a CSV or JSON-lines file.

    ``kind="emails"`` writes one record per recipient of each message sent in the interval: id, time,
    sender, recipient, subject, delivery result (``delivered``, SMTP answer code and text), opens, clicks
    and size. ``"bounces"`` writes the bounced recipients, ``"unsubscribes"`` the addresses unsubscribed
    from SMTP email. SendPulse filters these logs by whole days of the account's time zone, so every day
    the interval touches is read and only the records inside ``[data_interval_start, data_interval_end)``
    are kept: hourly runs, or daily runs in another time zone, export each record once. Records are
    streamed (flat memory); a local file appears only when complete.

    :param path: output file: local path, URL (``s3://...``) or ``ObjectStoragePath`` (templated).
    :param kind: ``"emails"`` (default), ``"bounces"`` or ``"unsubscribes"``.
    :param file_format: ``"csv"`` or ``"jsonl"``; default from the file suffix (``.gz`` compresses).
    :param start: interval start, default the run's ``data_interval_start`` (templated).
    :param end: interval end (exclusive), default the run's ``data_interval_end`` (templated).
    :param storage_conn_id: connection for an object-storage URL given as a string.
    :param sendpulse_conn_id: Airflow connection of type ``sendpulse``.
    :return: ``{"path", "kind", "records", "start", "end"}``.
    """

    template_fields: Sequence[str] = ("path", "start", "end")

    def __init__(
        self,
        *,
        path: str | os.PathLike[str],
        kind: Literal["emails", "bounces", "unsubscribes"] = "emails",
        file_format: Literal["csv", "jsonl"] | None = None,
        start: datetime | str | None = None,
        end: datetime | str | None = None,
        storage_conn_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.path = path
        self.kind = check_choice(kind, "kind", LOG_KINDS)
        self.file_format = check_choice(file_format, "file_format", (None, "csv", "jsonl"))
        self.start = start
        self.end = end
        self.storage_conn_id = storage_conn_id

    def execute(self, context: Context) -> dict[str, Any]:
        from airflow_provider_sendpulse.hooks.files import as_path, file_format_of
        from airflow_provider_sendpulse.hooks.smtp_log import Interval

        start = _moment(
            self.start if self.start not in (None, "") else context.get("data_interval_start"), "start"
        )
        end = _moment(self.end if self.end not in (None, "") else context.get("data_interval_end"), "end")
        if end <= start:
            raise SendPulseInputError(
                f"start/end: the interval {start.isoformat()} .. {end.isoformat()} is empty."
            )
        target = as_path(self.path, self.storage_conn_id)
        fmt = file_format_of(target, self.file_format)
        interval = Interval(start, end, self.hook.account_zone)
        count = self.hook.export_smtp_log(self.kind, interval, target, fmt)
        return {
            "path": str(target),
            "kind": self.kind,
            "records": count,
            "start": start.isoformat(),
            "end": end.isoformat(),
        }


def _moment(value: object, field: str) -> datetime:
    """An aware datetime from a datetime or ISO 8601 text (naive values are refused: the zone matters)."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise SendPulseInputError(f"{field}: {value!r} is not an ISO 8601 date-time.") from None
    if not isinstance(value, datetime):
        raise SendPulseInputError(
            f"{field}: no interval given and the DAG run has no data interval; set start and end."
        )
    if value.tzinfo is None:
        raise SendPulseInputError(f"{field}: {value.isoformat()} has no time zone; add one (e.g. +00:00).")
    return value
