"""Operators for SendPulse SMS: send (once per task instance) and add phone numbers to a list."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from airflow_provider_sendpulse.client.errors import SendPulseAmbiguousCreateError
from airflow_provider_sendpulse.operators.base import SendPulseBaseOperator
from airflow_provider_sendpulse.operators.identity import TaskState, try_number
from airflow_provider_sendpulse.operators.validation import (
    MAX_SMS_SENDER_LENGTH,
    SendPulseInputError,
    check_flag,
    check_phones,
    check_text,
    int_or_none,
    rendered_list,
)

if TYPE_CHECKING:
    from airflow.sdk import Context

STATE_KEY = "sendpulse_sms"
_SENDING = "sending"
_MAX_CANDIDATES = 20


@dataclass(frozen=True)
class _Target:
    """Who an SMS goes to: the identity of a send when looking for it after a failed try."""

    sender: str
    phones: list[str] | None
    list_id: int | None


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
        sender = check_text(self.sender, "sender", MAX_SMS_SENDER_LENGTH)
        body = check_text(self.body, "body")
        has_phones = self.phones not in (None, "", [])
        has_list = self.list_id not in (None, "") or self.list_name not in (None, "")
        if has_phones == has_list:
            raise SendPulseInputError(
                "phones/list_id: give exactly one of phones and list_id (or list_name)."
            )
        phones: list[str] | None = None
        list_id: int | None = None
        if has_phones:
            phones, rewritten = check_phones(rendered_list(self.phones), "phones")
            if rewritten:
                self.log.info("Normalised %d phone number(s) to international digits", rewritten)
        else:
            list_id = self.mailing_list_id(self.list_id, self.list_name)
        send_date = self.check_date(self.send_date)

        state = TaskState(context)
        target = _Target(sender, phones, list_id)
        earlier = self._earlier_send(state, context, target)
        if earlier is not None:
            return self._result(earlier, phones, list_id, created=False)
        state.set(STATE_KEY, {"state": _SENDING})
        try:
            if phones is not None:
                answer = self.hook.send_sms(
                    sender, phones, body, date=send_date, route=self.route, emulate=self.emulate
                )
            else:
                assert list_id is not None
                answer = self.hook.create_sms_campaign(
                    sender, list_id, body, date=send_date, route=self.route, emulate=self.emulate
                )
        except SendPulseAmbiguousCreateError:
            found = self._find_sent(context, target)
            if found is None:
                raise
            answer = {"campaign_id": found}
        except Exception:
            # SendPulse answered with an error (or the request never left): nothing was sent.
            state.set(STATE_KEY, {"state": "failed"})
            raise
        campaign_id = int(answer["campaign_id"])
        state.set(STATE_KEY, {"state": "sent", "campaign_id": campaign_id})
        context["ti"].xcom_push(key="sms_campaign_id", value=campaign_id)
        self.log.info(
            "SMS campaign %s created for %s%s",
            campaign_id,
            f"{len(phones)} phone(s)" if phones is not None else f"list {list_id}",
            " (emulated)" if self.emulate else "",
        )
        return self._result(campaign_id, phones, list_id, created=True)

    def _earlier_send(self, state: TaskState, context: Context, target: _Target) -> int | None:
        """The SMS campaign id an earlier try of this task instance sent, if any."""
        record = state.get(STATE_KEY)
        if isinstance(record, Mapping) and record.get("campaign_id"):
            self.log.info(
                "SMS campaign %s was sent by an earlier try; not sending again", record["campaign_id"]
            )
            return int(record["campaign_id"])
        started = isinstance(record, Mapping) and record.get("state") == _SENDING
        if not started and (state.available or try_number(context) <= 1):
            return None
        found = self._find_sent(context, target)
        if found is not None:
            self.log.info("Found SMS campaign %s sent by an earlier try; not sending again", found)
            return found
        if started:
            raise SendPulseInputError(
                "An earlier try started sending this SMS and may have sent it, but no matching SMS campaign "
                "was found; refusing to send twice. Check SendPulse; to send anyway, delete the task state "
                f"key {STATE_KEY!r} of this task instance (Airflow REST API) and run the task again."
            )
        return None

    def _find_sent(self, context: Context, target: _Target) -> int | None:
        """An SMS campaign since the DAG run started with this sender and the same recipients.

        SendPulse's list of SMS campaigns carries no text, so recipients identify the send: the list id,
        or the exact set of phone numbers (read from the campaign's details, newest candidates first).
        """
        now = datetime.now(UTC)
        since = _run_start(context) or now - timedelta(days=1)
        # Aware datetimes: the client renders them in the account's time zone, so the window is exact
        # (to the second: SendPulse dates have no fractions).
        campaigns = self.hook.list_sms_campaigns(
            since.replace(microsecond=0), now.replace(microsecond=0) + timedelta(seconds=1)
        )
        candidates = [
            c
            for c in campaigns
            if int_or_none(c.get("id")) and (c.get("sender_name") or c.get("sender")) == target.sender
        ]
        candidates.sort(key=lambda c: int_or_none(c.get("id")) or 0, reverse=True)
        for item in candidates[:_MAX_CANDIDATES]:
            campaign_id = int_or_none(item.get("id"))
            assert campaign_id is not None
            if target.list_id is not None:
                if int_or_none(item.get("address_book_id")) == target.list_id:
                    return campaign_id
                continue
            details = self.hook.get_sms_campaign(campaign_id)
            phones = {
                str(p.get("phone")) for p in details.get("task_phones_info") or [] if isinstance(p, Mapping)
            }
            if phones == set(target.phones or ()):
                return campaign_id
        return None

    def _result(
        self, campaign_id: int, phones: list[str] | None, list_id: int | None, created: bool
    ) -> dict[str, Any]:
        return {
            "campaign_id": campaign_id,
            "recipients": len(phones) if phones is not None else None,
            "list_id": list_id,
            "emulate": bool(self.emulate),
            "created": created,
        }


class SendPulseAddPhonesOperator(SendPulseBaseOperator):
    """Add phone numbers to a mailing list (normalised to international digits first).

    :param list_id: mailing list id (templated).
    :param list_name: name of an existing mailing list, instead of ``list_id``; looked up, never created
        (templated).
    :param phones: phone numbers (templated).
    :param sendpulse_conn_id: Airflow connection of type ``sendpulse``.
    :return: ``{"list_id", "phones", "counters"}``.
    """

    template_fields: Sequence[str] = ("list_id", "list_name", "phones")

    def __init__(
        self,
        *,
        list_id: int | str | None = None,
        list_name: str | None = None,
        phones: Sequence[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.list_id = list_id
        self.list_name = list_name
        self.phones = phones

    def execute(self, context: Context) -> dict[str, Any]:
        list_id = self.mailing_list_id(self.list_id, self.list_name)
        phones, rewritten = check_phones(rendered_list(self.phones), "phones")
        if rewritten:
            self.log.info("Normalised %d phone number(s) to international digits", rewritten)
        answer = self.hook.add_phones(list_id, phones)
        counters = answer.get("counters", answer) if isinstance(answer, Mapping) else {}
        self.log.info("Added %d phone number(s) to list %s", len(phones), list_id)
        return {"list_id": list_id, "phones": len(phones), "counters": dict(counters)}


def _run_start(context: Context) -> datetime | None:
    dag_run = context.get("dag_run")
    start = getattr(dag_run, "start_date", None) or getattr(dag_run, "run_after", None)
    if isinstance(start, datetime):
        return start if start.tzinfo else start.replace(tzinfo=UTC)
    return None
