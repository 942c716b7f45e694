"""Who is running: a stable identity per task instance, and a store that outlives a failed try.

A retry of a task instance must find what an earlier try created (a campaign, an SMS send) rather than
create it again. Two mechanisms work together:

* the task state store (Airflow 3.3+, ``context["task_state_store"]``) keeps the id of the created object
  across tries of the same task instance; XCom does not, it is cleared when a new try starts;
* a deterministic identity ``<dag_id>.<task_id>[<map_index>] <run_id>`` that can be looked up in SendPulse
  (as a campaign name), which also covers older Airflow and a crash between create and store.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

MAX_NAME_LENGTH = 100


def task_identity(context: Mapping[str, Any]) -> str:
    """``<dag_id>.<task_id>[<map_index>] <run_id>``, the same for every try of one task instance."""
    ti = context.get("ti") or context.get("task_instance")
    dag_id = getattr(ti, "dag_id", None) or _dag_id(context)
    task_id = getattr(ti, "task_id", None) or getattr(context.get("task"), "task_id", "task")
    run_id = getattr(ti, "run_id", None) or context.get("run_id") or "manual"
    map_index = getattr(ti, "map_index", -1)
    mapped = f"[{map_index}]" if isinstance(map_index, int) and map_index >= 0 else ""
    return f"{dag_id}.{task_id}{mapped} {run_id}"


def bounded_name(text: str, limit: int = MAX_NAME_LENGTH) -> str:
    """Keep a generated name under ``limit`` characters while keeping it unique (hash suffix)."""
    if len(text) <= limit:
        return text
    digest = hashlib.sha256(text.encode()).hexdigest()[:10]
    return f"{text[: limit - 11]}~{digest}"


def try_number(context: Mapping[str, Any]) -> int:
    ti = context.get("ti") or context.get("task_instance")
    number = getattr(ti, "try_number", 1)
    return number if isinstance(number, int) else 1


def _dag_id(context: Mapping[str, Any]) -> str:
    dag = context.get("dag")
    return str(getattr(dag, "dag_id", "dag"))


class TaskState:
    """The task instance's state store when Airflow has one (3.3+), else a no-op."""

    def __init__(self, context: Mapping[str, Any]) -> None:
        self._store = context.get("task_state_store")

    @property
    def available(self) -> bool:
        return self._store is not None

    def get(self, key: str) -> Any:
        return None if self._store is None else self._store.get(key)

    def set(self, key: str, value: Any) -> None:
        if self._store is not None:
            self._store.set(key, value)
