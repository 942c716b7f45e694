"""What every SendPulse operator shares: the connection id and a lazily built hook."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator

from airflow_provider_sendpulse import DEFAULT_CONN_ID
from airflow_provider_sendpulse.operators.validation import (
    SendPulseInputError,
    check_phones,
    check_positive_int,
    check_send_date,
    check_text,
    rendered_list,
)

if TYPE_CHECKING:
    from airflow_provider_sendpulse.hooks.sendpulse import SendPulseHook


class SendPulseBaseOperator(BaseOperator):
    """Base for SendPulse operators.

    :param sendpulse_conn_id: Airflow connection of type ``sendpulse``.
    """

    ui_color = "#ffe8a3"

    def __init__(self, *, sendpulse_conn_id: str = DEFAULT_CONN_ID, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sendpulse_conn_id = sendpulse_conn_id

    @cached_property
    def hook(self) -> SendPulseHook:
        # Imported when a task runs, not when a DAG file is parsed: the hook brings the HTTP client.
        from airflow_provider_sendpulse.hooks.sendpulse import SendPulseHook

        return SendPulseHook(sendpulse_conn_id=self.sendpulse_conn_id)

    def mailing_list_id(self, list_id: object, list_name: object) -> int:
        """The id ``list_id`` gives, or the id of the list named ``list_name`` (looked up, never created)."""
        has_id = list_id not in (None, "")
        has_name = list_name not in (None, "")
        if has_id == has_name:
            raise SendPulseInputError("list_id/list_name: give exactly one of list_id and list_name.")
        if has_id:
            return check_positive_int(list_id, "list_id")
        name = check_text(list_name, "list_name").strip()
        found = self.hook.find_mailing_list(name)
        if found is None:
            raise SendPulseInputError(
                f"list_name: no mailing list named {name!r} in this SendPulse account (names are exact); "
                "SendPulseListMailingListsOperator lists them and SendPulseCreateMailingListOperator "
                "creates one."
            )
        return int(found["id"])

    def normalised_phones(self, value: object, field: str = "phones") -> list[str]:
        """Phones as international digits (a rendered list read back); logs how many were rewritten."""
        phones, rewritten = check_phones(rendered_list(value), field)
        if rewritten:
            self.log.info("Normalised %d phone number(s) to international digits", rewritten)
        return phones

    def check_date(self, value: object, field: str = "send_date") -> datetime | None:
        """A future date; naive values are account time (the connection's ``timezone``, read if needed)."""
        return check_send_date(value, field, zone=lambda: self.hook.account_zone)


class MailingListOperatorBase(SendPulseBaseOperator):
    """Base for operators that work on one existing mailing list, given by id or by name.

    :param list_id: mailing list id (templated).
    :param list_name: name of an existing mailing list, instead of ``list_id``; looked up, never created
        (templated).
    """

    template_fields: Sequence[str] = ("list_id", "list_name")

    def __init__(
        self, *, list_id: int | str | None = None, list_name: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.list_id = list_id
        self.list_name = list_name

    def resolved_list_id(self) -> int:
        """The list's id: ``list_id`` checked, or ``list_name`` looked up."""
        return self.mailing_list_id(self.list_id, self.list_name)
