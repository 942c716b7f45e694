"""The hook's Automation 360, transactional email (SMTP) and email verification methods.

Mixed into :class:`~airflow_provider_sendpulse.hooks.sendpulse.SendPulseHook`; every method is one
:mod:`~airflow_provider_sendpulse.client.api` call, a walk over pages, or a composite from
:mod:`~airflow_provider_sendpulse.hooks.automation_events` and
:mod:`~airflow_provider_sendpulse.hooks.smtp_log`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from airflow_provider_sendpulse.client import api
from airflow_provider_sendpulse.client.api import Call
from airflow_provider_sendpulse.client.pagination import iter_items
from airflow_provider_sendpulse.hooks.create_once import EMAIL_ONCE, Attempt, Outcome

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from airflow.sdk import ObjectStoragePath
    from airflow.sdk.types import Logger

    from airflow_provider_sendpulse.client.api.smtp import EmailMessage
    from airflow_provider_sendpulse.client.api.verifier import VerificationProgress, VerifiedAddress
    from airflow_provider_sendpulse.client.sync_client import SendPulseClient
    from airflow_provider_sendpulse.hooks.automation_events import EventSource, Failures
    from airflow_provider_sendpulse.hooks.contact_import import OnInvalid
    from airflow_provider_sendpulse.hooks.files import FileFormat
    from airflow_provider_sendpulse.hooks.smtp_log import Interval, LogKind

T = TypeVar("T")


class ServicesHookMixin:
    """Automation 360, SMTP and verifier calls for a hook that provides :meth:`run`, :meth:`get_conn`,
    ``log`` and ``account_zone``."""

    if TYPE_CHECKING:

        @property
        def log(self) -> Logger: ...

        def run(self, call: Call[T]) -> T: ...

        def get_conn(self) -> SendPulseClient: ...

        @property
        def account_zone(self) -> ZoneInfo: ...

    # --- Automation 360 -------------------------------------------------------------------

    def start_automation_event(
        self,
        event_name: str,
        *,
        email: str | None = None,
        phone: str | None = None,
        variables: Mapping[str, Any] | None = None,
    ) -> None:
        """Start an Automation 360 event's flows for one contact (never replayed after a lost answer)."""
        self.run(api.start_event(event_name, email=email, phone=phone, variables=variables))

    def send_automation_events(
        self,
        event_name: str,
        source: EventSource,
        attempt: Attempt,
        *,
        on_invalid: OnInvalid = "fail",
        daily_cap: int = api.DAILY_FLOW_START_CAP,
        failures: Failures | None = None,
    ) -> dict[str, Any]:
        """Start ``event_name`` for every valid row of ``source``, one request per row at the rate limit,
        resuming after the rows an earlier try of the task instance acknowledged. See
        :mod:`~airflow_provider_sendpulse.hooks.automation_events`.
        """
        from airflow_provider_sendpulse.hooks import automation_events

        run = automation_events.EventRun(
            lambda row: self.start_automation_event(
                event_name, email=row.email, phone=row.phone, variables=row.variables
            ),
            self.log,
            event_name,
            source,
            attempt.state,
            retried=attempt.retried,
            on_invalid=on_invalid,
            daily_cap=daily_cap,
            failures=failures or automation_events.Failures(None),
        )
        return run.run()

    # --- transactional email (SMTP) -------------------------------------------------------

    def send_transactional_email(self, message: EmailMessage) -> str:
        """Send one transactional email; returns its message id (never replayed after a lost answer)."""
        return self.run(api.send_email(message)).id

    def send_transactional_email_once(self, attempt: Attempt, message: EmailMessage) -> Outcome:
        """Send a transactional email once per task instance.

        A retry returns the message an earlier try recorded, or finds it in the SMTP log since the DAG run
        started (same sender, first recipient and subject); when an earlier try started sending and
        nothing is found, it fails (:class:`SendPulseInputError`) rather than risk a second send.
        """

        def find() -> dict[str, Any] | None:
            found = self.find_transactional_email(message, since=attempt.run_started)
            return None if found is None else {"id": found}

        return EMAIL_ONCE.run(
            attempt,
            create=lambda: {"id": self.send_transactional_email(message)},
            find=find,
            fetch=None,
            log=self.log,
        )

    def find_transactional_email(self, message: EmailMessage, since: datetime | None = None) -> str | None:
        """The id of the newest logged message since ``since`` (default a day ago) from the same sender to
        the same first recipient with the same subject, or None."""
        from airflow_provider_sendpulse.hooks.smtp_log import Interval

        now = datetime.now(UTC)
        start = since or now - timedelta(days=1)
        interval = Interval(start.replace(microsecond=0), now + timedelta(seconds=1), self.account_zone)
        found: str | None = None
        for item in self.iter_smtp_log_items(
            "emails", interval, sender=message.sender.email, recipient=message.to[0].email
        ):
            if item.get("subject") == message.subject and interval.holds(
                interval.moment(item.get("send_date"))
            ):
                found = str(item.get("id"))
        return found

    def iter_smtp_log_items(
        self,
        kind: LogKind,
        interval: Interval,
        *,
        sender: str | None = None,
        recipient: str | None = None,
    ) -> Iterator[dict[str, Any]]:
        """SendPulse's items of one SMTP log (``emails``, ``bounces`` or ``unsubscribes``) for every
        account day the interval touches, a page at a time (not yet cut to the interval)."""
        days = interval.days()
        if kind == "emails":
            yield from iter_items(
                self.get_conn(),
                lambda limit, offset: api.list_smtp_emails(
                    days[0], days[-1], limit, offset, sender=sender, recipient=recipient
                ),
            )
            return
        per_day = api.smtp_bounces if kind == "bounces" else api.smtp_unsubscribes
        for day in days:
            yield from iter_items(self.get_conn(), functools.partial(per_day, day))

    def export_smtp_log(
        self,
        kind: LogKind,
        interval: Interval,
        target: Path | ObjectStoragePath,
        file_format: FileFormat,
    ) -> int:
        """Stream one SMTP log's records of ``[start, end)`` to a CSV or JSON-lines file; returns how many."""
        from airflow_provider_sendpulse.hooks.files import write_records
        from airflow_provider_sendpulse.hooks.smtp_log import COLUMNS, records_in

        def on_record(done: int) -> None:
            if done % 10_000 == 0:
                self.log.info("Exported %d SMTP %s record(s) so far", done, kind)

        count = write_records(
            records_in(kind, self.iter_smtp_log_items(kind, interval), interval),
            target,
            file_format,
            COLUMNS[kind],
            on_record=on_record,
        )
        self.log.info("Exported %d SMTP %s record(s) to %s", count, kind, target)
        return count

    # --- email verification ---------------------------------------------------------------

    def start_list_verification(self, list_id: int) -> None:
        """Send a mailing list for verification."""
        self.run(api.verify_list(list_id))

    def get_verification_progress(self, list_id: int) -> VerificationProgress:
        """How many of a list's addresses are verified so far."""
        return self.run(api.verification_progress(list_id))

    def get_verification_counts(self, list_id: int) -> dict[str, int]:
        """A verified list's address counts per result (``valid``, ``invalid``, ``unconfirmed``...)."""
        return dict(self.run(api.verification_results(list_id, 0, 1)).counts)

    def iter_verified_addresses(self, list_id: int) -> Iterator[VerifiedAddress]:
        """Every address of a verified list with its result, a page at a time."""
        return iter_items(
            self.get_conn(), lambda limit, offset: api.verified_addresses(list_id, limit, offset)
        )

    def verify_email(self, email: str) -> dict[str, Any]:
        """Verify one address: queue it, then read its checks (``status`` 1 valid, 2 unconfirmed,
        3 invalid)."""
        self.run(api.verify_email(email))
        return self.run(api.email_verification(email))
