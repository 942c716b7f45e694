"""Fixtures for trigger tests: fresh token caches and limiters, and a connection without a tight limit."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from airflow_provider_sendpulse.client.auth import reset_token_caches
from airflow_provider_sendpulse.client.ratelimit import reset_rate_limiters
from airflow_provider_sendpulse.emulator.config import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from airflow_provider_sendpulse.emulator.control import EmulatorControl


@pytest.fixture(autouse=True)
def _fresh_client_state() -> Iterator[None]:
    reset_token_caches()
    reset_rate_limiters()
    yield
    reset_token_caches()
    reset_rate_limiters()


@pytest.fixture
def fast_conn(emulator: EmulatorControl, monkeypatch: pytest.MonkeyPatch) -> str:
    """Connection ``sendpulse_fast`` to the emulator: client limit 1000 req/s, no client retries."""
    connection = {
        "conn_type": "sendpulse",
        "host": emulator.url,
        "login": DEFAULT_CLIENT_ID,
        "password": DEFAULT_CLIENT_SECRET,
        "extra": {"max_requests_per_second": 1000, "max_retries": 0},
    }
    monkeypatch.setenv("AIRFLOW_CONN_SENDPULSE_FAST", json.dumps(connection))
    return "sendpulse_fast"
