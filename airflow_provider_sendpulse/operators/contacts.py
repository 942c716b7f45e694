"""Operators for the contacts of a SendPulse mailing list: import, remove, unsubscribe, update, export."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from airflow_provider_sendpulse import DEFAULT_ADD_BATCH_SIZE
from airflow_provider_sendpulse.hooks.batching import check_batch_size
from airflow_provider_sendpulse.operators.base import MailingListOperatorBase
from airflow_provider_sendpulse.operators.validation import (
    SendPulseInputError,
    check_choice,
    check_delimiter,
    check_email,
    check_emails,
    check_encoding,
    check_flag,
    check_positive_int,
    check_variables,
    rendered_value,
)

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_provider_sendpulse.client.models import DoubleOptIn

DEFAULT_BATCH_SIZE = DEFAULT_ADD_BATCH_SIZE
_FORMATS = (None, "csv", "jsonl")


class SendPulseAddContactsOperator(MailingListOperatorBase):
    """Add (upsert) contacts to a mailing list from a list, an XCom, or a CSV / JSON-lines file.

    The source is read twice, as a stream: a first pass notes each row's email (to merge duplicates,
    below), a second pass validates rows and sends batches. Bad rows are reported by position, e.g.
    ``line 42``, never by address. With ``on_invalid="fail"`` the first pass validates every row too and
    nothing is sent when one is bad; with ``"skip"`` bad rows are left out and counted, and the first
    pass, which then validates nothing, is about four times cheaper. Memory stays flat whatever the file
    size. Adding is an upsert on the email, so running the task twice leaves the list as after one run.

    Batch size: 1,000 contacts per request by default. SendPulse documents no cap for one add call and
    allows 10 requests per second per account, so requests are the budget. Measured with
    ``benchmarks/import_contacts.py`` (100,000 CSV rows, emulator limited to 10 requests/s): 100 per
    request took 106 s (1,000 requests), 500 took 21 s, 1,000 took 11 s (100 requests, ~9,000
    contacts/s), 2,000 took 5.5 s, 5,000 took 2.8 s, and 10,000 took 4 s, as the cost of each request
    overtakes the limit. 1,000 keeps a request near 90 KB (with two short variables) and a replayed batch
    small, while a million rows still import in about two minutes; raise ``batch_size`` (at most 10,000)
    when an account is known to take bigger requests.

    :param contacts: emails, or dicts with ``email`` and variables, e.g. from XCom (templated).
    :param path: CSV or JSON-lines file, local path, URL or ``ObjectStoragePath`` (templated).
    :param file_format: ``"csv"`` or ``"jsonl"``; default from the file suffix (``.gz`` is read too).
    :param column_mapping: source column -> ``"email"`` or variable name (templated). Without it, the
        ``email`` column is the address and all other columns are variables.
    :param on_invalid: ``"fail"`` (default) or ``"skip"`` rows that fail validation.
    :param batch_size: contacts per request.
    :param double_opt_in: ask new contacts to confirm: ``{"sender_email": ..., "message_lang": "en",
        "template_id": ...}`` (templated).
    :param delimiter: CSV delimiter.
    :param encoding: file encoding (a UTF-8 byte-order mark is skipped).
    :param storage_conn_id: connection for an object-storage URL given as a string.
    :param sendpulse_conn_id: Airflow connection of type ``sendpulse``.
    Duplicates: rows with the same email (compared case-insensitively) are merged before sending, and the
    **last row wins** (its variables are the ones sent; with ``"skip"``, the last *valid* row). A 64-bit
    keyed hash per row is spilled to temporary files to find them, so memory does not grow with the row
    count (a few MB, plus one bit per row).

    :return: ``{"list_id", "rows", "distinct", "duplicates", "duplicate_rule", "added", "skipped",
        "invalid", "blank", "invalid_rows", "batches", "batch_size", "elapsed_seconds"}``: ``rows`` read
        (blank lines not counted), ``distinct`` emails among the valid rows, ``duplicates`` rows merged
        into a later row with the same email, ``added`` contacts sent (SendPulse upserts: new or
        updated), ``skipped`` rows not sent (invalid, duplicate, blank), ``invalid_rows`` the first 20
        bad rows by position.
    """

    template_fields: Sequence[str] = (
        *MailingListOperatorBase.template_fields,
        "contacts",
        "path",
        "column_mapping",
        "double_opt_in",
    )

    def __init__(
        self,
        *,
        contacts: Any = None,
        path: str | os.PathLike[str] | None = None,
        file_format: Literal["csv", "jsonl"] | None = None,
        column_mapping: Mapping[str, str] | None = None,
        on_invalid: Literal["fail", "skip"] = "fail",
        batch_size: int = DEFAULT_BATCH_SIZE,
        double_opt_in: Mapping[str, Any] | None = None,
        delimiter: str = ",",
        encoding: str = "utf-8-sig",
        storage_conn_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.contacts = contacts
        self.path = path
        self.file_format = check_choice(file_format, "file_format", _FORMATS)
        self.column_mapping = column_mapping
        self.on_invalid = check_choice(on_invalid, "on_invalid", ("fail", "skip"))
        self.batch_size = _check_batch_size(batch_size)
        self.double_opt_in = double_opt_in
        self.delimiter = check_delimiter(delimiter)
        self.encoding = check_encoding(encoding)
        self.storage_conn_id = storage_conn_id

    def execute(self, context: Context) -> dict[str, Any]:
        from airflow_provider_sendpulse.operators.sources import ContactSource

        list_id = self.resolved_list_id()
        opt_in = _double_opt_in(self.double_opt_in)
        source = ContactSource(
            contacts=self.contacts,
            path=self.path,
            file_format=self.file_format,
            column_mapping=self.column_mapping,
            delimiter=self.delimiter,
            encoding=self.encoding,
            storage_conn_id=self.storage_conn_id,
        )
        return self.hook.import_contacts(
            list_id, source, on_invalid=self.on_invalid, batch_size=self.batch_size, double_opt_in=opt_in
        )


def _double_opt_in(value: Mapping[str, Any] | None) -> DoubleOptIn | None:
    from airflow_provider_sendpulse.client.models import DoubleOptIn

    if value is None:
        return None
    if isinstance(value, DoubleOptIn):
        return value
    if not isinstance(value, Mapping):
        raise SendPulseInputError(
            "double_opt_in: expected {'sender_email': ..., 'message_lang': 'en', 'template_id': ...}."
        )
    unknown = set(value) - {"sender_email", "message_lang", "template_id"}
    if unknown:
        raise SendPulseInputError(
            f"double_opt_in: unknown key(s) {sorted(unknown)}; allowed: sender_email, message_lang, "
            "template_id."
        )
    sender = check_email(value.get("sender_email"), "double_opt_in.sender_email")
    lang = value.get("message_lang", "en")
    if not isinstance(lang, str) or not lang:
        raise SendPulseInputError("double_opt_in.message_lang: must be a language code such as 'en'.")
    return DoubleOptIn(sender_email=sender, message_lang=lang, template_id=value.get("template_id"))


class _EmailsOperator(MailingListOperatorBase):
    """Shared shape of remove / unsubscribe: a list id and emails, sent in batches of at most 100.

    :param emails: addresses, or dicts with ``email``, e.g. from XCom (templated).
    """

    template_fields: Sequence[str] = (*MailingListOperatorBase.template_fields, "emails")
    _action: ClassVar[Literal["remove_contacts", "unsubscribe_contacts"]]
    _verb: ClassVar[str]

    def __init__(self, *, emails: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.emails = emails

    def execute(self, context: Context) -> dict[str, Any]:
        list_id = self.resolved_list_id()
        emails = check_emails(rendered_value(self.emails), "emails")
        done = int(getattr(self.hook, self._action)(list_id, emails))
        self.log.info("%s %d of %d contact(s) in list %s", self._verb, done, len(emails), list_id)
        return {"list_id": list_id, "requested": len(emails), self._verb.lower(): done}


class SendPulseRemoveContactsOperator(_EmailsOperator):
    """Delete contacts from a mailing list (batches of at most 100 addresses per request).

    Their variables in the list go with them; to keep a contact but stop mailing it, unsubscribe it.

    :param sendpulse_conn_id: Airflow connection of type ``sendpulse``.
    :return: ``{"list_id", "requested", "removed"}``.
    """

    _action = "remove_contacts"
    _verb = "Removed"


class SendPulseUnsubscribeContactsOperator(_EmailsOperator):
    """Unsubscribe contacts in a mailing list (batches of at most 100 addresses per request).

    They stay in the list, marked unsubscribed, and receive no more campaigns from it.

    :param sendpulse_conn_id: Airflow connection of type ``sendpulse``.
    :return: ``{"list_id", "requested", "unsubscribed"}``.
    """

    _action = "unsubscribe_contacts"
    _verb = "Unsubscribed"


class SendPulseUpdateContactVariablesOperator(MailingListOperatorBase):
    """Set variables of one contact in a mailing list.

    :param email: the contact's address (templated).
    :param variables: variable name -> value (templated).
    :param sendpulse_conn_id: Airflow connection of type ``sendpulse``.
    """

    template_fields: Sequence[str] = (*MailingListOperatorBase.template_fields, "email", "variables")

    def __init__(
        self,
        *,
        email: str,
        variables: Mapping[str, Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.email = email
        self.variables = variables

    def execute(self, context: Context) -> dict[str, Any]:
        list_id = self.resolved_list_id()
        email = check_email(self.email, "email")
        variables = check_variables(rendered_value(self.variables), "variables")
        if not variables:
            raise SendPulseInputError("variables: give at least one variable to set.")
        self.hook.update_contact_variables(list_id, email, variables)
        self.log.info("Updated %d variable(s) of one contact in list %s", len(variables), list_id)
        return {"list_id": list_id, "email": email, "variables": sorted(variables)}


class SendPulseExportContactsOperator(MailingListOperatorBase):
    """Stream the members of a mailing list to a CSV or JSON-lines file (local or object storage).

    CSV columns are ``email``, then ``status`` when ``include_status``, then the list's variables; a JSON
    line is ``{"email", "status", "variables"}``. Both read back with :class:`SendPulseAddContactsOperator`.

    :param path: target file, local path, URL or ``ObjectStoragePath`` (templated); ``.gz`` compresses.
    :param file_format: ``"csv"`` or ``"jsonl"``; default from the suffix.
    :param active_only: export only active contacts.
    :param include_status: add a ``status`` column to CSV output.
    :param storage_conn_id: connection for an object-storage URL given as a string.
    :param sendpulse_conn_id: Airflow connection of type ``sendpulse``.
    :return: ``{"list_id", "path", "format", "count"}``.
    """

    template_fields: Sequence[str] = (*MailingListOperatorBase.template_fields, "path")

    def __init__(
        self,
        *,
        path: str | os.PathLike[str],
        file_format: Literal["csv", "jsonl"] | None = None,
        active_only: bool = False,
        include_status: bool = False,
        storage_conn_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.path = path
        self.file_format = check_choice(file_format, "file_format", _FORMATS)
        self.active_only = check_flag(active_only, "active_only")
        self.include_status = check_flag(include_status, "include_status")
        self.storage_conn_id = storage_conn_id

    def execute(self, context: Context) -> dict[str, Any]:
        from airflow_provider_sendpulse.hooks.files import as_path, file_format_of

        list_id = self.resolved_list_id()
        if not self.path:
            raise SendPulseInputError("path: give the file to write.")
        target = as_path(self.path, self.storage_conn_id)
        fmt = file_format_of(target, self.file_format)
        count = self.hook.export_contacts(
            list_id, target, fmt, active_only=bool(self.active_only), include_status=bool(self.include_status)
        )
        return {"list_id": list_id, "path": str(target), "format": fmt, "count": count}


def _check_batch_size(value: object) -> int:
    batch_size = check_positive_int(value, "batch_size")
    try:
        check_batch_size(batch_size)
    except ValueError as error:
        raise SendPulseInputError(f"batch_size: {error}.") from None
    return batch_size
