"""The admin API: state, request log, reset, clock, faults, settings, seeding; and the rate limit."""

from __future__ import annotations

import time

import httpx
import pytest

from airflow_provider_sendpulse.emulator import run_emulator
from airflow_provider_sendpulse.emulator.config import DEFAULT_API_KEY
from airflow_provider_sendpulse.emulator.control import EmulatorControl

from .helpers import add_emails, campaign_body, mint_token, new_list


def test_state_shows_lists_contacts_campaigns_and_sms(api: httpx.Client, emulator: EmulatorControl) -> None:
    list_id = new_list(api, "Shown")
    add_emails(api, list_id, "a@example.com")
    api.post("/campaigns", json=campaign_body(list_id))
    api.post("/sms/send", json={"sender": "Shop", "phones": ["380501112233"], "body": "Hi"})
    state = emulator.state()
    book = state["lists"][0]
    assert (book["id"], book["name"], book["total"], book["active"]) == (list_id, "Shown", 1, 1)
    assert book["contacts"][0]["email"] == "a@example.com"
    assert book["contacts"][0]["add_date"]
    assert state["campaigns"][0]["status"] == 13
    assert state["sms_campaigns"][0]["phones"] == ["380501112233"]


def test_request_log_and_clear(api: httpx.Client, emulator: EmulatorControl) -> None:
    emulator.clear_requests()
    api.get("/addressbooks", params={"limit": 5})
    api.get("/addressbooks/77")
    log = emulator.requests()
    assert [(r["method"], r["path"], r["status"]) for r in log] == [
        ("GET", "/addressbooks", 200),
        ("GET", "/addressbooks/77", 404),
    ]
    assert log[0]["query"] == "limit=5"
    assert log[0]["account"] == "sendpulse-emulator-id"
    assert abs(log[0]["time"] - time.time()) < 60
    emulator.clear_requests()
    assert emulator.requests() == []


def test_reset_empties_everything(api: httpx.Client, emulator: EmulatorControl) -> None:
    new_list(api)
    emulator.add_fault(path="/nothing", status=500)
    emulator.configure(rate_limit=3)
    emulator.advance_clock(100)
    emulator.reset()
    assert emulator.state()["lists"] == []
    assert emulator.faults() == []
    assert emulator.config()["rate_limit"] == 0
    assert abs(emulator.now() - time.time()) < 5
    assert emulator.requests() == []


def test_fault_status_with_error_code_then_recovers(api: httpx.Client, emulator: EmulatorControl) -> None:
    emulator.add_fault(method="GET", path="/addressbooks", times=2, status=503, error_code=42)
    first = api.get("/addressbooks")
    assert first.status_code == 503
    assert first.json() == {"message": "Service Unavailable", "error_code": 42}
    assert api.get("/addressbooks").status_code == 503
    assert api.get("/addressbooks").status_code == 200
    assert emulator.faults() == []


def test_fault_glob_matches_one_segment(api: httpx.Client, emulator: EmulatorControl) -> None:
    list_id = new_list(api)
    emulator.add_fault(method="POST", path="/addressbooks/*/emails", times=None, status=500)
    assert api.post(f"/addressbooks/{list_id}/emails", json={"emails": ["a@example.com"]}).status_code == 500
    assert api.get(f"/addressbooks/{list_id}/emails").status_code == 200
    assert (
        api.post(f"/addressbooks/{list_id}/emails/unsubscribe", json={"emails": ["a@b.co"]}).status_code
        != 500
    )
    emulator.clear_faults()
    assert api.post(f"/addressbooks/{list_id}/emails", json={"emails": ["a@example.com"]}).status_code == 200


def test_fault_raw_body(api: httpx.Client, emulator: EmulatorControl) -> None:
    html = "<html><body>Whoops, looks like something went wrong.</body></html>"
    emulator.add_fault(path="/addressbooks", body=html)
    response = api.get("/addressbooks")
    assert response.status_code == 500
    assert response.text == html
    assert response.headers["content-type"].startswith("text/html")
    emulator.add_fault(path="/addressbooks", status=200, body='{"broken', content_type="application/json")
    broken = api.get("/addressbooks")
    assert broken.status_code == 200
    assert broken.text == '{"broken'


def test_fault_drop_closes_connection(api: httpx.Client, emulator: EmulatorControl) -> None:
    emulator.add_fault(method="POST", path="/addressbooks", drop=True)
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        api.post("/addressbooks", json={"bookName": "x"})
    assert api.post("/addressbooks", json={"bookName": "x"}).status_code == 200
    dropped = [r for r in emulator.requests() if r.get("dropped")]
    assert len(dropped) == 1
    assert dropped[0]["status"] is None


def test_fault_delay_then_normal_answer(api: httpx.Client, emulator: EmulatorControl) -> None:
    emulator.add_fault(path="/addressbooks", delay=0.3)
    started = time.monotonic()
    assert api.get("/addressbooks").status_code == 200
    assert time.monotonic() - started >= 0.3


def test_fault_on_token_route(emulator: EmulatorControl) -> None:
    emulator.add_fault(path="/oauth/access_token", status=500)
    with pytest.raises(httpx.HTTPStatusError):
        mint_token(emulator.url)
    assert mint_token(emulator.url)


