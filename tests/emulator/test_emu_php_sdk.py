"""Requests shaped as SendPulse's official PHP SDK (sendpulse/rest-api) sends them are understood.

The SDK's `ApiClient::sendRequest` puts GET arguments in the URL with PHP's `http_build_query` (booleans
as 1/0, arrays as `key[0]=...` with the brackets percent-encoded) and sends every other method's
arguments as a JSON body with `Content-Type: application/json`, DELETE included. `http_build_query`
is reproduced here so the emulator is checked against that format, not against our own client.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote_plus

import httpx

from airflow_provider_sendpulse.emulator.control import EmulatorControl

from .helpers import SENDER, account_date, b64


def http_build_query(data: Mapping[str, Any], prefix: str | None = None) -> str:
    """PHP's `http_build_query` (PHP_QUERY_RFC1738): nested keys `a[0]`, `a[b]`; true/false as 1/0."""
    parts: list[str] = []
    for key, value in data.items():
        name = f"{prefix}[{key}]" if prefix is not None else str(key)
        if value is None:
            continue
        if isinstance(value, Mapping):
            parts.append(http_build_query(value, name))
        elif isinstance(value, list | tuple):
            parts.append(http_build_query(dict(enumerate(value)), name))
        else:
            text = ("1" if value else "0") if isinstance(value, bool) else str(value)
            parts.append(f"{quote_plus(name)}={quote_plus(text)}")
    return "&".join(p for p in parts if p)


class PhpSdk:
    """`ApiClient::get/post/put/patch/delete` of the PHP SDK, over an authenticated httpx client."""

    def __init__(self, http: httpx.Client) -> None:
        self.http = http

    def get(self, path: str, data: Mapping[str, Any] | None = None) -> Any:
        url = "/" + path + ("?" + http_build_query(data) if data else "")
        return self._answer(self.http.get(url, headers={"Accept": "application/json"}))

    def send(self, method: str, path: str, data: Mapping[str, Any] | None = None) -> Any:
        headers = {"Accept": "application/json", "Content-Type": "application/json"}
        # PHP's json_encode of an empty array is `[]`.
        body = json.dumps(data) if data else "[]"
        return self._answer(self.http.request(method, "/" + path, content=body, headers=headers))

    @staticmethod
    def _answer(response: httpx.Response) -> Any:
        assert response.status_code < 400, f"{response.request.url}: {response.text}"
        return response.json()


def test_mailing_lists_and_contacts(api: httpx.Client) -> None:
    sdk = PhpSdk(api)
    list_id = sdk.send("POST", "addressbooks", {"bookName": "PHP"})["id"]
    sdk.send("PUT", f"addressbooks/{list_id}", {"name": "PHP 2"})
    assert sdk.get("addressbooks", {"limit": 100, "offset": 0})[0]["name"] == "PHP 2"
    emails = [
        {"email": "a@example.com", "variables": {"phone": "+123456789", "my_var": "x"}},
        {"email": "b@example.com", "variables": {"phone": "+987654321", "my_var": "y"}},
    ]
    assert sdk.send("POST", f"addressbooks/{list_id}/emails", {"emails": emails}) == {"result": True}
    assert len(sdk.get(f"addressbooks/{list_id}/emails", {"limit": 10, "offset": 0, "active": True})) == 2
    variables = {"email": "a@example.com", "variables": [{"name": "city", "value": "Kyiv"}]}
    assert sdk.send("POST", f"addressbooks/{list_id}/emails/variable", variables) == {"result": True}
    assert sdk.send("DELETE", f"addressbooks/{list_id}/emails", {"emails": ["b@example.com"]}) == {
        "result": True
    }
    assert [c["email"] for c in sdk.get(f"addressbooks/{list_id}/emails")] == ["a@example.com"]
    confirm = {
        "emails": ["c@example.com"],
        "confirmation": "force",
        "sender_email": SENDER,
        "template_id": "42",
    }
    assert sdk.send("POST", f"addressbooks/{list_id}/emails", confirm) == {"result": True}


def test_campaigns_with_status_filter_and_readme_edit(api: httpx.Client, emulator: EmulatorControl) -> None:
    sdk = PhpSdk(api)
    list_id = sdk.send("POST", "addressbooks", {"bookName": "Campaigns"})["id"]
    sdk.send(
        "POST", f"addressbooks/{list_id}/emails", {"emails": [{"email": "a@example.com", "variables": []}]}
    )
    template = sdk.get("templates", {"owner": "sendpulse"})[0]
    send_at = account_date(emulator, emulator.now() + 3600)
    created = sdk.send(
        "POST",
        "campaigns",
        {
            "sender_name": "Shop",
            "sender_email": SENDER,
            "subject": "Hello",
            "body": b64("<p>Hi</p>"),
            "list_id": list_id,
            "name": "PHP campaign",
            "type": "",
            "send_date": send_at,
        },
    )
    emulator.advance_clock(60)
    assert [c["id"] for c in sdk.get("campaigns", {"status": [14, 2]})] == [created["id"]]
    assert sdk.get("campaigns", {"status": [3]}) == []
    # The SDK README's "Edit Scheduled Campaign" example: template_id as a number, send_date as text.
    edit = {
        "name": "My_API_campaign",
        "sender_name": "sender",
        "sender_email": SENDER,
        "subject": "Hello customer",
        "template_id": int(template["real_id"]),
        "send_date": account_date(emulator, emulator.now() + 7200),
    }
    assert sdk.send("PATCH", f"campaigns/{created['id']}", edit) == {"result": True, "id": created["id"]}
    campaign = sdk.get(f"campaigns/{created['id']}")
    assert (campaign["name"], campaign["message"]["subject"]) == ("My_API_campaign", "Hello customer")
    assert campaign["send_date"] == edit["send_date"]
    assert sdk.send("DELETE", f"campaigns/{created['id']}") == {"result": True}


def test_sms(api: httpx.Client) -> None:
    sdk = PhpSdk(api)
    list_id = sdk.send("POST", "addressbooks", {"bookName": "Phones"})["id"]
    phones = ["380501112233", "380671112233"]
    assert (
        sdk.send("POST", "sms/numbers", {"addressBookId": list_id, "phones": phones})["counters"]["added"]
        == 2
    )
    by_book = sdk.send("POST", "sms/campaigns", {"addressBookId": list_id, "sender": "Shop", "body": "Hello"})
    by_list = sdk.send(
        "POST", "sms/send", {"phones": phones, "sender": "Shop", "body": "Hi", "emulate": True}
    )
    window = sdk.get(
        "sms/campaigns/list", {"dateFrom": "2000-01-01 00:00:00", "dateTo": "2100-01-01 00:00:00"}
    )
    assert [c["id"] for c in window["data"]] == [by_book["campaign_id"], by_list["campaign_id"]]
    cost = sdk.get("sms/campaigns/cost", {"sender": "Shop", "body": "Hello", "phones": phones})
    single = sdk.get("sms/campaigns/cost", {"sender": "Shop", "body": "Hello", "phones": phones[:1]})
    assert cost["data"]["price"] == 2 * single["data"]["price"] > 0
    assert sdk.get("sms/campaigns/cost", {"sender": "Shop", "body": "Hello", "addressBookId": list_id})[
        "result"
    ]
    assert sdk.send("DELETE", "sms/campaigns", {"id": by_list["campaign_id"]}) == {"result": True}
