"""SMS: phones into lists, campaigns, sending, listing by date window, info, cancel, cost, senders."""

from __future__ import annotations

import json

import httpx
import pytest

from airflow_provider_sendpulse.emulator.control import EmulatorControl

from .helpers import account_date, new_list

PHONES = ["380501112233", "380671112233"]


def test_add_phones_counts(api: httpx.Client) -> None:
    list_id = new_list(api)
    body = {"addressBookId": list_id, "phones": [*PHONES, "12"]}
    answer = api.post("/sms/numbers", json=body).json()
    assert answer == {"result": True, "counters": {"added": 2, "exceptions": 1, "exists": 0}}
    again = api.post("/sms/numbers", json={"addressBookId": list_id, "phones": json.dumps(PHONES)}).json()
    assert again["counters"] == {"added": 0, "exceptions": 0, "exists": 2}
    removed = api.request(
        "DELETE", "/sms/numbers", json={"addressBookId": list_id, "phones": PHONES[:1]}
    ).json()
    assert removed == {"result": True, "counters": {"deleted": 1}}


def test_add_phones_errors(api: httpx.Client) -> None:
    unknown = api.post("/sms/numbers", json={"addressBookId": 999, "phones": PHONES})
    assert unknown.status_code == 404
    assert unknown.json() == {"message": "Book not found", "error_code": 213}
    missing = api.post("/sms/numbers", json={"phones": PHONES})
    assert missing.json() == {"message": "Argument addressBookId missing", "error_code": 422}


def test_campaign_to_list_lifecycle(api: httpx.Client, emulator: EmulatorControl) -> None:
    list_id = new_list(api)
    api.post("/sms/numbers", json={"addressBookId": list_id, "phones": PHONES})
    created = api.post(
        "/sms/campaigns", json={"sender": "Shop", "addressBookId": list_id, "body": "Sale!"}
    ).json()
    assert created["result"] is True
    campaign_id = created["campaign_id"]
    info = api.get(f"/sms/campaigns/info/{campaign_id}").json()
    assert info["result"] is True
    assert info["data"]["status"] == 2
    assert [p["phone"] for p in info["data"]["task_phones_info"]] == PHONES
    emulator.advance_clock(60)
    done = api.get(f"/sms/campaigns/info/{campaign_id}").json()["data"]
    assert done["status"] == 3
    assert {p["status"] for p in done["task_phones_info"]} <= {1, 2}
    refused = api.put(f"/sms/campaigns/cancel/{campaign_id}")
    assert refused.status_code == 422


def test_scheduled_campaign_can_be_cancelled(api: httpx.Client, emulator: EmulatorControl) -> None:
    later = account_date(emulator, emulator.now() + 3600)
    sent = api.post(
        "/sms/send", json={"sender": "Shop", "phones": PHONES, "body": "Hi", "date": later}
    ).json()
    assert sent["counters"] == {"exceptions": 0, "sends": 2}
    assert api.put(f"/sms/campaigns/cancel/{sent['campaign_id']}").json() == {"result": True}
    assert api.get(f"/sms/campaigns/info/{sent['campaign_id']}").json()["data"]["status"] == 16


def test_list_by_date_window(api: httpx.Client, emulator: EmulatorControl) -> None:
    first = api.post("/sms/send", json={"sender": "Shop", "phones": PHONES, "body": "1"}).json()[
        "campaign_id"
    ]
    middle = emulator.advance_clock(1800)
    second = api.post("/sms/send", json={"sender": "Shop", "phones": PHONES, "body": "2"}).json()[
        "campaign_id"
    ]
    everything = api.get(
        "/sms/campaigns/list", params={"dateFrom": "2000-01-01", "dateTo": "2100-01-01"}
    ).json()
    assert [c["id"] for c in everything["data"]] == [first, second]
    recent = api.get(
        "/sms/campaigns/list",
        params={
            "dateFrom": account_date(emulator, middle - 1),
            "dateTo": account_date(emulator, middle + 60),
        },
    ).json()
    assert [c["id"] for c in recent["data"]] == [second]
    bad = api.get("/sms/campaigns/list", params={"dateFrom": "yesterday"})
    assert bad.json() == {"message": "Argument dateFrom is invalid", "error_code": 422}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"phones": PHONES, "body": "x"}, "Argument sender missing"),
        (
            {"sender": "ThisIsTooLong", "phones": PHONES, "body": "x"},
            "Argument sender may not be greater than 11 characters",
        ),
        ({"sender": "Shop", "body": "x"}, "Argument phones missing"),
        ({"sender": "Shop", "phones": PHONES}, "Argument body missing"),
        ({"sender": "Shop", "phones": ["1"], "body": "x"}, "Phones not found"),
    ],
)
def test_send_validation(api: httpx.Client, body: dict[str, object], message: str) -> None:
    response = api.post("/sms/send", json=body)
    assert response.status_code == 422
    assert response.json()["message"] == message


def test_campaign_to_list_without_phones(api: httpx.Client) -> None:
    list_id = new_list(api)
    response = api.post("/sms/campaigns", json={"sender": "Shop", "addressBookId": list_id, "body": "x"})
    assert response.json() == {"message": "Phones not found", "error_code": 8}


def test_cost_senders_and_delete(api: httpx.Client) -> None:
    list_id = new_list(api)
    api.post("/sms/numbers", json={"addressBookId": list_id, "phones": PHONES})
    cost = api.get(
        "/sms/campaigns/cost", params={"sender": "Shop", "body": "x", "addressBookId": list_id}
    ).json()
    assert cost == {"result": True, "data": {"price": 0.06, "currency": "USD"}}
    senders = api.get("/sms/senders").json()
    assert senders[0]["sender"] == "Emulator"
    campaign_id = api.post("/sms/send", json={"sender": "Shop", "phones": PHONES, "body": "x"}).json()[
        "campaign_id"
    ]
    assert api.request("DELETE", "/sms/campaigns", json={"id": campaign_id}).json() == {"result": True}
    assert api.get(f"/sms/campaigns/info/{campaign_id}").status_code == 404


def test_campaign_to_list_reaches_phone_variables_too(api: httpx.Client) -> None:
    list_id = new_list(api)
    contacts = {"emails": [{"email": "a@example.com", "variables": {"Phone": "+38 050 999 88 77"}}]}
    api.post(f"/addressbooks/{list_id}/emails", json=contacts)
    api.post("/sms/numbers", json={"addressBookId": list_id, "phones": PHONES[:1]})
    campaign_id = api.post(
        "/sms/campaigns", json={"sender": "Shop", "addressBookId": list_id, "body": "x"}
    ).json()["campaign_id"]
    phones = [
        p["phone"] for p in api.get(f"/sms/campaigns/info/{campaign_id}").json()["data"]["task_phones_info"]
    ]
    assert phones == [PHONES[0], "380509998877"]
