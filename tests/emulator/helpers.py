"""Small helpers for the emulator's tests."""

from __future__ import annotations

import base64
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from airflow_provider_sendpulse.emulator.config import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from airflow_provider_sendpulse.emulator.control import EmulatorControl
from airflow_provider_sendpulse.emulator.state import format_date

SENDER = "sender@example.com"
CREDENTIALS = {
    "grant_type": "client_credentials",
    "client_id": DEFAULT_CLIENT_ID,
    "client_secret": DEFAULT_CLIENT_SECRET,
}


def mint_token(url: str) -> str:
    """A fresh access token from the emulator at `url`."""
    response = httpx.post(f"{url}/oauth/access_token", json=CREDENTIALS)
    response.raise_for_status()
    return str(response.json()["access_token"])


def b64(html: str) -> str:
    """Base64 of an HTML body, as campaigns and templates want it."""
    return base64.b64encode(html.encode()).decode()


def new_list(api: httpx.Client, name: str = "Newsletter") -> int:
    """Create a mailing list through the API; returns its id."""
    response = api.post("/addressbooks", json={"bookName": name})
    assert response.status_code == 200, response.text
    return int(response.json()["id"])


def add_emails(api: httpx.Client, list_id: int, *emails: str, **extra: Any) -> None:
    """Add plain contacts to a list through the API."""
    body = {"emails": [{"email": e, "variables": {}} for e in emails], **extra}
    response = api.post(f"/addressbooks/{list_id}/emails", json=body)
    assert response.status_code == 200, response.text


def campaign_body(list_id: int | list[int], **overrides: Any) -> dict[str, Any]:
    """A valid `POST /campaigns` body."""
    body: dict[str, Any] = {
        "sender_name": "Shop",
        "sender_email": SENDER,
        "subject": "Hello",
        "body": b64("<h1>Hello</h1>"),
        "list_id": list_id,
    }
    body.update(overrides)
    return body


def account_date(emulator: EmulatorControl, ts: float) -> str:
    """Epoch seconds as the emulated account writes dates (in its configured time zone)."""
    return format_date(ts, ZoneInfo(emulator.config()["timezone"]))
