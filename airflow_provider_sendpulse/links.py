"""Operator extra links into the SendPulse web app."""

from __future__ import annotations

from typing import Any

from airflow.providers.common.compat.sdk import XCom
from airflow.sdk import BaseOperatorLink

from airflow_provider_sendpulse import DEFAULT_BASE_URL

SENDPULSE_WEB_APP_URL = "https://login.sendpulse.com"
CAMPAIGN_ID_KEY = "campaign_id"
CAMPAIGN_URL_KEY = "campaign_url"
PUBLISHED_URL_ATTRIBUTE = "published_campaign_url"
"""Set by an operator that ran in this process: the URL it pushed, or None when it pushed none."""
_UNKNOWN = object()


def campaign_url(campaign_id: int, api_base_url: str | None = None) -> str:
    """Where a person looks at the campaign: the SendPulse web app, or the API itself when the connection
    points elsewhere (the emulator, a proxy), since no web app stands behind those."""
    base = (api_base_url or DEFAULT_BASE_URL).rstrip("/")
    if base == DEFAULT_BASE_URL:
        return f"{SENDPULSE_WEB_APP_URL}/emailservice/tasks/{campaign_id}/"
    return f"{base}/campaigns/{campaign_id}"


class SendPulseCampaignLink(BaseOperatorLink):
    """The "SendPulse campaign" link: the campaign the task created, from its ``campaign_url`` XCom."""

    name = "SendPulse campaign"

    def get_link(self, operator: Any, *, ti_key: Any) -> str:
        # On the worker, Airflow asks for the link as the task ends, failed or not. The operator that ran
        # there knows whether it published a campaign; asking XCom for one never pushed logs an error.
        published = getattr(operator, PUBLISHED_URL_ATTRIBUTE, _UNKNOWN)
        if published is not _UNKNOWN:
            return published if isinstance(published, str) else ""
        url = XCom.get_value(key=CAMPAIGN_URL_KEY, ti_key=ti_key)
        return url if isinstance(url, str) else ""
