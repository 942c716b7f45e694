"""Reliability fixtures: a connection with short timeouts and retry waits, fresh client state."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from account_zone import emulator_connection

from airflow_provider_sendpulse.client.core import ClientConfig
from airflow_provider_sendpulse.emulator.control import EmulatorControl
from airflow_provider_sendpulse.hooks import sendpulse as hook_module

REL_CONN_ID = "sendpulse_rel"
CLIENT_TIMEOUT = 0.5
"""Seconds before the client gives up on an answer (faults delay answers past it)."""
CLIENT_RETRIES = 3


@pytest.fixture(autouse=True)
def _quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retry waits in milliseconds, not seconds."""
    read = hook_module.client_config

    def quick(**kwargs: Any) -> ClientConfig:
        config = read(**kwargs)
        return dataclasses.replace(config, retry_initial_wait=0.005, retry_max_wait=0.02)

    monkeypatch.setattr(hook_module, "client_config", quick)


def connection(url: str, **extra: Any) -> dict[str, Any]:
    """A JSON Airflow connection to the emulator with short timeouts and a few client retries."""
    return emulator_connection(
        url,
        timeout=CLIENT_TIMEOUT,
        max_retries=CLIENT_RETRIES,
        max_requests_per_second=1000,
        **extra,
    )


@pytest.fixture
def rel_conn(emulator: EmulatorControl, monkeypatch: pytest.MonkeyPatch) -> str:
    """Connection ``sendpulse_rel`` to the (reset) emulator: 0.5 s timeout, 3 client retries, no limit."""
    monkeypatch.setenv("AIRFLOW_CONN_SENDPULSE_REL", json.dumps(connection(emulator.url)))
    return REL_CONN_ID


@pytest.fixture(autouse=True)
def _variables_in_memory(variables: dict[str, Any]) -> None:
    """Every test here keeps the event sensor's cursors in memory."""
