"""SendPulse's official Python client (pysendpulse 0.1.8) works against the emulator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from airflow_provider_sendpulse.emulator.config import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from airflow_provider_sendpulse.emulator.control import EmulatorControl

from .helpers import campaign_body

pysendpulse = pytest.importorskip("pysendpulse.pysendpulse")


def official_client(url: str, token_dir: Path) -> Any:
    """A PySendPulse pointed at the emulator, caching its token in a file under `token_dir`."""

    class EmulatorPySendPulse(pysendpulse.PySendPulse):  # type: ignore[misc,name-defined]
        _PySendPulse__api_url = url

    return EmulatorPySendPulse(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, "FILE", f"{token_dir}/")


@pytest.fixture
def client(emulator: EmulatorControl, tmp_path: Path) -> Any:
    return official_client(emulator.url, tmp_path)


def test_mailing_lists(client: Any) -> None:
    created = client.add_addressbook("Official")
    list_id = created["id"]
    assert client.get_list_of_addressbooks()[0]["name"] == "Official"
    assert client.get_list_of_addressbooks(limit=1, offset=0)[0]["id"] == list_id
    assert client.get_addressbook_info(list_id)[0]["id"] == list_id
    assert client.edit_addressbook(list_id, "Renamed") == {"result": True}
    assert client.get_addressbook_variables(list_id) == []
    assert client.delete_addressbook(list_id) == {"result": True}
    missing = client.get_addressbook_info(list_id)
    assert missing["data"]["is_error"] is True
    assert missing["data"]["http_code"] == 404


def test_contacts(client: Any) -> None:
    list_id = client.add_addressbook("Contacts")["id"]
    emails = [
        {"email": "a@example.com", "variables": {"name": "Ann"}},
        {"email": "b@example.com", "variables": {}},
    ]
    assert client.add_emails_to_addressbook(list_id, emails) == {"result": True}
    listed = client.get_emails_from_addressbook(list_id)
    assert [c["email"] for c in listed] == ["a@example.com", "b@example.com"]
    assert client.get_emails_from_addressbook(list_id, limit=1, offset=1)[0]["email"] == "b@example.com"
    variables = [{"name": "city", "value": "Kyiv"}]
    assert client.set_variables_for_email(list_id, "a@example.com", variables) == {"result": True}
    one = client.get_email_info_from_one_addressbooks(list_id, "a@example.com")
    assert one["abook_id"] == str(list_id)
    assert client.get_email_info_from_all_addressbooks("a@example.com")[0]["book_id"] == list_id
    assert client.delete_emails_from_addressbook(list_id, ["b@example.com"]) == {"result": True}
    assert [c["email"] for c in client.get_emails_from_addressbook(list_id)] == ["a@example.com"]
    assert client.get_campaign_cost(list_id)["sent_emails_qty"] == 1


def test_campaign_listing(client: Any, emulator: EmulatorControl) -> None:
    import httpx

    from .helpers import CREDENTIALS

    list_id = client.add_addressbook("Campaigns")["id"]
    client.add_emails_to_addressbook(list_id, [{"email": "a@example.com", "variables": {}}])
    token = httpx.post(f"{emulator.url}/oauth/access_token", json=CREDENTIALS).json()["access_token"]
    created = httpx.post(
        f"{emulator.url}/campaigns", json=campaign_body(list_id), headers={"Authorization": f"Bearer {token}"}
    ).json()
    listed = client.get_list_of_campaigns()
    assert [c["id"] for c in listed] == [created["id"]]
    assert client.get_campaign_info(created["id"])["status"] == 13
    emulator.advance_clock(60)
    assert client.get_campaign_info(created["id"])["status"] == 3
    assert isinstance(client.get_campaign_stat_by_countries(created["id"]), dict)
    assert isinstance(client.get_campaign_stat_by_referrals(created["id"]), list)
    assert client.get_list_of_senders()[0]["email"] == "sender@example.com"


def test_sms(client: Any, emulator: EmulatorControl) -> None:
    list_id = client.add_addressbook("Phones")["id"]
    phones = ["380501112233", "380671112233"]
    assert client.sms_add_phones(list_id, phones)["counters"]["added"] == 2
    campaign = client.sms_add_campaign_by_addressbook_id("Shop", list_id, "Hello")
    assert campaign["result"] is True
    sent = client.sms_add_campaign_by_phones("Shop", phones, "Hi there")
    assert sent["counters"]["sends"] == 2
    window = client.sms_get_list_campaigns("2000-01-01 00:00:00", "2100-01-01 00:00:00")
    assert [c["id"] for c in window["data"]] == [campaign["campaign_id"], sent["campaign_id"]]
    info = client.sms_get_campaign_info(campaign["campaign_id"])
    assert info["data"]["id"] == campaign["campaign_id"]
    cost = client.sms_get_campaign_cost("Shop", "Hello", addressbook_id=list_id)
    assert cost["data"]["price"] > 0
    assert client.sms_delete_phones(list_id, phones[:1])["counters"]["deleted"] == 1
    assert client.sms_delete_campaign(sent["campaign_id"]) == {"result": True}


def test_recovers_from_an_expired_token(client: Any, emulator: EmulatorControl) -> None:
    client.add_addressbook("One")
    emulator.expire_tokens()
    emulator.clear_requests()
    assert client.get_list_of_addressbooks()[0]["name"] == "One"
    assert [(r["path"], r["status"]) for r in emulator.requests()] == [
        ("/addressbooks", 401),
        ("/oauth/access_token", 200),
        ("/addressbooks", 200),
    ]
