"""Who is running: a stable identity per task instance.

The identity ``<dag_id>.<task_id>[<map_index>] <run_id>`` is the same for every try, so it can be looked
up in SendPulse (as a campaign name) by a retry: see :mod:`airflow_provider_sendpulse.hooks.create_once`,
which also holds the task state store wrapper (re-exported here).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from airflow_provider_sendpulse.hooks.create_once import TaskState, try_number

__all__ = ["MAX_NAME_LENGTH", "TaskState", "bounded_name", "task_identity", "try_number"]

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


def _dag_id(context: Mapping[str, Any]) -> str:
    dag = context.get("dag")
    return str(getattr(dag, "dag_id", "dag"))
