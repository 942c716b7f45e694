"""Tokens, bearer auth, the static API key and token expiry."""

from __future__ import annotations

import httpx
import pytest

from airflow_provider_sendpulse.emulator.config import DEFAULT_API_KEY
from airflow_provider_sendpulse.emulator.control import EmulatorControl

from .helpers import CREDENTIALS, mint_token


def test_token_from_json_body(emulator: EmulatorControl) -> None:
    response = httpx.post(f"{emulator.url}/oauth/access_token", json=CREDENTIALS)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert len(body["access_token"]) > 20


def test_token_from_form_body(emulator: EmulatorControl) -> None:
    response = httpx.post(f"{emulator.url}/oauth/access_token", data=CREDENTIALS)
    assert response.status_code == 200
    assert response.json()["access_token"]


def test_bad_secret_is_invalid_client(emulator: EmulatorControl) -> None:
    response = httpx.post(f"{emulator.url}/oauth/access_token", json={**CREDENTIALS, "client_secret": "nope"})
    assert response.status_code == 401
    assert response.json() == {
        "error": "invalid_client",
        "error_description": "Client authentication failed",
        "message": "Client authentication failed",
    }


def test_unknown_client_is_invalid_client(emulator: EmulatorControl) -> None:
    response = httpx.post(f"{emulator.url}/oauth/access_token", json={**CREDENTIALS, "client_id": "x"})
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({}, "unsupported_grant_type"),
        ({"grant_type": "password", "client_id": "a", "client_secret": "b"}, "unsupported_grant_type"),
        ({"grant_type": "client_credentials"}, "invalid_request"),
    ],
)
def test_malformed_token_request(emulator: EmulatorControl, body: dict[str, str], error: str) -> None:
    response = httpx.post(f"{emulator.url}/oauth/access_token", json=body)
    assert response.status_code == 400
    assert response.json()["error"] == error


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer unknown-token"},
        {"Authorization": "Basic abc"},
        {"Authorization": "Bearer"},
    ],
)
def test_missing_or_unknown_token_is_401(emulator: EmulatorControl, headers: dict[str, str]) -> None:
    response = httpx.get(f"{emulator.url}/addressbooks", headers=headers)
    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized!", "error_code": 401}


def test_static_api_key_is_accepted(emulator: EmulatorControl) -> None:
    response = httpx.get(
        f"{emulator.url}/addressbooks", headers={"Authorization": f"Bearer {DEFAULT_API_KEY}"}
    )
    assert response.status_code == 200
    assert response.json() == []


def test_token_expires_after_ttl(emulator: EmulatorControl) -> None:
    token = mint_token(emulator.url)
    headers = {"Authorization": f"Bearer {token}"}
    assert httpx.get(f"{emulator.url}/addressbooks", headers=headers).status_code == 200
    emulator.advance_clock(3599)
    assert httpx.get(f"{emulator.url}/addressbooks", headers=headers).status_code == 200
    emulator.advance_clock(2)
    assert httpx.get(f"{emulator.url}/addressbooks", headers=headers).status_code == 401


def test_configured_ttl_is_announced_and_enforced(emulator: EmulatorControl) -> None:
    emulator.configure(token_ttl=5)
    body = httpx.post(f"{emulator.url}/oauth/access_token", json=CREDENTIALS).json()
    assert body["expires_in"] == 5
    emulator.advance_clock(6)
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    assert httpx.get(f"{emulator.url}/addressbooks", headers=headers).status_code == 401


def test_expire_tokens_keeps_api_key(emulator: EmulatorControl) -> None:
    token = mint_token(emulator.url)
    assert emulator.expire_tokens() == 1
    assert (
        httpx.get(f"{emulator.url}/addressbooks", headers={"Authorization": f"Bearer {token}"}).status_code
        == 401
    )
    api_key = {"Authorization": f"Bearer {DEFAULT_API_KEY}"}
    assert httpx.get(f"{emulator.url}/addressbooks", headers=api_key).status_code == 200


def test_mints_are_logged(emulator: EmulatorControl) -> None:
    mint_token(emulator.url)
    mint_token(emulator.url)
    mints = [r for r in emulator.requests() if r["path"] == "/oauth/access_token"]
    assert [r["status"] for r in mints] == [200, 200]
    assert all(r["method"] == "POST" for r in mints)
