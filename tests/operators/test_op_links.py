"""The "SendPulse campaign" extra link."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_sendpulse import links
from airflow_provider_sendpulse.links import SendPulseCampaignLink, campaign_url
from airflow_provider_sendpulse.operators import SendPulseCreateCampaignOperator, SendPulseInputError


def test_campaign_url_points_at_the_web_app_or_the_configured_api() -> None:
    assert campaign_url(7) == "https://login.sendpulse.com/emailservice/tasks/7/"
    assert (
        campaign_url(7, "https://api.sendpulse.com/") == "https://login.sendpulse.com/emailservice/tasks/7/"
    )
    assert campaign_url(7, "http://127.0.0.1:9000") == "http://127.0.0.1:9000/campaigns/7"


def test_link_reads_the_campaign_url_xcom(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def get_value(*, ti_key: Any, key: str) -> Any:
        seen.update(ti_key=ti_key, key=key)
        return "https://login.sendpulse.com/emailservice/tasks/7/"

    monkeypatch.setattr(links.XCom, "get_value", staticmethod(get_value))
    link = SendPulseCampaignLink()
    assert link.name == "SendPulse campaign"
    assert link.get_link(None, ti_key="key") == "https://login.sendpulse.com/emailservice/tasks/7/"
    assert seen == {"ti_key": "key", "key": "campaign_url"}
    monkeypatch.setattr(links.XCom, "get_value", staticmethod(lambda **_: None))
    assert link.get_link(None, ti_key="key") == ""


def test_create_campaign_operator_declares_the_link() -> None:
    assert [type(link) for link in SendPulseCreateCampaignOperator.operator_extra_links] == [
        SendPulseCampaignLink
    ]


def test_link_of_a_task_that_published_nothing_does_not_ask_xcom(
    monkeypatch: pytest.MonkeyPatch, make_context: Any
) -> None:
    def get_value(**_: Any) -> Any:
        raise AssertionError("XCom asked for a campaign_url that was never pushed")

    monkeypatch.setattr(links.XCom, "get_value", staticmethod(get_value))
    op = SendPulseCreateCampaignOperator(
        task_id="send",
        sender_name="S",
        sender_email="not-an-email",
        subject="s",
        body_html="<p/>",
        list_ids=1,
    )
    with pytest.raises(SendPulseInputError):
        op.execute(make_context())  # fails before anything is created or pushed
    assert SendPulseCampaignLink().get_link(op, ti_key="key") == ""
    op.published_campaign_url = "http://127.0.0.1:9/campaigns/7"
    assert SendPulseCampaignLink().get_link(op, ti_key="key") == "http://127.0.0.1:9/campaigns/7"
