"""A task context like Airflow's, and task retries the way a DAG with ``retries=N`` runs them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from airflow.sdk.exceptions import AirflowException
from airflow_fakes import FakeStateStore as StateStore

from airflow_provider_sendpulse.client.errors import SendPulseError

RUN_ID = "scheduled__2026-11-27T00:00:00+00:00"


class TaskInstance:
    """The task instance attributes operators read, with XComs of the current try."""

    def __init__(self, task_id: str, try_number: int, run_id: str = RUN_ID) -> None:
        self.dag_id = "reliability"
        self.task_id = task_id
        self.run_id = run_id
        self.try_number = try_number
        self.map_index = -1
        self.xcoms: dict[str, Any] = {}

    def xcom_push(self, key: str, value: Any) -> None:
        self.xcoms[key] = value


def make_context(
    task_id: str, try_number: int = 1, store: StateStore | None = None, run_id: str = RUN_ID
) -> dict[str, Any]:
    """A context dict with ``ti``, ``dag_run``, ``run_id`` and a state store."""
    ti = TaskInstance(task_id, try_number, run_id)
    start = datetime.now(UTC) - timedelta(minutes=1)
    dag_run = SimpleNamespace(dag_id=ti.dag_id, run_id=run_id, start_date=start, run_after=start)
    return {
        "ti": ti,
        "task_instance": ti,
        "dag_run": dag_run,
        "run_id": run_id,
        "logical_date": start,
        "ds": start.strftime("%Y-%m-%d"),
        "params": {},
        "task_state_store": store if store is not None else StateStore(),
    }


TYPED_ERRORS = (SendPulseError, AirflowException)
"""What a failed try may raise: a SendPulse error or an Airflow one (input errors, sensor failures)."""


@dataclass
class TaskRun:
    """What happened across the tries of one task instance."""

    result: Any = None
    succeeded: bool = False
    errors: list[BaseException] = field(default_factory=list)
    contexts: list[dict[str, Any]] = field(default_factory=list)

    @property
    def tries(self) -> int:
        return len(self.contexts)


def run_with_retries(
    task_id: str, attempt: Callable[[dict[str, Any]], Any], tries: int = 3, run_id: str = RUN_ID
) -> TaskRun:
    """Call ``attempt(context)`` up to ``tries`` times, try_number 1, 2, ..., like Airflow's retries.

    Only typed errors count as a failed try; anything else (a KeyError, say) fails the test at once.
    """
    store = StateStore()
    run = TaskRun()
    for number in range(1, tries + 1):
        context = make_context(task_id, number, store, run_id)
        run.contexts.append(context)
        try:
            run.result = attempt(context)
        except TYPED_ERRORS as exc:
            run.errors.append(exc)
            continue
        run.succeeded = True
        return run
    return run
