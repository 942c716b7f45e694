"""Shared fixtures: one SendPulse emulator per test session, reset before each test that uses it."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator

import pytest

# Airflow reads AIRFLOW_HOME on first import: keep the tests' configuration and files out of ~/airflow.
os.environ["AIRFLOW_HOME"] = tempfile.mkdtemp(prefix="sendpulse-tests-airflow-home-")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"

from airflow_provider_sendpulse.emulator import run_emulator
from airflow_provider_sendpulse.emulator.config import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from airflow_provider_sendpulse.emulator.control import EmulatorControl


@pytest.fixture(scope="session")
def emulator_url() -> Iterator[str]:
    """Base URL of a session-wide emulator with the rate limit and the campaign limits off."""
    with run_emulator(rate_limit=0, campaign_limits=False) as url:
        yield url


@pytest.fixture(scope="session")
def _emulator_control(emulator_url: str) -> Iterator[EmulatorControl]:
    with EmulatorControl(emulator_url) as control:
        yield control


@pytest.fixture
def emulator(_emulator_control: EmulatorControl) -> EmulatorControl:
    """The session emulator, reset (state, faults, settings, request log, clock); `.url` is its base URL."""
    _emulator_control.reset()
    return _emulator_control


@pytest.fixture
def sendpulse_conn(emulator: EmulatorControl, monkeypatch: pytest.MonkeyPatch) -> str:
    """An Airflow connection `sendpulse_default` pointing at the emulator with the default credentials."""
    connection = {
        "conn_type": "sendpulse",
        "host": emulator.url,
        "login": DEFAULT_CLIENT_ID,
        "password": DEFAULT_CLIENT_SECRET,
    }
    monkeypatch.setenv("AIRFLOW_CONN_SENDPULSE_DEFAULT", json.dumps(connection))
    return "sendpulse_default"
