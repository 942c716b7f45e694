"""Operators for SendPulse SMS: send (once per task instance) and add phone numbers to a list."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from airflow_provider_sendpulse.operators.base import MailingListOperatorBase, SendPulseBaseOperator
from airflow_provider_sendpulse.operators.validation import (
    SendPulseInputError,
    check_flag,
    check_sms_sender,
    check_text,
)

if TYPE_CHECKING:
    from airflow.sdk import Context


class SendPulseSendSmsOperator(SendPulseBaseOperator):
    """Send an SMS to explicit phone numbers or to the phones of a mailing list, once per task instance.

    Phones are digits in international format without ``+``; spaces, dashes, dots, brackets and a leading
    ``+`` or ``00`` are removed (and the log says how many numbers were rewritten).

    Retry safety: before sending, the task state store (Airflow 3.3+) records that a send is under way, and
    after it the SMS campaign id. A later try returns the stored campaign. When an earlier try may have sent
    without recording the id (it died mid-call, or Airflow has no task state store), the SMS campaigns of
    this DAG run's time window are searched for one with the same sender and recipients; if none is found
    and the earlier try is known to have started sending, the task fails rather than risk a second send.
    Clearing the task keeps the task state, so a cleared task does not send the same SMS again.

    :param sender: sender id, at most 11 characters (templated).
    :param body: message text (templated).
    :param phones: phone numbers (templated), or
    :param list_id: a mailing list whose phones receive it (templated).
    :param list_name: name of an existing mailing list, instead of ``list_id``; looked up, never created
        (templated).
    :param send_date: when to send: a future datetime or ``YYYY-MM-DD HH:MM:SS`` (naive values are in the
        connection's ``timezone``); default now (templated).
    :param emulate: let SendPulse go through the motions without sending or charging.
    :param route: SendPulse route per country, e.g. ``{"UA": "national"}``.
    :param sendpulse_conn_id: Airflow connection of type ``sendpulse``.
    :return: ``{"campaign_id", "recipients", "list_id", "emulate", "created"}``.
    """

    template_fields: Sequence[str] = ("sender", "body", "phones", "list_id", "list_name", "send_date")

    def __init__(
        self,
        *,
        sender: str,
        body: str,
        phones: Sequence[str] | None = None,
        list_id: int | str | None = None,
        list_name: str | None = None,
        send_date: datetime | str | None = None,
        emulate: bool = False,
        route: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.sender = sender
        self.body = body
        self.phones = phones
        self.list_id = list_id
        self.list_name = list_name
        self.send_date = send_date
        self.emulate = check_flag(emulate, "emulate")
        if route is not None and not isinstance(route, Mapping):
            raise SendPulseInputError('route: expected a mapping such as {"UA": "national"}.')
        self.route = route

    def execute(self, context: Context) -> dict[str, Any]:
        from airflow_provider_sendpulse.hooks.create_once import Attempt

        sender = check_sms_sender(self.sender)
        body = check_text(self.body, "body")
        has_phones = self.phones not in (None, "", [])
        has_list = self.list_id not in (None, "") or self.list_name not in (None, "")
        if has_phones == has_list:
            raise SendPulseInputError(
                "phones/list_id: give exactly one of phones and list_id (or list_name)."
            )
        phones = self.normalised_phones(self.phones) if has_phones else None
        list_id = None if has_phones else self.mailing_list_id(self.list_id, self.list_name)
        outcome = self.hook.send_sms_once(
            Attempt.from_context(context),
            sender,
            body,
            phones=phones,
            list_id=list_id,
            date=self.check_date(self.send_date),
            route=self.route,
            emulate=self.emulate,
        )
        if outcome.created:
            context["ti"].xcom_push(key="sms_campaign_id", value=outcome.id)
            self.log.info(
                "SMS campaign %s created for %s%s",
                outcome.id,
                f"{len(phones)} phone(s)" if phones is not None else f"list {list_id}",
                " (emulated)" if self.emulate else "",
            )
        return {
            "campaign_id": outcome.id,
            "recipients": len(phones) if phones is not None else None,
            "list_id": list_id,
            "emulate": bool(self.emulate),
            "created": outcome.created,
        }


class SendPulseAddPhonesOperator(MailingListOperatorBase):
    """Add phone numbers to a mailing list (normalised to international digits first).

    :param phones: phone numbers (templated).
    :param sendpulse_conn_id: Airflow connection of type ``sendpulse``.
    :return: ``{"list_id", "phones", "counters"}``.
    """

    template_fields: Sequence[str] = (*MailingListOperatorBase.template_fields, "phones")

    def __init__(
        self,
        *,
        phones: Sequence[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.phones = phones

    def execute(self, context: Context) -> dict[str, Any]:
        list_id = self.resolved_list_id()
        phones = self.normalised_phones(self.phones)
        answer = self.hook.add_phones(list_id, phones)
        counters = answer.get("counters", answer) if isinstance(answer, Mapping) else {}
        self.log.info("Added %d phone number(s) to list %s", len(phones), list_id)
        return {"list_id": list_id, "phones": len(phones), "counters": dict(counters)}
