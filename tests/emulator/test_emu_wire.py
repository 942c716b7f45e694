"""SendPulse's wire conventions in the emulator: PHP query strings, Laravel booleans, the account zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import httpx
import pytest

from airflow_provider_sendpulse.emulator.control import EmulatorControl

from .helpers import SENDER, account_date, add_emails, campaign_body, new_list


def _campaigns(api: httpx.Client, emulator: EmulatorControl) -> tuple[int, int]:
    """A sent campaign (status 3) and a scheduled one (status 14)."""
    sent_list, later_list = new_list(api, "sent"), new_list(api, "later")
    add_emails(api, sent_list, "a@example.com")
    add_emails(api, later_list, "b@example.com")
    sent = api.post("/campaigns", json=campaign_body(sent_list)).json()["id"]
    send_at = account_date(emulator, emulator.now() + 3600)
    later = api.post("/campaigns", json=campaign_body(later_list, send_date=send_at)).json()["id"]
    emulator.advance_clock(60)
    return sent, later


def _ids(response: httpx.Response) -> list[int]:
    assert response.status_code == 200, response.text
    return sorted(c["id"] for c in response.json())


@pytest.mark.parametrize("query", ["active=true", "active=false", "not_active=true", "active=yes"])
def test_boolean_text_is_refused(api: httpx.Client, query: str) -> None:
    list_id = new_list(api)
    response = api.get(f"/addressbooks/{list_id}/emails?{query}")
    assert response.status_code == 422
    name = query.split("=")[0]
    assert response.json() == {"message": f"Argument {name} is invalid", "error_code": 422}


def test_boolean_one_and_zero_are_read(api: httpx.Client) -> None:
    list_id = new_list(api)
    add_emails(api, list_id, "a@example.com", "b@example.com")
    api.post(f"/addressbooks/{list_id}/emails/unsubscribe", json={"emails": ["b@example.com"]})
    active = api.get(f"/addressbooks/{list_id}/emails?active=1").json()
    assert [c["email"] for c in active] == ["a@example.com"]
    assert len(api.get(f"/addressbooks/{list_id}/emails?active=0").json()) == 2


def test_repeated_bare_keys_keep_the_last_value(api: httpx.Client, emulator: EmulatorControl) -> None:
    sent, later = _campaigns(api, emulator)
    assert _ids(api.get("/campaigns?status=14&status=3")) == [sent]
    assert _ids(api.get("/campaigns?status=3&status=14")) == [later]


@pytest.mark.parametrize(
    "query",
    [
        "status[]=3&status[]=14",
        "status%5B%5D=3&status%5B%5D=14",
        "status[0]=3&status[1]=14",
        "status%5B0%5D=3&status%5B1%5D=14",
    ],
)
def test_bracketed_arrays_are_read(api: httpx.Client, emulator: EmulatorControl, query: str) -> None:
    sent, later = _campaigns(api, emulator)
    assert _ids(api.get(f"/campaigns?{query}")) == sorted([sent, later])
    assert _ids(api.get("/campaigns?status[]=3")) == [sent]


def test_sms_cost_reads_indexed_phones(api: httpx.Client) -> None:
    one = api.get("/sms/campaigns/cost?sender=Shop&body=hi&phones%5B0%5D=380501112233").json()
    two = api.get(
        "/sms/campaigns/cost?sender=Shop&body=hi&phones%5B0%5D=380501112233&phones%5B1%5D=380671112233"
    ).json()
    assert two["data"]["price"] == 2 * one["data"]["price"] > 0


def test_double_opt_in_template_id_must_be_a_string(api: httpx.Client) -> None:
    list_id = new_list(api)
    body = {"emails": ["a@example.com"], "confirmation": "force", "sender_email": SENDER, "template_id": 7}
    refused = api.post(f"/addressbooks/{list_id}/emails", json=body)
    assert refused.status_code == 422
    assert refused.json() == {"message": "Argument template_id is invalid", "error_code": 422}
    assert api.post(f"/addressbooks/{list_id}/emails", json={**body, "template_id": "7"}).status_code == 200


def test_patch_ignores_fields_it_does_not_edit(api: httpx.Client, emulator: EmulatorControl) -> None:
    list_id = new_list(api)
    add_emails(api, list_id, "a@example.com")
    send_at = account_date(emulator, emulator.now() + 3600)
    campaign_id = api.post("/campaigns", json=campaign_body(list_id, send_date=send_at)).json()["id"]
    emulator.advance_clock(60)  # past status 13: now waiting for its send date (14), editable
    before = api.get(f"/campaigns/{campaign_id}").json()["message"]["body"]
    edited = api.patch(f"/campaigns/{campaign_id}", json={"subject": "New", "body": "PHA+eDwvcD4=", "x": 1})
    assert edited.json() == {"result": True, "id": campaign_id}
    after = api.get(f"/campaigns/{campaign_id}").json()["message"]
    assert after["subject"] == "New"
    assert after["body"] == before


def test_dates_are_in_the_account_time_zone(api: httpx.Client, emulator: EmulatorControl) -> None:
    emulator.configure(timezone="Europe/Kyiv")
    assert api.get("/user/info").json()["timezone"] == "Europe/Kyiv"
    list_id = new_list(api)
    add_emails(api, list_id, "a@example.com")
    now = emulator.now()
    kyiv_in_an_hour = datetime.fromtimestamp(now + 3600, ZoneInfo("Europe/Kyiv")).strftime(
        "%Y-%m-%d %H:%M:%S"
    )
    assert account_date(emulator, now + 3600) == kyiv_in_an_hour
    campaign = api.post("/campaigns", json=campaign_body(list_id, send_date=kyiv_in_an_hour)).json()
    assert api.get(f"/campaigns/{campaign['id']}").json()["send_date"] == kyiv_in_an_hour
    # Half an hour ahead in UTC is hours in the past on a Kyiv clock: refused as a past date.
    utc_soon = datetime.fromtimestamp(now + 1800, UTC).strftime("%Y-%m-%d %H:%M:%S")
    other = new_list(api, "other")
    add_emails(api, other, "b@example.com")
    refused = api.post("/campaigns", json=campaign_body(other, send_date=utc_soon))
    assert refused.json() == {"message": "Invalid send date", "error_code": 799}


def test_unknown_time_zone_is_refused_by_the_admin_api(emulator: EmulatorControl) -> None:
    with pytest.raises(httpx.HTTPStatusError):
        emulator.configure(timezone="Mars/Olympus")
    assert emulator.config()["timezone"] == "UTC"
