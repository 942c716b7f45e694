"""Fixtures for trigger tests: a connection to the emulator without a tight rate limit."""

from __future__ import annotations

import json

import pytest
from account_zone import emulator_connection

from airflow_provider_sendpulse.emulator.control import EmulatorControl


@pytest.fixture
def fast_conn(emulator: EmulatorControl, monkeypatch: pytest.MonkeyPatch) -> str:
    """Connection ``sendpulse_fast`` to the emulator: client limit 1000 req/s, no client retries."""
    connection = emulator_connection(emulator.url, max_requests_per_second=1000, max_retries=0)
    monkeypatch.setenv("AIRFLOW_CONN_SENDPULSE_FAST", json.dumps(connection))
    return "sendpulse_fast"
