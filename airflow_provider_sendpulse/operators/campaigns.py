"""Operators for SendPulse email campaigns: create (once per task instance), cancel, read statistics."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

import jinja2
from airflow.providers.common.compat.sdk import conf

from airflow_provider_sendpulse.events.statuses import STATUS_NAMES, status_name
from airflow_provider_sendpulse.links import (
    CAMPAIGN_ID_KEY,
    CAMPAIGN_URL_KEY,
    SendPulseCampaignLink,
    campaign_url,
)
from airflow_provider_sendpulse.operators.base import SendPulseBaseOperator
from airflow_provider_sendpulse.operators.validation import (
    HOW_TO_LOAD_A_BODY,
    TEMPLATE_FILE_EXTENSIONS,
    SendPulseInputError,
    check_at_parse,
    check_attachments,
    check_body_html,
    check_email,
    check_flag,
    check_list_ids,
    check_positive_int,
    check_seconds,
    check_text,
    int_or_none,
    model_errors,
    rendered_list,
)

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_provider_sendpulse.client.models import CampaignSpec

SENDER_NOT_FOUND_CODES = frozenset({701, 704, 1003})
"""SendPulse's ``error_code`` values for a sender address that is missing, unknown or not activated."""


class SendPulseCreateCampaignOperator(SendPulseBaseOperator):
    """Create an email campaign (send now, schedule, or save as draft) exactly once per task instance.

    Retry safety: the campaign's identity is its ``name``. Without one, the name is derived from the task
    instance, ``airflow <dag_id>.<task_id>[<map_index>] <run_id>``, so every try of the same task instance
    agrees on it. Right after creating, the campaign id is kept in the task state store (Airflow 3.3+),
    then pushed to XCom (``campaign_id``, ``campaign_url``) before anything else can fail. A later try
    (``try_number > 1``) first reads the stored id, then looks the name up in SendPulse, and returns the
    campaign it finds instead of creating a second one; so does a create call whose outcome is unknown
    (connection dropped after sending). A name you give is the identity: keep it unique per run, e.g.
    ``"Newsletter {{ ds }}"``. Clearing the task keeps the task state, so a cleared task returns the
    campaign it already created rather than sending the same one again.

    :param sender_name: sender's display name (templated).
    :param sender_email: an activated SendPulse sender address (templated).
    :param subject: email subject (templated).
    :param body_html: the HTML itself, or the name of a template file ending in ``.html``, ``.htm``,
        ``.j2``, ``.jinja`` or ``.jinja2``, looked up relative to the DAG file's folder and the DAG's
        ``template_searchpath`` (templated). A value that looks like a path but was not loaded is refused,
        never sent as text. SendPulse's own ``{{name}}`` placeholders must be escaped from Jinja:
        ``{{ '{{name}}' }}`` or a ``{% raw %}...{% endraw %}`` block.
    :param template_id: SendPulse template id, instead of ``body_html`` (templated).
    :param list_ids: one mailing list id or up to 10 (templated).
    :param segment_id: a segment id, instead of ``list_ids`` (templated).
    :param send_date: when to send, a future datetime or ``YYYY-MM-DD HH:MM:SS`` string; naive values are
        in the connection's ``timezone`` (the account's zone, default UTC); default now (templated).
    :param name: campaign name, its identity across retries (templated).
    :param attachments: up to 5 files, ``{"file name": "text content"}`` (templated).
    :param track_opens: track opens (SendPulse's default when None).
    :param track_clicks: track clicks (SendPulse's default when None).
    :param utm_campaign: UTM campaign tag for links (templated).
    :param draft: only save the campaign as a draft.
    :param wait_for_completion: after creating, wait until the campaign reaches a final status; return
        its final status and statistics, fail if it was not sent.
    :param deferrable: wait in the triggerer, freeing the worker slot; when False the task checks the
        campaign itself (no triggerer needed). Default ``[operators] default_deferrable`` (False unless
        configured).
    :param poll_interval: seconds between status checks while waiting; default
        ``[sendpulse] default_campaign_poll_interval`` (60) (templated).
    :param wait_timeout: seconds to wait at most (None: as long as it takes) (templated).
    :param sendpulse_conn_id: Airflow connection of type ``sendpulse``.
    :return: ``{"id", "name", "status", "status_name", "url", "created"}``; ``created`` is False when an
        earlier try had created it. With ``wait_for_completion`` the final ``status`` and ``status_name``,
        plus ``statistics`` (SendPulse's list of ``{"code", "count", "explain"}`` entries, as
        ``GET /campaigns/{id}`` returns it) and ``final``: ``{"campaign_id", "status", "status_name",
        "name", "send_date", "all_email_qty", "statistics", "campaign"}``, ``all_email_qty`` being the
        recipients and ``campaign`` SendPulse's whole answer. For named counts (``opens``, ``clicks``...)
        run :class:`SendPulseGetCampaignStatsOperator` afterwards.
    """

    template_fields: Sequence[str] = (
        "sender_name",
        "sender_email",
        "subject",
        "body_html",
        "template_id",
        "list_ids",
        "segment_id",
        "send_date",
        "name",
        "attachments",
        "utm_campaign",
        "poll_interval",
        "wait_timeout",
    )
    template_ext: Sequence[str] = TEMPLATE_FILE_EXTENSIONS
    template_fields_renderers: ClassVar[dict[str, str]] = {"body_html": "html", "attachments": "json"}
    operator_extra_links = (SendPulseCampaignLink(),)

    def __init__(
        self,
        *,
        sender_name: str,
        sender_email: str,
        subject: str,
        body_html: str | None = None,
        template_id: int | str | None = None,
        list_ids: int | str | Sequence[int | str] | None = None,
        segment_id: int | str | None = None,
        send_date: datetime | str | None = None,
        name: str | None = None,
        attachments: Mapping[str, str] | None = None,
        track_opens: bool | None = None,
        track_clicks: bool | None = None,
        utm_campaign: str | None = None,
        draft: bool = False,
        wait_for_completion: bool = False,
        deferrable: bool = conf.getboolean("operators", "default_deferrable", fallback=False),
        poll_interval: float | None = None,
        wait_timeout: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        check_flag(draft, "draft")
        check_flag(wait_for_completion, "wait_for_completion")
        check_flag(deferrable, "deferrable")
        check_flag(track_opens, "track_opens", optional=True)
        check_flag(track_clicks, "track_clicks", optional=True)
        if wait_for_completion and draft:
            raise SendPulseInputError("wait_for_completion: a draft is never sent; do not wait for it.")
        check_at_parse(poll_interval, "poll_interval", check_seconds)
        check_at_parse(wait_timeout, "wait_timeout", check_seconds)
        self.sender_name = sender_name
        self.sender_email = sender_email
        self.subject = subject
        self.body_html = body_html
        self.template_id = template_id
        self.list_ids = list_ids
        self.segment_id = segment_id
        self.send_date = send_date
        self.name = name
        self.attachments = attachments
        self.track_opens = track_opens
        self.track_clicks = track_clicks
        self.utm_campaign = utm_campaign
        self.draft = draft
        self.wait_for_completion = wait_for_completion
        self.deferrable = deferrable
        self.poll_interval = poll_interval
        self.wait_timeout = wait_timeout

    def render_template_fields(self, context: Context, jinja_env: jinja2.Environment | None = None) -> None:
        """Render as Airflow does; a body file that cannot be found fails with where it was looked for."""
        try:
            super().render_template_fields(context, jinja_env)
        except jinja2.TemplateNotFound as error:
            raise SendPulseInputError(
                f"body_html: template file {error.name!r} was not found. {HOW_TO_LOAD_A_BODY}"
            ) from None

    def execute(self, context: Context) -> dict[str, Any]:
        self.published_campaign_url: str | None = None  # read by the extra link as the task ends
        spec = self.build_spec(context)
        campaign, created = self.create_once(spec, context)
        return self.result(context, campaign, created)

    def build_spec(self, context: Context) -> CampaignSpec:
        """Validate every field and build the request, before any request is sent."""
        from airflow_provider_sendpulse.client.models import CampaignSpec
        from airflow_provider_sendpulse.operators.identity import bounded_name, task_identity

        sender_name = check_text(self.sender_name, "sender_name")
        sender_email = check_email(self.sender_email, "sender_email")
        subject = check_text(self.subject, "subject")
        has_body = self.body_html not in (None, "")
        has_template = self.template_id not in (None, "")
        if has_body == has_template:
            raise SendPulseInputError("body_html/template_id: give exactly one of body_html and template_id.")
        body = check_body_html(self.body_html) if has_body else None
        template = self._template_id() if has_template else None
        has_lists = self.list_ids not in (None, "", [])
        has_segment = self.segment_id not in (None, "")
        if has_lists == has_segment:
            raise SendPulseInputError("list_ids/segment_id: give exactly one of list_ids and segment_id.")
        list_ids = check_list_ids(rendered_list(self.list_ids)) if has_lists else None
        segment = check_positive_int(self.segment_id, "segment_id") if has_segment else None
        send_date = self.check_date(self.send_date)
        attachments = check_attachments(self.attachments)
        if self.utm_campaign not in (None, "") and not isinstance(self.utm_campaign, str):
            raise SendPulseInputError(f"utm_campaign: must be a string, got {self.utm_campaign!r}.")
        if self.name not in (None, ""):
            name = check_text(self.name, "name").strip()
        else:
            name = bounded_name(f"airflow {task_identity(context)}")
        with model_errors("campaign"):
            return CampaignSpec(
                sender_name=sender_name,
                sender_email=sender_email,
                subject=subject,
                list_ids=list_ids,
                segment_id=segment,
                body_html=body,
                template_id=template,
                name=name,
                send_date=send_date,
                attachments=attachments,
                draft=bool(self.draft),
                track_opens=self.track_opens,
                track_clicks=self.track_clicks,
                utm_campaign=self.utm_campaign or None,
            )

    def create_once(self, spec: CampaignSpec, context: Context) -> tuple[dict[str, Any], bool]:
        """Return ``(campaign, created)``: the campaign of an earlier try if there is one, else a new one."""
        from airflow_provider_sendpulse.client.errors import SendPulseValidationError
        from airflow_provider_sendpulse.hooks.create_once import Attempt

        try:
            outcome = self.hook.create_campaign_once(spec, Attempt.from_context(context))
        except SendPulseValidationError as error:
            if error.error_code in SENDER_NOT_FOUND_CODES:
                raise SendPulseInputError(
                    f"sender_email: {spec.sender_email!r} is not an activated sender of this SendPulse "
                    f"account ({error}). List the account's senders with SendPulseHook().list_senders() "
                    "or SendPulseApiOperator(endpoint='/senders'); add and activate one in SendPulse under "
                    "Service settings > Sender addresses."
                ) from error
            raise
        self._publish(context, int(outcome.id))
        if outcome.created:
            self.log.info("Created campaign %s (%r)", outcome.id, spec.name)
        return outcome.answer, outcome.created

    def result(self, context: Context, campaign: Mapping[str, Any], created: bool) -> dict[str, Any]:
        """The task's return value; with ``wait_for_completion``, once the campaign is final."""
        campaign_id = int(campaign["id"])
        status = int_or_none(campaign.get("status"))
        described = status_name(status) if status is not None else "created"
        self.log.info("Campaign %s is %s", campaign_id, described)
        summary = {
            "id": campaign_id,
            "name": campaign.get("name"),
            "status": status,
            "status_name": STATUS_NAMES.get(status) if status is not None else None,
            "url": self._url(campaign_id),
            "created": created,
        }
        if self.wait_for_completion:
            return self._wait(context, campaign_id, summary)
        return summary

    def _wait(self, context: Context, campaign_id: int, summary: dict[str, Any]) -> dict[str, Any]:
        """Wait until the campaign is final: deferred to the triggerer, or here when not deferrable."""
        from airflow_provider_sendpulse.waiting.campaigns import wait_here

        poll_interval = check_seconds(self.poll_interval, "poll_interval")
        wait_timeout = check_seconds(self.wait_timeout, "wait_timeout")
        deadline = None if wait_timeout is None else time.time() + wait_timeout
        if not self.deferrable:
            self.log.info("Waiting for campaign %s to finish", campaign_id)
            event = wait_here(self.hook.get_conn(), campaign_id, poll_interval, deadline, self.log)
            return self.execute_complete(context, event, summary)

        from airflow_provider_sendpulse.triggers.campaigns import SendPulseCampaignTrigger

        self.log.info("Waiting for campaign %s to finish (deferred)", campaign_id)
        self.defer(
            trigger=SendPulseCampaignTrigger(
                campaign_id=campaign_id,
                sendpulse_conn_id=self.sendpulse_conn_id,
                poll_interval=poll_interval,
                deadline=deadline,
            ),
            method_name="execute_complete",
            kwargs={"summary": summary},
            # Airflow's own timeout only backs up the trigger's deadline, which reports first.
            timeout=None if wait_timeout is None else timedelta(seconds=wait_timeout + 60),
        )

    def execute_complete(
        self, context: Context, event: dict[str, Any], summary: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Resume after the campaign reached a final status: its status and statistics, or an error."""
        from airflow_provider_sendpulse.waiting.campaigns import campaign_result

        final = campaign_result(event)
        if summary is None:
            # `airflow dags test` resumes a task with the trigger's event only, without the kwargs it
            # deferred with; whether this try created the campaign is then unknown.
            campaign_id = int(final["campaign_id"])
            summary = {
                "id": campaign_id,
                "name": final.get("name"),
                "url": self._url(campaign_id),
                "created": None,
            }
        self.log.info("Campaign %s finished as %s", summary["id"], final["status_name"])
        return {
            **summary,
            "status": final["status"],
            "status_name": final["status_name"],
            "statistics": final["statistics"],
            "final": final,
        }

    def _publish(self, context: Context, campaign_id: int) -> None:
        ti = context["ti"]
        ti.xcom_push(key=CAMPAIGN_ID_KEY, value=campaign_id)
        self.published_campaign_url = self._url(campaign_id)
        ti.xcom_push(key=CAMPAIGN_URL_KEY, value=self.published_campaign_url)

    def _url(self, campaign_id: int) -> str | None:
        return campaign_url(campaign_id, _api_base_url(self))

    def _template_id(self) -> int | str:
        value = self.template_id
        if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).strip():
            raise SendPulseInputError(f"template_id: must be a template id, got {value!r}.")
        return value.strip() if isinstance(value, str) else value


class _CampaignOperator(SendPulseBaseOperator):
    """Base for operators on one existing campaign, given by id."""

    template_fields: Sequence[str] = ("campaign_id",)

    def __init__(self, *, campaign_id: int | str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.campaign_id = campaign_id


class SendPulseCancelCampaignOperator(_CampaignOperator):
    """Cancel a scheduled or sending campaign.

    :param campaign_id: campaign id, e.g. ``"{{ ti.xcom_pull('create', key='campaign_id') }}"`` (templated).
    :param sendpulse_conn_id: Airflow connection of type ``sendpulse``.
    :return: ``{"id", "canceled"}``.
    """

    def execute(self, context: Context) -> dict[str, Any]:
        campaign_id = check_positive_int(self.campaign_id, "campaign_id")
        self.hook.cancel_campaign(campaign_id)
        self.log.info("Canceled campaign %s", campaign_id)
        return {"id": campaign_id, "canceled": True}


class SendPulseGetCampaignStatsOperator(_CampaignOperator):
    """Read a campaign's status and statistics: counts, opens, clicks, countries and referrals.

    :param campaign_id: campaign id (templated).
    :param sendpulse_conn_id: Airflow connection of type ``sendpulse``.
    :return: ``{"id", "name", "status", "status_name", "send_date", "recipients", "counts", "sent",
        "delivered", "opens", "clicks", "unsubscribes", "errors", "countries", "referrals"}``. ``counts``
        maps each entry of SendPulse's ``statistics`` (its ``explain`` in snake case, e.g. ``opened``) to
        its ``count``; ``sent``, ``delivered``, ``opens``, ``clicks``, ``unsubscribes`` and ``errors``
        are picked from it (0 when absent). SendPulse counts recipients per status there, so ``opens``
        and ``clicks`` are recipients who opened or clicked, not open or click events (SendPulse does
        not document this further). ``countries`` is ``GET /campaigns/{id}/countries`` as given: opens
        per country code; ``referrals`` is ``GET /campaigns/{id}/referrals``: the links clicked, with
        their counts. ``recipients`` is ``all_email_qty``.
    """

    def execute(self, context: Context) -> dict[str, Any]:
        campaign_id = check_positive_int(self.campaign_id, "campaign_id")
        stats = campaign_stats_summary(campaign_id, self.hook.get_campaign_stats(campaign_id))
        self.log.info(
            "Campaign %s is %s: %s sent, %s opened, %s clicked",
            campaign_id,
            stats["status_name"] or stats["status"],
            stats["sent"],
            stats["opens"],
            stats["clicks"],
        )
        return stats


def campaign_stats_summary(campaign_id: int, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Flatten what the hook returns (campaign + countries + referrals) into a stable, JSON-able shape."""
    campaign = raw.get("campaign", raw)
    status = int_or_none(campaign.get("status"))
    counts = _statistics(campaign.get("statistics"))
    return {
        "id": campaign_id,
        "name": campaign.get("name"),
        "status": status,
        "status_name": STATUS_NAMES.get(status) if status is not None else None,
        "send_date": campaign.get("send_date"),
        "recipients": int_or_none(campaign.get("all_email_qty")),
        "counts": counts,
        "sent": counts.get("sent", 0),
        "delivered": counts.get("delivered", 0),
        "opens": counts.get("opened", 0),
        "clicks": counts.get("clicked", 0),
        "unsubscribes": counts.get("unsubscribed", 0),
        "errors": counts.get("error", 0),
        "countries": dict(raw.get("countries") or {}),
        "referrals": list(raw.get("referrals") or []),
    }


def _statistics(value: Any) -> dict[str, int]:
    """SendPulse gives ``[{"code", "count", "explain"}]`` (or, in some answers, a name -> count mapping)."""
    counts: dict[str, int] = {}
    items: list[Mapping[str, Any]]
    if isinstance(value, Mapping):
        items = [{"explain": k, "count": v} for k, v in value.items()]
    elif isinstance(value, list):
        items = [v for v in value if isinstance(v, Mapping)]
    else:
        items = []
    for item in items:
        key = str(item.get("explain") or item.get("code")).strip().lower().replace(" ", "_")
        counts[key] = int_or_none(item.get("count")) or 0
    return counts


def _api_base_url(operator: SendPulseBaseOperator) -> str | None:
    """The connection's API base URL; only used to build links, so any failure means "the default"."""
    try:
        return operator.hook.get_client_config().base_url
    except Exception:
        return None
