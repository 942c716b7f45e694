"""Sensor test helpers: a Variable store in memory and a minimal task context."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_sendpulse.sensors import cursor_store
from airflow_provider_sendpulse.sensors.cursor_store import SensorState


@pytest.fixture
def variables(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Airflow Variables as a dict (what ``cursor_store`` reads and writes, as JSON)."""
    store: dict[str, Any] = {}

    def load(key: str) -> SensorState:
        return SensorState.from_json(store.get(key))

    def save(key: str, state: SensorState) -> None:
        store[key] = state.to_json()

    monkeypatch.setattr(cursor_store, "load", load)
    monkeypatch.setattr(cursor_store, "save", save)
    return store
