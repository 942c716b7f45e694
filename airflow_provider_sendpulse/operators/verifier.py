"""Operator for SendPulse email verification: verify a mailing list (deferrable) or a list of addresses."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal

from airflow.providers.common.compat.sdk import conf

from airflow_provider_sendpulse.operators.base import SendPulseBaseOperator
from airflow_provider_sendpulse.operators.validation import (
    SendPulseInputError,
    check_choice,
    check_emails,
    check_flag,
    check_seconds,
)

if TYPE_CHECKING:
    from airflow.sdk import Context

STATE_KEY = "sendpulse_verification_started"
INVALID = 3
"""SendPulse's verification result code of an invalid address."""
ACTIONS = (None, "remove", "unsubscribe")


class SendPulseVerifyEmailsOperator(SendPulseBaseOperator):
    """Verify the addresses of a mailing list (or a given list of addresses) with SendPulse's verifier,
    and return how many are valid, unconfirmed, invalid (and still unverified).

    A mailing list is sent for verification once per task instance (the task state store remembers it, so
    a retry waits for the same verification), then the task waits until SendPulse has checked every
    address: in the triggerer when ``deferrable`` (freeing the worker slot), or polling here otherwise.
    With ``invalid_action`` the invalid addresses are then removed from the list or unsubscribed in it,
    streamed 100 per request. Addresses given as ``emails`` are verified one by one, synchronously.

    :param list_id: the mailing list to verify (templated), or
    :param list_name: its exact name (templated), or
    :param emails: addresses to verify one by one (templated).
    :param invalid_action: ``None`` (default), ``"remove"`` or ``"unsubscribe"`` the invalid addresses
        (mailing lists only).
    :param deferrable: wait in the triggerer; default ``[operators] default_deferrable``.
    :param poll_interval: seconds between progress checks; default ``[sendpulse]
        default_campaign_poll_interval`` (60).
    :param wait_timeout: seconds to wait at most; None: no limit.
    :param sendpulse_conn_id: Airflow connection of type ``sendpulse``.
    :return: ``{"list_id", "counts": {"valid", "unconfirmed", "invalid", "unverified"}, "total",
        "invalid_action", "acted_on"}``; for ``emails`` also ``"invalid_emails"`` (the caller's own input).
    """

    template_fields: Sequence[str] = ("list_id", "list_name", "emails")

    def __init__(
        self,
        *,
        list_id: int | str | None = None,
        list_name: str | None = None,
        emails: Any = None,
        invalid_action: Literal["remove", "unsubscribe"] | None = None,
        deferrable: bool = conf.getboolean("operators", "default_deferrable", fallback=False),
        poll_interval: float | None = None,
        wait_timeout: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.list_id = list_id
        self.list_name = list_name
        self.emails = emails
        self.invalid_action = check_choice(invalid_action, "invalid_action", ACTIONS)
        self.deferrable = check_flag(deferrable, "deferrable")
        self.poll_interval = poll_interval
        self.wait_timeout = wait_timeout

    def execute(self, context: Context) -> dict[str, Any]:
        has_emails = self.emails not in (None, "", [])
        has_list = self.list_id not in (None, "") or self.list_name not in (None, "")
        if has_emails == has_list:
            raise SendPulseInputError("list_id/list_name/emails: give a mailing list or emails, not both.")
        if has_emails:
            if self.invalid_action is not None:
                raise SendPulseInputError("invalid_action: only works on a mailing list, not on emails.")
            return self._verify_emails(check_emails(self.emails, "emails"))
        poll_interval = check_seconds(self.poll_interval, "poll_interval")
        wait_timeout = check_seconds(self.wait_timeout, "wait_timeout")
        list_id = self.mailing_list_id(self.list_id, self.list_name)
        self._start_once(context, list_id)
        deadline = None if wait_timeout is None else time.time() + wait_timeout
        if not self.deferrable:
            from airflow_provider_sendpulse.waiting.verification import wait_here

            event = wait_here(self.hook.get_conn(), list_id, poll_interval, deadline, self.log)
            return self.execute_complete(context, event)
        from airflow_provider_sendpulse.triggers.verification import SendPulseVerificationTrigger

        self.log.info("Waiting for SendPulse to verify list %s (deferred)", list_id)
        self.defer(
            trigger=SendPulseVerificationTrigger(
                list_id=list_id,
                sendpulse_conn_id=self.sendpulse_conn_id,
                poll_interval=poll_interval,
                deadline=deadline,
            ),
            method_name="execute_complete",
            timeout=None if wait_timeout is None else timedelta(seconds=wait_timeout + 60),
        )

    def _start_once(self, context: Context, list_id: int) -> None:
        from airflow_provider_sendpulse.hooks.create_once import TaskState

        state = TaskState(context)
        if state.get(STATE_KEY) == list_id:
            self.log.info("List %s was sent for verification by an earlier try; waiting for it", list_id)
            return
        self.hook.start_list_verification(list_id)
        state.set(STATE_KEY, list_id)
        self.log.info("Sent list %s for verification", list_id)

    def execute_complete(self, context: Context, event: dict[str, Any]) -> dict[str, Any]:
        """Resume once the verification finished: the counts, and the invalid addresses acted on."""
        from airflow_provider_sendpulse.waiting.verification import verification_result

        list_id = verification_result(event)
        counts = self.hook.get_verification_counts(list_id)
        acted_on = 0
        if self.invalid_action is not None and counts.get("invalid"):
            invalid = (a.email for a in self.hook.iter_verified_addresses(list_id) if a.status == INVALID)
            if self.invalid_action == "remove":
                acted_on = self.hook.remove_contacts(list_id, invalid)
            else:
                acted_on = self.hook.unsubscribe_contacts(list_id, invalid)
            self.log.info(
                "%s %d invalid address(es) of list %s", self.invalid_action.title() + "d", acted_on, list_id
            )
        self.log.info("List %s verified: %s", list_id, counts)
        return {
            "list_id": list_id,
            "counts": counts,
            "total": sum(counts.values()),
            "invalid_action": self.invalid_action,
            "acted_on": acted_on,
        }

    def _verify_emails(self, emails: list[str]) -> dict[str, Any]:
        from airflow_provider_sendpulse.client.api.verifier import VERIFICATION_STATUSES

        counts = dict.fromkeys(("valid", "unconfirmed", "invalid", "unverified"), 0)
        invalid: list[str] = []
        for email in emails:
            status = self.hook.verify_email(email).get("status")
            name = VERIFICATION_STATUSES.get(status if isinstance(status, int) else 0, "unverified")
            counts[name] += 1
            if status == INVALID:
                invalid.append(email)
        self.log.info("Verified %d address(es): %s", len(emails), counts)
        return {
            "list_id": None,
            "counts": counts,
            "total": len(emails),
            "invalid_action": None,
            "acted_on": 0,
            "invalid_emails": invalid,
        }
