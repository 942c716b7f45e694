"""The "SendPulse campaign" extra link."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_sendpulse import links
from airflow_provider_sendpulse.links import SendPulseCampaignLink, campaign_url
from airflow_provider_sendpulse.operators import SendPulseCreateCampaignOperator, SendPulseInputError


def test_campaign_url_points_at_the_web_app_the_emulator_page_or_nowhere() -> None:
    assert campaign_url(7) == "https://login.sendpulse.com/emailservice/tasks/7/"
    assert (
        campaign_url(7, "https://api.sendpulse.com/") == "https://login.sendpulse.com/emailservice/tasks/7/"
    )
    assert campaign_url(7, "http://127.0.0.1:9000") == "http://127.0.0.1:9000/_emulator/campaigns/7"
    assert campaign_url(7, "http://localhost:9000/") == "http://localhost:9000/_emulator/campaigns/7"
    # A proxy or gateway has no web app, and its API pages need a token a browser lacks.
    assert campaign_url(7, "https://sendpulse-proxy.example.com") is None


def test_the_emulator_page_of_a_campaign_opens_without_a_token(emulator: Any, sendpulse_conn: str) -> None:
    import requests

    from airflow_provider_sendpulse.client.models import CampaignSpec
    from airflow_provider_sendpulse.hooks.sendpulse import SendPulseHook

    hook = SendPulseHook(sendpulse_conn)
    list_id = emulator.create_list("buyers")
    emulator.seed_contacts(list_id, 3)
    created = hook.create_campaign(
        CampaignSpec(
            sender_name="Shop",
            sender_email="sender@example.com",
            subject="Sale <today>",
            body_html="<h1>Hello</h1><script>alert(1)</script>",
            list_ids=[list_id],
            name="Winter sale",
        )
    )
    url = campaign_url(created["id"], emulator.url)
    assert url is not None
    page = requests.get(url, timeout=5)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert f"Campaign {created['id']}: Winter sale" in page.text
    assert "Sale &lt;today&gt;" in page.text  # values are escaped
    assert "<script>" not in page.text  # the body only inside the sandboxed frame, escaped
    assert "<iframe sandbox" in page.text
    assert requests.get(campaign_url(999, emulator.url) or "", timeout=5).status_code == 404


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
