"""A realistic task context for calling operators' ``execute()`` directly, with retries in mind.

``FakeTaskInstance`` keeps XComs per try (Airflow clears them when a new try starts); ``FakeStateStore``
outlives tries, like Airflow 3.3's task state store.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from airflow_fakes import FakeStateStore


class FakeTaskInstance:
    def __init__(
        self,
        *,
        dag_id: str = "sendpulse_daily",
        task_id: str = "task",
        run_id: str = "scheduled__2026-11-27T00:00:00+00:00",
        try_number: int = 1,
        map_index: int = -1,
    ) -> None:
        self.dag_id = dag_id
        self.task_id = task_id
        self.run_id = run_id
        self.try_number = try_number
        self.map_index = map_index
        self.xcoms: dict[str, Any] = {}

    def xcom_push(self, key: str, value: Any) -> None:
        self.xcoms[key] = value


MakeContext = Callable[..., dict[str, Any]]


@pytest.fixture
def make_context() -> MakeContext:
    """``make_context(task_id=..., try_number=..., store=...)`` -> a context dict like Airflow's."""

    def make(
        *,
        task_id: str = "task",
        try_number: int = 1,
        store: FakeStateStore | None = None,
        with_store: bool = True,
        run_id: str = "scheduled__2026-11-27T00:00:00+00:00",
        map_index: int = -1,
    ) -> dict[str, Any]:
        ti = FakeTaskInstance(task_id=task_id, try_number=try_number, run_id=run_id, map_index=map_index)
        start = datetime.now(UTC) - timedelta(minutes=1)
        dag_run = SimpleNamespace(dag_id=ti.dag_id, run_id=run_id, start_date=start, run_after=start)
        context: dict[str, Any] = {
            "ti": ti,
            "task_instance": ti,
            "dag_run": dag_run,
            "run_id": run_id,
            "logical_date": start,
            "ds": start.strftime("%Y-%m-%d"),
            "params": {},
        }
        if with_store:
            context["task_state_store"] = store if store is not None else FakeStateStore()
        return context

    return make
