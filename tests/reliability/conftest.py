"""Reliability fixtures: a connection with short timeouts and retry waits, fresh client state."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import pytest

from airflow_provider_sendpulse.client.auth import reset_token_caches
from airflow_provider_sendpulse.client.core import ClientConfig
from airflow_provider_sendpulse.client.ratelimit import reset_rate_limiters
from airflow_provider_sendpulse.emulator.config import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from airflow_provider_sendpulse.emulator.control import EmulatorControl
from airflow_provider_sendpulse.hooks import sendpulse as hook_module
from airflow_provider_sendpulse.sensors import cursor_store
from airflow_provider_sendpulse.sensors.cursor_store import SensorState

REL_CONN_ID = "sendpulse_rel"
CLIENT_TIMEOUT = 0.5
"""Seconds before the client gives up on an answer (faults delay answers past it)."""
CLIENT_RETRIES = 3


@pytest.fixture(autouse=True)
def _fresh_client_state(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No token or limiter left over from other tests; retry waits in milliseconds, not seconds."""
    reset_token_caches()
    reset_rate_limiters()
    read = hook_module.client_config

    def quick(**kwargs: Any) -> ClientConfig:
        config = read(**kwargs)
        return dataclasses.replace(config, retry_initial_wait=0.005, retry_max_wait=0.02)

    monkeypatch.setattr(hook_module, "client_config", quick)
    yield
    reset_token_caches()
    reset_rate_limiters()


def connection(url: str, **extra: Any) -> dict[str, Any]:
    """A JSON Airflow connection to the emulator with short timeouts and a few client retries."""
    return {
        "conn_type": "sendpulse",
        "host": url,
        "login": DEFAULT_CLIENT_ID,
        "password": DEFAULT_CLIENT_SECRET,
        "extra": {
            "timeout": CLIENT_TIMEOUT,
            "max_retries": CLIENT_RETRIES,
            "max_requests_per_second": 1000,
            **extra,
        },
    }


@pytest.fixture
def rel_conn(emulator: EmulatorControl, monkeypatch: pytest.MonkeyPatch) -> str:
    """Connection ``sendpulse_rel`` to the (reset) emulator: 0.5 s timeout, 3 client retries, no limit."""
    monkeypatch.setenv("AIRFLOW_CONN_SENDPULSE_REL", json.dumps(connection(emulator.url)))
    return REL_CONN_ID


@pytest.fixture(autouse=True)
def variables(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Airflow Variables (the event sensor's cursors) as a dict, for every test here."""
    store: dict[str, Any] = {}

    def load(key: str) -> SensorState:
        return SensorState.from_json(store.get(key))

    def save(key: str, state: SensorState) -> None:
        store[key] = state.to_json()

    monkeypatch.setattr(cursor_store, "load", load)
    monkeypatch.setattr(cursor_store, "save", save)
    return store
