"""Requests and answers of the main operations, validated against SendPulse's OpenAPI documents."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from openapi_core import OpenAPI
from openapi_core.exceptions import OpenAPIError

from airflow_provider_sendpulse.emulator.control import EmulatorControl

from .helpers import add_emails, b64, campaign_body, new_list
from .openapi_adapter import openapi_for, validate

Check = Callable[[httpx.Response], httpx.Response]


def _checker(openapi: OpenAPI) -> Check:
    def check(response: httpx.Response) -> httpx.Response:
        validate(openapi, response)
        return response

    return check


@pytest.fixture
def email_api(emulator: EmulatorControl) -> Check:
    return _checker(openapi_for("bulk-email.yml", emulator.url))


@pytest.fixture
def sms_api(emulator: EmulatorControl) -> Check:
    return _checker(openapi_for("sms.yml", emulator.url))


def test_validation_is_not_vacuous(emulator: EmulatorControl) -> None:
    openapi = openapi_for("bulk-email.yml", emulator.url)
    request = httpx.Request("GET", f"{emulator.url}/addressbooks/5", headers={"Authorization": "Bearer t"})
    with pytest.raises(OpenAPIError):
        validate(openapi, httpx.Response(200, json={"id": 5}, request=request))
    with pytest.raises(OpenAPIError):
        validate(openapi, httpx.Response(404, json={"message": "Book not found"}, request=request))
    anonymous = httpx.Request("GET", f"{emulator.url}/addressbooks/5")
    with pytest.raises(OpenAPIError):
        validate(openapi, httpx.Response(200, json=[{"id": 5}], request=anonymous))


def test_mailing_list_operations(api: httpx.Client, email_api: Check) -> None:
    list_id = email_api(api.post("/addressbooks", json={"bookName": "Spec"})).json()["id"]
    email_api(api.get("/addressbooks", params={"limit": 10, "offset": 0}))
    email_api(api.get(f"/addressbooks/{list_id}"))
    email_api(api.put(f"/addressbooks/{list_id}", json={"name": "Spec 2"}))
    email_api(api.get(f"/addressbooks/{list_id}/variables"))
    email_api(api.get(f"/addressbooks/{list_id}/campaigns", params={"limit": 10}))
    email_api(api.delete(f"/addressbooks/{list_id}"))


def test_mailing_list_errors(api: httpx.Client, email_api: Check) -> None:
    email_api(api.get("/addressbooks/424242"))
    email_api(api.post("/addressbooks", json={"bookName": "Twice"}))
    email_api(api.post("/addressbooks", json={"bookName": "Twice"}))
    email_api(api.delete("/addressbooks/424242"))


def test_contact_operations(api: httpx.Client, email_api: Check) -> None:
    list_id = new_list(api)
    body = {"emails": [{"email": "a@example.com", "variables": {"name": "Ann"}}, {"email": "b@example.com"}]}
    email_api(api.post(f"/addressbooks/{list_id}/emails", json=body))
    double = {
        "emails": [{"email": "c@example.com", "variables": {}}],
        "confirmation": "force",
        "sender_email": "sender@example.com",
        "message_lang": "en",
    }
    email_api(api.post(f"/addressbooks/{list_id}/emails", json=double))
    email_api(api.get(f"/addressbooks/{list_id}/emails", params={"limit": 2, "offset": 0, "order": "desc"}))
    email_api(api.get(f"/addressbooks/{list_id}/emails", params={"active": 1}))
    email_api(api.get(f"/addressbooks/{list_id}/emails/total"))
    variables = {"email": "a@example.com", "variables": [{"name": "city", "value": "Kyiv"}]}
    email_api(api.post(f"/addressbooks/{list_id}/emails/variable", json=variables))
    email_api(api.get(f"/addressbooks/{list_id}/emails/a@example.com"))
    email_api(api.get("/emails/a@example.com"))
    email_api(api.get("/emails/a@example.com/details"))
    email_api(api.post(f"/addressbooks/{list_id}/emails/unsubscribe", json={"emails": ["a@example.com"]}))
    email_api(api.request("DELETE", f"/addressbooks/{list_id}/emails", json={"emails": ["b@example.com"]}))
    email_api(api.get(f"/addressbooks/{list_id}/cost"))


def test_contact_errors(api: httpx.Client, email_api: Check) -> None:
    list_id = new_list(api)
    email_api(api.get(f"/addressbooks/{list_id}/cost"))
    email_api(api.post(f"/addressbooks/{list_id}/emails/unsubscribe", json={"emails": ["a@example.com"]}))
    email_api(
        api.post(f"/addressbooks/{list_id}/emails/variable", json={"email": "x@example.com", "variables": []})
    )
    email_api(api.get("/addressbooks/424242/emails"))


def test_campaign_operations(api: httpx.Client, emulator: EmulatorControl, email_api: Check) -> None:
    list_id = new_list(api)
    add_emails(api, list_id, "a@example.com", "b@example.com")
    body = campaign_body(list_id, name="Spec", stats={"opens": True, "clicks": True, "utm_campaign": "spec"})
    campaign_id = email_api(api.post("/campaigns", json=body)).json()["id"]
    email_api(api.get(f"/campaigns/{campaign_id}/email/a@example.com"))
    draft = email_api(api.post("/campaigns", json=campaign_body([list_id], type="draft"))).json()["id"]
    email_api(api.patch(f"/campaigns/{draft}", json={"name": "Renamed", "subject": "New"}))
    email_api(api.get("/campaigns", params={"limit": 10, "offset": 0, "order": "desc"}))
    email_api(api.get("/campaigns", params={"status": 13}))
    email_api(api.get(f"/campaigns/{campaign_id}"))
    emulator.advance_clock(60)
    email_api(api.get(f"/campaigns/{campaign_id}"))
    email_api(api.get(f"/campaigns/{campaign_id}/countries"))
    email_api(api.get(f"/campaigns/{campaign_id}/referrals"))
    email_api(api.get(f"/campaigns/{campaign_id}/email/a@example.com"))
    email_api(api.delete(f"/campaigns/{draft}"))


def test_templates_senders_balance(api: httpx.Client, email_api: Check) -> None:
    real_id = email_api(
        api.post("/template", json={"name": "T", "body": b64("<p>x</p>"), "lang": "en"})
    ).json()["real_id"]
    email_api(api.get("/templates", params={"owner": "me", "limit": 10}))
    email_api(api.get(f"/template/{real_id}"))
    email_api(api.get("/template/999999"))
    email_api(api.post("/template", json={"name": "T", "body": b64("<p>y</p>")}))
    email_api(api.get("/senders"))
    email_api(api.post("/senders", json={"name": "Shop", "email": "shop@example.com"}))
    email_api(api.get("/balance"))
    email_api(api.get("/user/balance/detail"))


def test_sms_operations(api: httpx.Client, sms_api: Check) -> None:
    list_id = new_list(api)
    phones = ["380501112233", "380671112233"]
    sms_api(api.post("/sms/numbers", json={"addressBookId": list_id, "phones": phones}))
    sms_api(api.get(f"/sms/numbers/info/{list_id}/{phones[0]}"))
    campaign = sms_api(
        api.post("/sms/campaigns", json={"sender": "Shop", "addressBookId": list_id, "body": "x"})
    )
    sent = sms_api(
        api.post("/sms/send", json={"sender": "Shop", "phones": phones, "body": "Hi", "emulate": True})
    )
    sms_api(
        api.get(
            "/sms/campaigns/list", params={"dateFrom": "2000-01-01 00:00:00", "dateTo": "2100-01-01 00:00:00"}
        )
    )
    sms_api(api.get(f"/sms/campaigns/info/{campaign.json()['campaign_id']}"))
    sms_api(api.get("/sms/campaigns/cost", params={"sender": "Shop", "body": "x", "addressBookId": list_id}))
    sms_api(api.get("/sms/senders"))
    later = {"sender": "Shop", "phones": phones, "body": "Later", "date": "2100-01-01 00:00:00"}
    scheduled = api.post("/sms/send", json=later).json()["campaign_id"]
    sms_api(api.put(f"/sms/campaigns/cancel/{scheduled}"))
    sms_api(api.request("DELETE", "/sms/campaigns", json={"id": sent.json()["campaign_id"]}))
    sms_api(api.request("DELETE", "/sms/numbers", json={"addressBookId": list_id, "phones": phones[:1]}))
