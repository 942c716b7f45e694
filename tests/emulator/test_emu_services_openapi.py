"""Automation 360 events, SMTP and the verifier: requests and answers validated against a360.yml,
smtp.yml and verifier.yml (patched as docs/emulator.md lists), and their SendPulse-style refusals."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from openapi_core.exceptions import OpenAPIError

from airflow_provider_sendpulse.emulator.control import EmulatorControl

from .helpers import SENDER, add_emails, b64, new_list
from .openapi_adapter import openapi_for, validate

Check = Callable[[httpx.Response], httpx.Response]


def _checker(emulator: EmulatorControl, name: str) -> Check:
    openapi = openapi_for(name, emulator.url)

    def check(response: httpx.Response) -> httpx.Response:
        validate(openapi, response)
        return response

    return check


@pytest.fixture
def a360(emulator: EmulatorControl) -> Check:
    return _checker(emulator, "a360.yml")


@pytest.fixture
def smtp(emulator: EmulatorControl) -> Check:
    return _checker(emulator, "smtp.yml")


@pytest.fixture
def verifier(emulator: EmulatorControl) -> Check:
    return _checker(emulator, "verifier.yml")


def _message(**overrides: object) -> dict[str, object]:
    email: dict[str, object] = {
        "subject": "Your receipt",
        "from": {"name": "Shop", "email": SENDER},
        "to": [{"name": "Ann", "email": "ann@example.com"}],
        "html": b64("<p>Thanks</p>"),
        "text": "Thanks",
    }
    email.update(overrides)
    return {"email": email}


def test_validation_is_not_vacuous(emulator: EmulatorControl) -> None:
    auth = {"Authorization": "Bearer t"}
    a360 = openapi_for("a360.yml", emulator.url)
    start = httpx.Request("POST", f"{emulator.url}/events/name/signup", headers=auth, json={"name": "x"})
    with pytest.raises(OpenAPIError):
        validate(a360, httpx.Response(200, json={"result": True}, request=start))
    smtp = openapi_for("smtp.yml", emulator.url)
    send = httpx.Request("POST", f"{emulator.url}/smtp/emails", headers=auth, json=_message(text=None))
    with pytest.raises(OpenAPIError):
        validate(smtp, httpx.Response(200, json={"result": True, "id": "a"}, request=send))
    log = httpx.Request("GET", f"{emulator.url}/smtp/emails", headers=auth)
    with pytest.raises(OpenAPIError):
        validate(smtp, httpx.Response(200, json={"data": []}, request=log))
    verifier = openapi_for("verifier.yml", emulator.url)
    progress = httpx.Request("GET", f"{emulator.url}/verifier-service/get-progress?id=x", headers=auth)
    with pytest.raises(OpenAPIError):
        validate(verifier, httpx.Response(200, json={"result": True}, request=progress))


def test_event_start(api: httpx.Client, a360: Check, emulator: EmulatorControl) -> None:
    emulator.add_automation_event("signup")
    body = {"email": "ann@example.com", "phone": "+380501234567", "plan": "gold", "amount": 12.5}
    assert a360(api.post("/events/name/signup", json=body)).json() == {"result": True}
    assert a360(api.post("/events/name/signup", json={"phone": "380501234568"})).status_code == 200
    state = emulator.automation_state()
    assert state["events"] == [{"id": state["events"][0]["id"], "name": "signup", "starts": 2}]
    first = state["recent"][0]
    assert (first["email"], first["phone"], first["variables"]) == (
        "ann@example.com",
        "380501234567",
        {"plan": "gold", "amount": 12.5},
    )


def test_event_refusals(api: httpx.Client, a360: Check, emulator: EmulatorControl) -> None:
    unknown = a360(api.post("/events/name/nope", json={"email": "ann@example.com"}))
    assert (unknown.status_code, unknown.json()["error_code"]) == (400, 102)
    emulator.add_automation_event("signup")
    bad = api.post("/events/name/signup", json={"plan": "gold"})
    assert (bad.status_code, bad.json()["message"]) == (422, "Argument email or phone missing")
    assert a360(api.post("/events/name/signup", json={"email": "not-an-email"})).status_code == 422
    nested = api.post("/events/name/signup", json={"email": "ann@example.com", "cart": {"a": 1}})
    assert nested.json()["message"] == "Argument cart is invalid"
    emulator.configure_automation(daily_cap=3, used_today=2)
    assert a360(api.post("/events/name/signup", json={"email": "ann@example.com"})).status_code == 200
    capped = a360(api.post("/events/name/signup", json={"email": "bob@example.com"}))
    assert (capped.status_code, capped.json()["error_code"]) == (400, 103)


def test_smtp_send_and_log(api: httpx.Client, smtp: Check, emulator: EmulatorControl) -> None:
    cc = [{"name": "Boss", "email": "boss@example.com"}]
    attachments = {"report.csv": b64("a,b\n1,2\n")}
    sent = smtp(api.post("/smtp/emails", json=_message(cc=cc, attachments_binary=attachments))).json()
    assert sent["result"] is True
    assert sent["id"]
    template = emulator.state()["templates"][0]["id"]
    templated = {"template": {"id": template, "variables": {"name": "Ann"}}}
    body = _message(**templated)
    del body["email"]["html"], body["email"]["text"]  # type: ignore[attr-defined]
    smtp(api.post("/smtp/emails", json=body))
    log = smtp(api.get("/smtp/emails", params={"from": "2000-01-01", "to": "2100-01-01", "limit": 10}))
    records = log.json()
    assert [r["recipient"] for r in records] == ["ann@example.com", "boss@example.com", "ann@example.com"]
    assert records[0]["id"] == sent["id"]
    assert records[0]["smtp_answer_code"] in (250, 550)
    paged = smtp(api.get("/smtp/emails", params={"from": "2000-01-01", "offset": 2, "limit": 10})).json()
    assert len(paged) == 1
    assert smtp(api.get("/smtp/emails", params={"from": "2099-01-01"})).json() == []
    smtp(api.get("/smtp/bounces/day", params={"date": "2026-01-01"}))
    smtp(api.post("/smtp/unsubscribe", json=[{"email": "ann@example.com", "comment": "asked"}]))
    unsubscribed = smtp(api.get("/smtp/unsubscribe")).json()
    assert [u["email"] for u in unsubscribed] == ["ann@example.com"]


def test_smtp_refusals(api: httpx.Client, smtp: Check, emulator: EmulatorControl) -> None:
    def refusal(response: httpx.Response) -> tuple[int, int]:
        smtp(response)
        return response.status_code, response.json()["error_code"]

    assert refusal(api.post("/smtp/emails", json=_message(subject=""))) == (422, 12)
    assert refusal(api.post("/smtp/emails", json=_message(to=[]))) == (422, 11)
    assert refusal(api.post("/smtp/emails", json=_message(**{"from": {"name": "x", "email": ""}}))) == (
        422,
        10,
    )
    other = _message(**{"from": {"name": "x", "email": "nobody@example.com"}})
    assert api.post("/smtp/emails", json=other).json()["message"] == "Sender is not valid"
    unknown_template = _message(template={"id": 1, "variables": {}})
    del unknown_template["email"]["html"], unknown_template["email"]["text"]  # type: ignore[attr-defined]
    assert refusal(api.post("/smtp/emails", json=unknown_template)) == (422, 31)
    many = [{"email": f"r{n}@example.com"} for n in range(101)]
    assert refusal(api.post("/smtp/emails", json=_message(to=many))) == (422, 550)
    assert api.get("/smtp/emails", params={"from": "yesterday"}).status_code == 422
    emulator.set_smtp_activated(False)
    off = api.post("/smtp/emails", json=_message())
    assert refusal(off) == (422, 400)
    assert "create SMTP account" in off.json()["message"]
    assert emulator.smtp_state()["messages"] == 0


def test_list_verification(api: httpx.Client, verifier: Check, emulator: EmulatorControl) -> None:
    emulator.configure(campaign_step_seconds=60)
    list_id = new_list(api, "To clean")
    add_emails(api, list_id, "ann@example.com", "invalid.bob@example.com", "cy@example.com")
    assert verifier(api.get("/verifier-service/get-progress", params={"id": list_id})).status_code == 404
    verifier(api.post("/verifier-service/send-list-to-verify", json={"id": list_id}))
    again = verifier(api.post("/verifier-service/send-list-to-verify", json={"id": list_id}))
    assert again.status_code == 422
    progress = verifier(api.get("/verifier-service/get-progress", params={"id": list_id})).json()
    assert progress["data"]["total"] == 3
    assert progress["data"]["processed"] < 3
    emulator.advance_clock(61)
    progress = verifier(api.get("/verifier-service/get-progress", params={"id": list_id})).json()
    assert progress["data"] == {"total": 3, "processed": 3}
    results = verifier(api.get("/verifier-service/check", params={"id": list_id, "count": 10})).json()
    statuses = {e["email_address"]: e["status"] for e in results["email_addresses"]}
    assert statuses["invalid.bob@example.com"] == 3
    assert sum(results["data"].values()) == 3
    verifier(api.get("/verifier-service/check-list"))
    assert verifier(api.post("/verifier-service/send-list-to-verify", json={"id": 999})).status_code == 404


def test_single_verification(api: httpx.Client, verifier: Check) -> None:
    verifier(api.post("/verifier-service/send-single-to-verify", json={"email": "bounce@example.com"}))
    result = verifier(api.get("/verifier-service/get-single-result", params={"email": "bounce@example.com"}))
    assert result.json()["data"]["checks"]["status"] == 3
    missing = api.get("/verifier-service/get-single-result", params={"email": "new@example.com"})
    assert verifier(missing).status_code == 404
