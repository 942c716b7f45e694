"""Senders, templates, balance and account information."""

from __future__ import annotations

import httpx

from .helpers import SENDER, b64


def test_senders(api: httpx.Client) -> None:
    assert api.get("/senders").json() == [{"name": "Emulator Sender", "email": SENDER, "status": "Active"}]
    assert api.post("/senders", json={"name": "Shop", "email": "shop@example.com"}).json() == {"result": True}
    pending = api.get("/senders").json()[1]
    assert pending == {"name": "Shop", "email": "shop@example.com", "status": "Awaiting activation"}
    assert api.get("/senders/shop@example.com/code").json()["result"] is True
    wrong = api.post("/senders/shop@example.com/code", json={"code": "000"})
    assert wrong.status_code == 422
    assert api.post("/senders/shop@example.com/code", json={"code": "123456"}).json()["result"] is True
    assert api.get("/senders").json()[1]["status"] == "Active"
    assert api.request("DELETE", "/senders", json={"email": "shop@example.com"}).json() == {"result": True}
    assert len(api.get("/senders").json()) == 1


def test_sender_validation(api: httpx.Client) -> None:
    assert api.post("/senders", json={"name": "x"}).json() == {
        "message": "Argument email missing",
        "error_code": 422,
    }
    bad = api.post("/senders", json={"name": "x", "email": "nope"})
    assert bad.json() == {"message": "Argument email is invalid", "error_code": 422}
    assert api.request("DELETE", "/senders", json={"email": "ghost@example.com"}).status_code == 404


def test_templates(api: httpx.Client) -> None:
    builtin = api.get("/templates").json()
    assert len(builtin) == 3
    assert all(t["owner"] == "sendpulse" and isinstance(t["id"], str) for t in builtin)
    assert api.get("/templates", params={"owner": "me"}).json() == []
    created = api.post("/template", json={"name": "Mine", "body": b64("<p>x</p>"), "lang": "en"}).json()
    assert created["result"] is True
    real_id = created["real_id"]
    mine = api.get("/templates", params={"owner": "me"}).json()
    assert [(t["id"], t["real_id"], t["name"]) for t in mine] == [(str(real_id), real_id, "Mine")]
    one = api.get(f"/template/{real_id}").json()
    assert one["body"] == b64("<p>x</p>")
    duplicate = api.post("/template", json={"name": "Mine", "body": b64("<p>y</p>")})
    assert duplicate.json() == {"message": "Template with such name already exist", "error_code": 573}
    assert api.post(f"/template/edit/{real_id}", json={"body": b64("<p>z</p>")}).json() == {"result": True}
    assert api.get(f"/template/{real_id}").json()["body"] == b64("<p>z</p>")


def test_template_errors(api: httpx.Client) -> None:
    assert api.post("/template", json={"name": "x"}).json() == {
        "message": "Argument body missing",
        "error_code": 422,
    }
    bad = api.post("/template", json={"name": "x", "body": "***"})
    assert bad.json() == {"message": "Argument body is invalid string", "error_code": 422}
    lang = api.post("/template", json={"body": b64("x"), "lang": "xx"})
    assert lang.json() == {"message": "Argument lang is invalid", "error_code": 422}
    missing = api.get("/template/12345")
    assert missing.status_code == 404
    assert missing.json() == {"message": "Template not found", "error_code": 290}
    assert api.post("/template/edit/12345", json={"body": b64("x")}).json()["error_code"] == 31


def test_balance_and_user(api: httpx.Client) -> None:
    assert api.get("/balance").json() == {"currency": "USD", "balance_currency": 100.0}
    assert api.get("/balance/eur").json()["currency"] == "EUR"
    detail = api.get("/user/balance/detail").json()
    assert detail["balance"]["currency"] == "USD"
    assert detail["email"]["current_subscribers"] == 0
    info = api.get("/user/info").json()
    assert info["email"] == "owner@example.com"