def test_fault_needs_an_effect(emulator: EmulatorControl) -> None:
    with pytest.raises(httpx.HTTPStatusError):
        emulator.add_fault(path="/x")


def test_rate_limit_429(api: httpx.Client, emulator: EmulatorControl) -> None:
    emulator.configure(rate_limit=5)
    statuses = [api.get("/addressbooks").status_code for _ in range(8)]
    assert statuses.count(200) == 5
    assert statuses[5:] == [429, 429, 429]
    over = api.get("/addressbooks")
    assert over.json() == {"message": "Too Many Requests", "error_code": 2020202020}
    time.sleep(1.05)
    assert api.get("/addressbooks").status_code == 200


def test_rate_limit_is_per_account_and_shared_by_token_and_key(emulator: EmulatorControl) -> None:
    emulator.configure(rate_limit=3)
    token = mint_token(emulator.url)
    with httpx.Client(base_url=emulator.url) as http:
        by_token = {"Authorization": f"Bearer {token}"}
        by_key = {"Authorization": f"Bearer {DEFAULT_API_KEY}"}
        results = [
            http.get("/addressbooks", headers=by_token if i % 2 else by_key).status_code for i in range(4)
        ]
    assert results == [200, 200, 200, 429]


def test_rate_limit_off_with_zero(api: httpx.Client, emulator: EmulatorControl) -> None:
    emulator.configure(rate_limit=3)
    emulator.configure(rate_limit=0)
    assert all(api.get("/addressbooks").status_code == 200 for _ in range(20))


def test_default_rate_limit_is_ten_per_second() -> None:
    with run_emulator() as url:
        token = mint_token(url)
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as http:
            statuses = [http.get("/balance").status_code for _ in range(12)]
    assert statuses.count(200) == 10
    assert statuses[-1] == 429


def test_configure_campaign_step(api: httpx.Client, emulator: EmulatorControl) -> None:
    emulator.configure(campaign_step_seconds=0)
    list_id = new_list(api)
    add_emails(api, list_id, "a@example.com")
    campaign_id = api.post("/campaigns", json=campaign_body(list_id)).json()["id"]
    assert api.get(f"/campaigns/{campaign_id}").json()["status"] == 3


def test_config_validation(emulator: EmulatorControl) -> None:
    with pytest.raises(httpx.HTTPStatusError) as caught:
        emulator.configure(rate_limit=-1)
    assert caught.value.response.status_code == 422
    assert caught.value.response.json()["error_code"] == 422


def test_seed_and_create_list(api: httpx.Client, emulator: EmulatorControl) -> None:
    list_id = emulator.create_list("Big")
    assert emulator.seed_contacts(list_id, 250, variables={"plan": "pro"}) == 250
    assert emulator.seed_contacts(list_id, 10, prefix="late") == 260
    assert api.get(f"/addressbooks/{list_id}/emails/total").json() == {"total": 260}
    last = api.get(f"/addressbooks/{list_id}/emails", params={"order": "desc", "limit": 1}).json()
    assert last[0]["email"] == "late259@example.com"
    first = api.get(f"/addressbooks/{list_id}/emails", params={"limit": 1}).json()
    assert first[0] == {
        "email": "user0@example.com",
        "status": 1,
        "status_explain": "Active",
        "variables": {"plan": "pro"},
    }
    assert api.get(f"/addressbooks/{list_id}/variables").json() == [{"name": "plan", "type": "string"}]


def test_state_caps_contacts(emulator: EmulatorControl) -> None:
    list_id = emulator.create_list("Big")
    emulator.seed_contacts(list_id, 50)
    book = emulator.state(contacts_cap=10)["lists"][0]
    assert len(book["contacts"]) == 10
    assert book["contacts_truncated"] is True
    assert book["total"] == 50


def test_unknown_route_is_enveloped_404(api: httpx.Client) -> None:
    response = api.get("/no/such/route")
    assert response.status_code == 404
    assert response.json() == {"message": "Not found", "error_code": 404}


def test_wrong_method_is_enveloped(api: httpx.Client) -> None:
    response = api.patch("/addressbooks")
    assert response.status_code == 405
    assert response.json()["error_code"] == 405


def test_add_contacts_with_their_own_variables(api: httpx.Client, emulator: EmulatorControl) -> None:
    list_id = emulator.create_list("Own")
    contacts = [
        {"email": "ann@example.com", "variables": {"name": "Ann", "Phone": "380501234567"}},
        {"email": "bob@example.com", "variables": {"name": "Bob", "age": 40}},
    ]
    assert emulator.add_contacts(list_id, contacts) == 2
    assert emulator.add_contacts(list_id, [{"email": "ann@example.com", "variables": {"plan": "pro"}}]) == 2
    members = api.get(f"/addressbooks/{list_id}/emails").json()
    assert [(m["email"], m["variables"]) for m in members] == [
        ("ann@example.com", {"name": "Ann", "Phone": "380501234567", "plan": "pro"}),
        ("bob@example.com", {"name": "Bob", "age": 40}),
    ]
    assert all(m["status"] == 1 for m in members)
