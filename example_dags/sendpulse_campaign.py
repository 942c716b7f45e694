"""Send an email campaign to a mailing list, wait for it to finish, and act on its open rate.

The campaign is created from ``templates/november_news.html`` (rendered by Jinja first, so the run's
date is filled in; SendPulse's own ``{{Name}}`` personalisation is kept by escaping it). Creating is safe
across task retries: the campaign's name identifies it, so a retry finds the campaign an earlier try
created instead of sending a second one. While SendPulse sends, the task is deferred and frees its worker
slot; it resumes with the final status. The statistics then decide between a thank-you for an engaged
audience and a follow-up.

Its defaults work as they are, from the UI's Trigger button too: the mailing list is found by name (and
created when missing; run ``sendpulse_contacts_sync`` first to fill it, since a campaign to an empty list
ends as "no active addresses"), and an empty ``sender_email`` means the account's first active sender.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from airflow.sdk import Param, dag, task

from airflow_provider_sendpulse.operators.campaigns import (
    SendPulseCreateCampaignOperator,
    SendPulseGetCampaignStatsOperator,
)
from airflow_provider_sendpulse.operators.mailing_lists import SendPulseCreateMailingListOperator


@dag(
    dag_id="sendpulse_campaign",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["sendpulse", "example"],
    params={
        "list_name": Param(
            "Newsletter subscribers",
            type="string",
            minLength=1,
            description="Mailing list to send to, found by name (created empty when missing).",
        ),
        "sender_name": Param("Acme News", type="string"),
        "sender_email": Param(
            "",
            type="string",
            description="An activated sender of the account; empty: the account's first active sender.",
        ),
        "open_rate_threshold": Param(0.25, type="number", minimum=0, maximum=1),
    },
    doc_md=__doc__,
)
def sendpulse_campaign() -> None:
    mailing_list = SendPulseCreateMailingListOperator(task_id="find_list", name="{{ params.list_name }}")

    @task
    def pick_sender(**context: Any) -> str:
        """The ``sender_email`` param, or the account's first active sender when it is empty."""
        chosen = str(context["params"]["sender_email"]).strip()
        if chosen:
            return chosen
        # Imported in the task, not at the top: the DAG file is parsed far more often than this runs.
        from airflow_provider_sendpulse.hooks.sendpulse import SendPulseHook

        active = [s["email"] for s in SendPulseHook().list_senders() if s.get("status") == "Active"]
        if not active:
            raise ValueError("sender_email: the account has no active sender; add and activate one first")
        return str(active[0])

    campaign = SendPulseCreateCampaignOperator(
        task_id="send_campaign",
        # run_after, not ds: a run triggered from the UI has no logical date, so ds is undefined there.
        name="November news {{ dag_run.run_after | ds }} ({{ run_id }})",
        sender_name="{{ params.sender_name }}",
        sender_email=pick_sender(),
        subject="What is new at Acme this month",
        body_html="templates/november_news.html",
        list_ids=mailing_list.output,
        track_opens=True,
        track_clicks=True,
        wait_for_completion=True,
        deferrable=True,
    )

    stats = SendPulseGetCampaignStatsOperator(
        task_id="campaign_stats",
        campaign_id="{{ ti.xcom_pull(task_ids='send_campaign', key='campaign_id') }}",
    )
    campaign >> stats

    @task.branch
    def check_open_rate(stats: dict[str, Any], **context: Any) -> str:
        delivered = stats["delivered"] or stats["sent"]
        open_rate = stats["opens"] / delivered if delivered else 0.0
        threshold = float(context["params"]["open_rate_threshold"])
        print(f"Open rate {open_rate:.1%} ({stats['opens']} of {delivered}); threshold {threshold:.0%}")
        return "celebrate" if open_rate >= threshold else "plan_follow_up"

    @task
    def celebrate(stats: dict[str, Any]) -> str:
        return f"Campaign {stats['id']} beat the target; top countries: {stats['countries']}"

    @task
    def plan_follow_up(stats: dict[str, Any]) -> str:
        return f"Campaign {stats['id']} under target; schedule a resend to non-openers"

    check_open_rate(stats.output) >> [celebrate(stats.output), plan_follow_up(stats.output)]


sendpulse_campaign()
