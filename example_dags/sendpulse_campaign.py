"""Send an email campaign to a mailing list, wait for it to finish, and act on its open rate.

The campaign is created from ``templates/november_news.html`` (rendered by Jinja first, so ``{{ ds }}``
works; SendPulse's own ``{{Name}}`` personalisation is kept by escaping it). Creating is safe across task
retries: the campaign's name identifies it, so a retry finds the campaign an earlier try created instead of
sending a second one. While SendPulse sends, the task is deferred and frees its worker slot; it resumes with
the final status. The statistics then decide between a thank-you for an engaged audience and a follow-up.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from airflow.sdk import Param, dag, task

from airflow_provider_sendpulse.operators.campaigns import (
    SendPulseCreateCampaignOperator,
    SendPulseGetCampaignStatsOperator,
)


@dag(
    dag_id="sendpulse_campaign",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["sendpulse", "example"],
    params={
        "list_id": Param(1, type="integer", minimum=1, description="Mailing list to send to."),
        "sender_name": Param("Acme News", type="string"),
        "sender_email": Param("news@example.com", type="string", description="An activated sender."),
        "open_rate_threshold": Param(0.25, type="number", minimum=0, maximum=1),
    },
    doc_md=__doc__,
)
def sendpulse_campaign() -> None:
    campaign = SendPulseCreateCampaignOperator(
        task_id="send_campaign",
        name="November news {{ ds }} ({{ run_id }})",
        sender_name="{{ params.sender_name }}",
        sender_email="{{ params.sender_email }}",
        subject="What is new at Acme this month",
        body_html="templates/november_news.html",
        list_ids="{{ params.list_id }}",
        track_opens=True,
        track_clicks=True,
        wait_for_completion=True,
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
