"""Airflow hook for the SendPulse REST API."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from airflow.providers.common.compat.sdk import mask_secret
from airflow.sdk import BaseHook, ObjectStoragePath

from airflow_provider_sendpulse import DEFAULT_ADD_BATCH_SIZE, DEFAULT_CONN_ID
from airflow_provider_sendpulse.client import api, errors
from airflow_provider_sendpulse.client.api import Call
from airflow_provider_sendpulse.client.core import ClientConfig
from airflow_provider_sendpulse.client.models import (
    AddSummary,
    BatchProgress,
    CampaignSpec,
    Contact,
    DoubleOptIn,
)
from airflow_provider_sendpulse.client.pagination import iter_items
from airflow_provider_sendpulse.events.campaigns import campaign_id as campaign_id_of
from airflow_provider_sendpulse.hooks import connection_form
from airflow_provider_sendpulse.hooks.batching import check_batch_size
from airflow_provider_sendpulse.hooks.chatbots import ChatbotHookMixin
from airflow_provider_sendpulse.hooks.contact_export import write_contacts
from airflow_provider_sendpulse.hooks.contact_import import ContactImport, ImportSource, OnInvalid
from airflow_provider_sendpulse.hooks.create_once import CAMPAIGN_ONCE, SMS_ONCE, Attempt, Outcome
from airflow_provider_sendpulse.hooks.files import FileFormat
from airflow_provider_sendpulse.hooks.progress import ProgressLog
from airflow_provider_sendpulse.hooks.services import ServicesHookMixin
from airflow_provider_sendpulse.hooks.settings import SCALE_SETTINGS, client_config

if TYPE_CHECKING:
    import asyncio

    import httpx

    from airflow_provider_sendpulse.client.async_client import AsyncSendPulseClient
    from airflow_provider_sendpulse.client.sync_client import SendPulseClient
    from airflow_provider_sendpulse.hooks.crm import SendPulseCrm

T = TypeVar("T")

ContactLike = Contact | str | Mapping[str, Any]

MAX_SMS_CANDIDATES = 20
"""SMS campaigns whose recipients are read, newest first, when looking for an earlier try's send."""


def _mask_token(token: str) -> None:
    mask_secret(token)


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _sms_sender(campaign: Mapping[str, Any]) -> object:
    return campaign.get("sender_name") or campaign.get("sender")


def _zone_note(info: Mapping[str, Any], configured: str) -> str:
    """The time-zone part of the Test message: the zone SendPulse reports against the connection's."""
    reported = info.get("timezone") or info.get("time_zone")
    if not isinstance(reported, str) or not reported.strip():
        return f"time zone {configured} (from the connection; SendPulse did not report one)"
    reported = reported.strip()
    if reported == configured:
        return f"account time zone {reported}"
    return (
        f"SendPulse reports the account time zone {reported!r} but the connection's 'timezone' extra "
        f"is {configured!r}: set it to {reported!r} so dates are sent in account time"
    )


def airflow_settings() -> dict[str, str]:
    """``rate_limit_store`` and ``token_cache_dir`` from Airflow's ``[sendpulse]`` section, where set."""
    from airflow.configuration import conf

    found = {}
    for name in SCALE_SETTINGS:
        value = conf.get("sendpulse", name, fallback=None)
        if value:
            found[name] = value
    return found


