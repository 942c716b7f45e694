"""Helpers shared by the sensor tests."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any


def make_context(run_id: str = "manual__1", task_id: str = "sense", map_index: int = -1) -> dict[str, Any]:
    """The bits of a task context the sensors read."""
    ti = SimpleNamespace(dag_id="dag", run_id=run_id, task_id=task_id, map_index=map_index, try_number=1)
    return {"ti": ti, "task_instance": ti}
