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


EMULATOR_CAMPAIGN_PAGE = "/_emulator/campaigns/{campaign_id}"


def campaign_url(campaign_id: int, api_base_url: str | None = None) -> str | None:
    """Where a person looks at the campaign in a browser, or None where nothing useful can be shown.

    SendPulse's API -> its web app. A loopback base URL is taken to be the emulator, which serves a
    read-only page of the campaign. Any other base URL (a proxy, a gateway) has no web app behind
    it, and its API pages need a token a browser does not have, so there is no link.
    """
    base = (api_base_url or DEFAULT_BASE_URL).rstrip("/")
    if base == DEFAULT_BASE_URL:
        return f"{SENDPULSE_WEB_APP_URL}/emailservice/tasks/{campaign_id}/"
    from airflow_provider_sendpulse.client.core import is_loopback  # the client loads when a link is shown

    if is_loopback(base):
        return base + EMULATOR_CAMPAIGN_PAGE.format(campaign_id=campaign_id)
    return None


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