class SendPulseHook(ChatbotHookMixin, ServicesHookMixin, BaseHook):
    """Turn an Airflow ``sendpulse`` connection into a SendPulse API client.

    Connection: login = API ID, password = API Secret, host = base URL (default
    ``https://api.sendpulse.com``), extras ``api_key``, ``timeout``, ``max_requests_per_second``,
    ``max_retries``, ``allow_insecure_http`` and ``timezone`` (the account's IANA zone, default UTC:
    SendPulse's dates are in it). Tokens are cached per credential, renewed early and shared by every
    hook in the process that uses the same credential.

    :param sendpulse_conn_id: the Airflow connection to use.
    """

    conn_name_attr = "sendpulse_conn_id"
    default_conn_name = DEFAULT_CONN_ID
    conn_type = "sendpulse"
    hook_name = "SendPulse"

    def __init__(self, sendpulse_conn_id: str = default_conn_name, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sendpulse_conn_id = sendpulse_conn_id
        self._client: SendPulseClient | None = None

    @staticmethod
    def get_connection_form_widgets() -> dict[str, Any]:
        """Extra connection fields for Airflow 3.1 (later versions read them from the provider info)."""
        return connection_form.connection_form_widgets()

    @staticmethod
    def get_ui_field_behaviour() -> dict[str, Any]:
        """Relabelled and hidden standard fields for Airflow 3.1 (later versions use the provider info)."""
        return connection_form.ui_field_behaviour()

    # --- clients --------------------------------------------------------------------------

    @staticmethod
    def _config(conn: Any, extra: Mapping[str, Any]) -> ClientConfig:
        config = client_config(
            login=conn.login,
            password=conn.password,
            host=conn.host,
            extra=extra,
            schema=conn.schema,
            port=conn.port,
            defaults=airflow_settings(),
        )
        store = urlsplit(config.rate_limit_store).password if config.rate_limit_store else None
        for secret in (config.client_secret, config.api_key, store):
            if secret:
                mask_secret(secret)
        return config

    def get_client_config(self) -> ClientConfig:
        """The client settings read from the connection (sync; not for use inside a trigger)."""
        conn = self.get_connection(self.sendpulse_conn_id)
        return self._config(conn, conn.extra_dejson)

    def get_conn(self) -> SendPulseClient:
        """The sync client for this hook's connection (created once per hook)."""
        if self._client is None:
            # Imported here, not at the top: a DAG file that only declares tasks never loads requests.
            from airflow_provider_sendpulse.client.sync_client import SendPulseClient

            self._client = SendPulseClient(self.get_client_config(), on_new_secret=_mask_token)
        return self._client

    async def aget_client_config(self) -> ClientConfig:
        """The client settings, reading the connection without blocking the event loop."""
        from airflow.providers.common.compat.connection import (
            get_async_connection,
            get_async_extra_dejson,
        )

        conn = await get_async_connection(self.sendpulse_conn_id, hook=self)
        extra = await get_async_extra_dejson(conn)
        return self._config(conn, extra)

    async def get_async_client(
        self, http_client: httpx.AsyncClient | None = None, in_flight: asyncio.Semaphore | None = None
    ) -> AsyncSendPulseClient:
        """A new async client; reads the connection without blocking the event loop (triggerer-safe).

        Close it when done (``async with await hook.get_async_client() as client``). Pass a shared
        ``http_client`` (one per event loop) when many triggers run: it is used, never closed; and
        ``in_flight``, a semaphore with as many slots as its pool has connections.
        """
        from airflow_provider_sendpulse.client.async_client import AsyncSendPulseClient

        config = await self.aget_client_config()
        return AsyncSendPulseClient(
            config, on_new_secret=_mask_token, http_client=http_client, in_flight=in_flight
        )

    @property
    def account_zone(self) -> ZoneInfo:
        """The account's time zone (the connection's ``timezone`` extra, default UTC)."""
        return self.get_conn().config.zone

    def run(self, call: Call[T]) -> T:
        """Send one :mod:`~airflow_provider_sendpulse.client.api` call."""
        return self.get_conn().run(call)

    def call(
        self, method: str, path: str, params: dict[str, Any] | None = None, json: Any | None = None
    ) -> Any:
        """Call any SendPulse endpoint; returns the decoded JSON answer.

        Retries and rate limiting apply; the call is never treated as a create (it may be replayed
        after a timeout), so prefer the dedicated methods for creating campaigns or sending SMS.
        """
        return self.get_conn().call(method, path, params, json)

    def test_connection(self) -> tuple[bool, str]:
        """Check the credentials as entered with ``GET /user/info``; returns ``(ok, message)``.

        The token is minted afresh (never taken from the process-wide cache), so a wrong secret
        fails even right after a good one was tested. The message also names the account's time zone
        as SendPulse reports it (when it does) next to the connection's ``timezone`` setting, so a
        mismatch is seen before dates go wrong.
        """
        from airflow_provider_sendpulse.client.auth import TokenCache
        from airflow_provider_sendpulse.client.sync_client import SendPulseClient

        try:
            with SendPulseClient(
                self.get_client_config(), on_new_secret=_mask_token, token_cache=TokenCache()
            ) as client:
                info = client.run(api.get_user_info())
        except errors.SendPulseAuthError as exc:
            return False, f"{exc}. Check the API ID and API Secret (or the static API key)."
        except (errors.SendPulseError, ValueError) as exc:
            return False, str(exc)
        who = info.get("email") or info.get("name") or info.get("id")
        zone = _zone_note(info, client.config.timezone)
        return True, f"Connected to SendPulse{f' as {who}' if who else ''}; {zone}"

    # --- mailing lists --------------------------------------------------------------------

    def create_mailing_list(self, name: str) -> int:
        """Create a mailing list; returns its id."""
        return self.run(api.create_mailing_list(name))

    def get_mailing_list(self, list_id: int) -> dict[str, Any]:
        """One mailing list (raises :class:`SendPulseNotFoundError` if missing)."""
        return self.run(api.get_mailing_list(list_id))

    def iter_mailing_lists(self) -> Iterator[dict[str, Any]]:
        """Every mailing list, fetched a page at a time."""
        return iter_items(self.get_conn(), api.list_mailing_lists)

    def find_mailing_list(self, name: str) -> dict[str, Any] | None:
        """The first mailing list named exactly ``name``, or None."""
        return next((item for item in self.iter_mailing_lists() if item.get("name") == name), None)

    def create_or_find_mailing_list(self, name: str) -> tuple[int, bool]:
        """``(id, created)``: the list named exactly ``name``, created when there is none.

        SendPulse list names are unique per account, so a create refused because the name was taken
        meanwhile, or one whose answer was lost, is settled by looking the name up again.
        """
        existing = self.find_mailing_list(name)
        if existing is None:
            try:
                return self.create_mailing_list(name), True
            except (errors.SendPulseValidationError, errors.SendPulseAmbiguousCreateError):
                existing = self.find_mailing_list(name)
                if existing is None:
                    raise
        return int(existing["id"]), False

    def rename_mailing_list(self, list_id: int, name: str) -> None:
        """Rename a mailing list."""
        self.run(api.rename_mailing_list(list_id, name))

    def delete_mailing_list(self, list_id: int) -> None:
        """Delete a mailing list."""
        self.run(api.delete_mailing_list(list_id))

    def get_list_variables(self, list_id: int) -> list[dict[str, Any]]:
        """The variables (``name``, ``type``) defined in a mailing list."""
        return self.run(api.list_variables(list_id))

    def count_contacts(self, list_id: int) -> int:
        """How many contacts a mailing list holds."""
        return self.run(api.count_contacts(list_id))

    # --- contacts -------------------------------------------------------------------------

    def add_contacts(
        self,
        list_id: int,
        contacts: Iterable[ContactLike],
        batch_size: int = DEFAULT_ADD_BATCH_SIZE,
        double_opt_in: DoubleOptIn | None = None,
        on_batch: Callable[[BatchProgress], None] | None = None,
    ) -> AddSummary:
        """Stream contacts into a list in batches; only one batch is held in memory.

        :param contacts: Contacts, bare emails, or mappings with ``email`` (and ``variables``).
        :param on_batch: called after each batch is accepted.
        """
        check_batch_size(batch_size)
        started = time.monotonic()
        sent = batches = 0
        for chunk in _chunks((Contact.coerce(c) for c in contacts), batch_size):
            self.run(api.add_contacts(list_id, chunk, double_opt_in))
            sent += len(chunk)
            batches += 1
            if on_batch is not None:
                on_batch(BatchProgress(list_id, batches, len(chunk), sent, time.monotonic() - started))
        return AddSummary(list_id, sent, batches, batch_size, time.monotonic() - started)

    def import_contacts(
        self,
        list_id: int,
        source: ImportSource,
        *,
        on_invalid: OnInvalid = "fail",
        batch_size: int = DEFAULT_ADD_BATCH_SIZE,
        double_opt_in: DoubleOptIn | None = None,
    ) -> dict[str, Any]:
        """Import a re-readable stream of rows: note each row's email, then send the valid ones in batches.

        With ``on_invalid="fail"`` every row is validated first and nothing is sent when a row is bad
        (:class:`SendPulseInputError` names the rows by position); rows repeating an email are merged,
        the last valid one winning. Returns counts:
        see :class:`~airflow_provider_sendpulse.hooks.contact_import.ContactImport`.
        """
        check_batch_size(batch_size)
        job = ContactImport(
            self.add_contacts, self.log, list_id, source, on_invalid, batch_size, double_opt_in
        )
        return job.run()

    def export_contacts(
        self,
        list_id: int,
        target: Path | ObjectStoragePath,
        file_format: FileFormat,
        *,
        active_only: bool = False,
        include_status: bool = False,
    ) -> int:
        """Stream a list's contacts to a CSV or JSON-lines file, logging progress; returns how many.

        CSV has the list's variables as columns (others are left out, with a warning); JSON lines keep
        every variable. A local file appears only when complete.
        """
        variables = [str(v["name"]) for v in self.get_list_variables(list_id) if v.get("name")]
        total = self.count_contacts(list_id)
        progress = ProgressLog(self.log, total, verb="Exported")
        count, dropped = write_contacts(
            self.iter_contacts(list_id, active=True if active_only else None),
            target,
            file_format,
            variables,
            include_status=include_status,
            on_contact=lambda done: progress.update(min(done, total) if total else done),
        )
        progress.update(count, force=True)
        if dropped:
            self.log.warning(
                "Variables not defined in list %s were left out of the CSV: %s; JSON lines keep them",
                list_id,
                ", ".join(sorted(dropped)[:10]),
            )
        return count

    def remove_contacts(self, list_id: int, emails: Iterable[str]) -> int:
        """Remove emails from a list (100 per call); returns how many were sent."""
        return self._per_hundred(emails, lambda chunk: api.remove_contacts(list_id, chunk))

    def unsubscribe_contacts(self, list_id: int, emails: Iterable[str]) -> int:
        """Unsubscribe emails in a list (100 per call); returns how many were sent."""
        return self._per_hundred(emails, lambda chunk: api.unsubscribe_contacts(list_id, chunk))

    def _per_hundred(self, emails: Iterable[str], make: Callable[[list[str]], Call[None]]) -> int:
        count = 0
        for chunk in _chunks(emails, api.MAX_EMAILS_PER_CALL):
            self.run(make(chunk))
            count += len(chunk)
        return count

    def update_contact_variables(self, list_id: int, email: str, variables: Mapping[str, Any]) -> None:
        """Set variables of one contact."""
        self.run(api.update_contact_variables(list_id, email, variables))

    def iter_contacts(
        self, list_id: int, order: str | None = None, active: bool | None = None
    ) -> Iterator[dict[str, Any]]:
        """Every contact of a list, fetched a page at a time."""
        return iter_items(
            self.get_conn(),
            lambda limit, offset: api.list_contacts(list_id, limit, offset, order=order, active=active),
        )

    def get_contact(self, list_id: int, email: str) -> dict[str, Any]:
        """One contact of a list."""
        return self.run(api.get_contact(list_id, email))

    # --- email campaigns ------------------------------------------------------------------

    def create_campaign(self, spec: CampaignSpec) -> dict[str, Any]:
        """Create an email campaign; returns SendPulse's answer (``id``, ``status``...).

        Raises :class:`SendPulseAmbiguousCreateError` instead of replaying after a timeout, a
        dropped connection or a 5xx: look the campaign up (:meth:`find_campaign`) before retrying.
        """
        return self.run(api.create_campaign(spec))

    def get_campaign(self, campaign_id: int) -> dict[str, Any]:
        """One campaign with its status and statistics."""
        return self.run(api.get_campaign(campaign_id))

    def iter_campaigns(self, status: Sequence[int] | None = None) -> Iterator[dict[str, Any]]:
        """Every campaign, newest first, optionally only with the given status codes."""
        return iter_items(
            self.get_conn(),
            lambda limit, offset: api.list_campaigns(limit, offset, order="desc", status=status),
        )

    def find_campaign(self, name: str) -> dict[str, Any] | None:
        """The newest campaign named exactly ``name``, or None."""
        return next((item for item in self.iter_campaigns() if item.get("name") == name), None)

    def edit_campaign(self, campaign_id: int, **changes: Any) -> None:
        """Change a scheduled campaign: ``name``, ``subject``, ``sender_name``, ``sender_email``,
        ``template_id`` or ``send_date`` (a datetime; naive means account time).

        Other fields raise ValueError: SendPulse ignores them, so the edit would change nothing.
        """
        self.run(api.edit_campaign(campaign_id, **changes))

    def cancel_campaign(self, campaign_id: int) -> None:
        """Cancel a scheduled campaign."""
        self.run(api.cancel_campaign(campaign_id))

    def get_campaign_stats(self, campaign_id: int) -> dict[str, Any]:
        """``{"campaign": ..., "countries": {...}, "referrals": [...]}`` for one campaign.

        Countries and referrals are empty when SendPulse has none yet (a campaign not sent).
        """
        campaign = self.get_campaign(campaign_id)
        try:
            countries = self.run(api.campaign_countries(campaign_id))
        except errors.SendPulseNotFoundError:
            countries = {}
        try:
            referrals = self.run(api.campaign_referrals(campaign_id))
        except errors.SendPulseNotFoundError:
            referrals = []
        return {"campaign": campaign, "countries": countries, "referrals": referrals}

    def create_campaign_once(self, spec: CampaignSpec, attempt: Attempt) -> Outcome:
        """Create a campaign once per task instance: an earlier try's campaign (recorded, or found by
        ``spec.name``, which must be given) is returned instead of a second one.
        """
        name = spec.name
        if not name:
            raise ValueError("create_campaign_once needs CampaignSpec.name: it identifies the campaign")
        return CAMPAIGN_ONCE.run(
            attempt,
            create=lambda: {"name": name, **self.create_campaign(spec)},
            find=lambda: self.find_campaign(name),
            fetch=self.get_campaign,
            log=self.log,
        )

    # --- senders and templates ------------------------------------------------------------

    def list_senders(self) -> list[dict[str, Any]]:
        """The account's sender addresses."""
        return self.run(api.list_senders())

    def list_templates(self, owner: str | None = "me") -> list[dict[str, Any]]:
        """Templates (``owner`` ``"me"`` or ``"sendpulse"``), all pages."""
        return list(
            iter_items(self.get_conn(), lambda limit, offset: api.list_templates(owner, limit, offset))
        )

    def get_template(self, template_id: int | str) -> dict[str, Any]:
        """One template."""
        return self.run(api.get_template(template_id))

    def create_template(self, body_html: str, name: str | None = None, lang: str = "en") -> int:
        """Store an HTML template; returns its id."""
        return self.run(api.create_template(body_html, name, lang))

    # --- SMS ------------------------------------------------------------------------------

    def add_phones(self, list_id: int, phones: Sequence[str]) -> dict[str, Any]:
        """Add phone numbers (digits, international format) to a list; returns the counters."""
        return self.run(api.add_phones(list_id, phones))

    def send_sms(
        self,
        sender: str,
        phones: Sequence[str],
        body: str,
        date: str | datetime | None = None,
        route: Mapping[str, Any] | None = None,
        emulate: bool | None = None,
    ) -> dict[str, Any]:
        """Send an SMS to phone numbers; returns ``campaign_id`` and counters (never replayed)."""
        return self.run(api.send_sms(sender, phones, body, date, route, emulate))

    def create_sms_campaign(
        self,
        sender: str,
        list_id: int,
        body: str,
        date: str | datetime | None = None,
        route: Mapping[str, Any] | None = None,
        emulate: bool | None = None,
    ) -> dict[str, Any]:
        """An SMS campaign to a list's phones; returns ``campaign_id`` (never replayed)."""
        return self.run(api.create_sms_campaign(sender, list_id, body, date, route, emulate))

    def send_sms_once(
        self,
        attempt: Attempt,
        sender: str,
        body: str,
        *,
        phones: Sequence[str] | None = None,
        list_id: int | None = None,
        date: str | datetime | None = None,
        route: Mapping[str, Any] | None = None,
        emulate: bool | None = None,
    ) -> Outcome:
        """Send an SMS (to ``phones`` or to a list's phones) once per task instance.

        A retry returns the send an earlier try recorded, or finds it among the SMS campaigns since the DAG
        run started (same sender and recipients); when an earlier try started sending and nothing is
        found, it fails (:class:`SendPulseInputError`) rather than risk a second send.
        """
        if (phones is None) == (list_id is None):
            raise ValueError("give exactly one of phones and list_id")

        def send() -> dict[str, Any]:
            if phones is not None:
                return self.send_sms(sender, phones, body, date, route, emulate)
            assert list_id is not None
            return self.create_sms_campaign(sender, list_id, body, date, route, emulate)

        def find() -> dict[str, Any] | None:
            found = self.find_sms_send(sender, phones=phones, list_id=list_id, since=attempt.run_started)
            return None if found is None else {"campaign_id": found}

        return SMS_ONCE.run(attempt, create=send, find=find, fetch=None, log=self.log)

    def find_sms_send(
        self,
        sender: str,
        *,
        phones: Sequence[str] | None = None,
        list_id: int | None = None,
        since: datetime | None = None,
    ) -> int | None:
        """The newest SMS campaign since ``since`` (default a day ago) from ``sender`` to the same recipients.

        SendPulse's list of SMS campaigns carries no text, so recipients identify a send: the list id, or
        the exact set of phone numbers (read from the campaign's details, newest candidates first).
        """
        now = datetime.now(UTC)
        start = since or now - timedelta(days=1)
        # Aware datetimes: the client renders them in the account's time zone, so the window is exact
        # (to the second: SendPulse dates have no fractions).
        campaigns = self.list_sms_campaigns(
            start.replace(microsecond=0), now.replace(microsecond=0) + timedelta(seconds=1)
        )
        ours = [c for c in campaigns if campaign_id_of(c) and _sms_sender(c) == sender]
        ours.sort(key=lambda c: campaign_id_of(c) or 0, reverse=True)
        for item in ours[:MAX_SMS_CANDIDATES]:
            campaign_id = campaign_id_of(item) or 0
            if list_id is not None:
                if str(item.get("address_book_id")) == str(list_id):
                    return campaign_id
                continue
            details = self.get_sms_campaign(campaign_id)
            sent_to = {
                str(p.get("phone")) for p in details.get("task_phones_info") or [] if isinstance(p, Mapping)
            }
            if sent_to == set(phones or ()):
                return campaign_id
        return None

    def get_sms_campaign(self, campaign_id: int) -> dict[str, Any]:
        """One SMS campaign."""
        return self.run(api.get_sms_campaign(campaign_id))

    def list_sms_campaigns(self, date_from: str | datetime, date_to: str | datetime) -> list[dict[str, Any]]:
        """SMS campaigns created within a date window (inclusive; naive datetimes are account time)."""
        return self.run(api.list_sms_campaigns(date_from, date_to))

    def cancel_sms_campaign(self, campaign_id: int) -> None:
        """Cancel a scheduled SMS campaign."""
        self.run(api.cancel_sms_campaign(campaign_id))

    def sms_cost(
        self, sender: str, body: str, list_id: int | None = None, phones: Sequence[str] | None = None
    ) -> dict[str, Any]:
        """What an SMS campaign would cost, to a list or to phone numbers."""
        return self.run(api.sms_cost(sender, body, list_id, phones))

    # --- CRM ------------------------------------------------------------------------------

    @property
    def crm(self) -> SendPulseCrm:
        """CRM contacts, deals and pipelines (async: ``hooks.crm.AsyncSendPulseCrm``)."""
        from airflow_provider_sendpulse.hooks.crm import SendPulseCrm

        return SendPulseCrm(self.get_conn())

    # --- account --------------------------------------------------------------------------

    def get_balance(self, currency: str | None = None) -> dict[str, Any]:
        """The account balance."""
        return self.run(api.get_balance(currency))

    def get_user_info(self) -> dict[str, Any]:
        """The account behind the credentials."""
        return self.run(api.get_user_info())
