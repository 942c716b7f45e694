"""Fixtures for the emulator's own tests."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from airflow_provider_sendpulse.emulator.control import EmulatorControl

from .helpers import CREDENTIALS


@pytest.fixture(scope="session")
def _http(emulator_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emulator_url) as client:
        yield client


@pytest.fixture
def api(emulator: EmulatorControl, _http: httpx.Client) -> httpx.Client:
    """An HTTP client for the reset session emulator, holding a fresh bearer token."""
    _http.headers.pop("Authorization", None)
    token = _http.post("/oauth/access_token", json=CREDENTIALS).json()["access_token"]
    _http.headers["Authorization"] = f"Bearer {token}"
    return _http
