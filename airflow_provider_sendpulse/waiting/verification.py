"""Waiting for SendPulse to finish verifying a mailing list, written once for every way of waiting.

:func:`verification_wait` is the poll loop without I/O: the trigger drives it asynchronously, the verify
operator's non-deferrable mode drives it with a hook's client (:func:`wait_here`). Both end in the same
payload, which :func:`verification_result` turns into the task result or a clear error.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import Any

from airflow.providers.common.compat.sdk import AirflowException, AirflowSensorTimeout

from airflow_provider_sendpulse.client import api
from airflow_provider_sendpulse.client.errors import SendPulseError
from airflow_provider_sendpulse.events.driver import Pause, Step, SyncRunner, drive
from airflow_provider_sendpulse.waiting.polling import (
    ErrorBudget,
    default_campaign_poll_interval,
    describe,
    pause_before_next,
    remaining,
)


def verification_wait(
    list_id: int,
    poll_interval: float,
    deadline: float | None,
    budget: ErrorBudget,
    log: Any,
) -> Generator[Step, Any, dict[str, Any]]:
    """Check the list's verification progress every ``poll_interval`` seconds until every address is
    checked; return ``{"status": "done" | "timeout" | "error", "list_id", "total", "processed"}``."""
    progress = None
    while True:
        left = remaining(deadline)
        if left is not None and left <= 0:
            done = progress.processed if progress else None
            return {
                "status": "timeout",
                "list_id": list_id,
                "processed": done,
                "message": f"verification of list {list_id} did not finish in time",
            }
        try:
            progress = yield api.verification_progress(list_id)
        except SendPulseError as error:
            if not budget.spend(error):
                return {"status": "error", "list_id": list_id, "message": describe(error)}
            log.warning("Checking the verification of list %s failed: %s", list_id, error)
        else:
            budget.reset()
            if progress.done:
                return {
                    "status": "done",
                    "list_id": list_id,
                    "total": progress.total,
                    "processed": progress.processed,
                }
            log.info(
                "Verification of list %s: %d of %d addresses checked",
                list_id,
                progress.processed,
                progress.total,
            )
        yield Pause(pause_before_next(poll_interval, deadline))


def wait_here(
    runner: SyncRunner, list_id: int, poll_interval: float | None, deadline: float | None, log: Any
) -> dict[str, Any]:
    """Wait in this process (no triggerer needed); returns the payload the trigger fires."""
    interval = default_campaign_poll_interval() if poll_interval is None else poll_interval
    return drive(runner, verification_wait(list_id, interval, deadline, ErrorBudget(), log))


def verification_result(event: Mapping[str, Any]) -> int:
    """The list id of a finished verification, or raise: ``AirflowSensorTimeout`` when the deadline
    passed, ``AirflowException`` when talking to SendPulse failed."""
    list_id = event.get("list_id")
    status = event.get("status")
    if status == "done":
        return int(list_id)  # type: ignore[arg-type]
    if status == "timeout":
        raise AirflowSensorTimeout(f"SendPulse did not finish verifying list {list_id} in time")
    raise AirflowException(f"Waiting for the verification of list {list_id} failed: {event.get('message')}")
