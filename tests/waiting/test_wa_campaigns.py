"""The campaign wait, written once: driven synchronously and asynchronously to the same payloads."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import Any

import pytest
from airflow.providers.common.compat.sdk import AirflowException, AirflowFailException, AirflowSensorTimeout

from airflow_provider_sendpulse.client.api import Call
from airflow_provider_sendpulse.client.errors import (
    SendPulseAuthError,
    SendPulseError,
    SendPulseServerError,
)
from airflow_provider_sendpulse.events.driver import Pause, adrive, drive
from airflow_provider_sendpulse.waiting.campaigns import campaign_result, campaign_wait, wait_here
from airflow_provider_sendpulse.waiting.polling import ErrorBudget

LOG = logging.getLogger(__name__)


class Script:
    """Answers ``GET /campaigns/{id}`` with the next status code, or raises the next error."""

    def __init__(self, answers: Iterable[int | SendPulseError]) -> None:
        self.answers = list(answers)
        self.calls: list[Call[Any]] = []

    def run(self, call: Call[Any]) -> Any:
        self.calls.append(call)
        answer = self.answers.pop(0)
        if isinstance(answer, SendPulseError):
            raise answer
        return {"id": 7, "name": "News", "status": answer, "message": {"body": "<p>big</p>", "subject": "Hi"}}


class AsyncScript(Script):
    async def run(self, call: Call[Any]) -> Any:  # type: ignore[override]
        return super().run(call)


def server_error() -> SendPulseServerError:
    return SendPulseServerError("HTTP 503 from SendPulse", status=503)


@pytest.fixture
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    pauses: list[float] = []
    monkeypatch.setattr(time, "sleep", pauses.append)
    return pauses


def test_waits_until_sent_checking_once_an_interval(no_sleep: list[float]) -> None:
    answers = [13, 2, server_error(), 3]
    script = Script(answers)
    assert drive(script, campaign_wait(7, 30.0, None, ErrorBudget(3), LOG))["status"] == "sent"
    assert len(script.calls) == 4
    assert no_sleep == [30.0, 30.0, 30.0]  # a failed check waits for the next check, no extra retry


async def test_the_async_driver_gives_the_same_payload(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    async def instant(seconds: float) -> None:
        return None

    monkeypatch.setattr(asyncio, "sleep", instant)
    monkeypatch.setattr(time, "sleep", lambda seconds: None)
    answers = [13, 2, server_error(), 3]
    sync = drive(Script(answers), campaign_wait(7, 30.0, None, ErrorBudget(3), LOG))
    asynchronous = await adrive(AsyncScript(answers), campaign_wait(7, 30.0, None, ErrorBudget(3), LOG))
    assert sync == asynchronous
    assert sync["status"] == "sent"
    assert sync["campaign"]["message"] == {"subject": "Hi"}  # the HTML body stays out of the event


def test_the_error_budget_counts_failed_checks_in_a_row(no_sleep: list[float]) -> None:
    flaky = Script([server_error(), 13, server_error(), server_error(), 3])
    assert drive(flaky, campaign_wait(7, 1.0, None, ErrorBudget(2), LOG))["status"] == "sent"
    down = Script([server_error(), server_error(), server_error()])
    payload = drive(down, campaign_wait(7, 1.0, None, ErrorBudget(2), LOG))
    assert payload["status"] == "error"
    assert "503" in payload["message"]
    assert len(down.calls) == 3


def test_a_failure_that_is_not_transient_ends_the_wait_at_once(no_sleep: list[float]) -> None:
    script = Script([SendPulseAuthError("credentials rejected", status=401), 3])
    payload = drive(script, campaign_wait(7, 1.0, None, ErrorBudget(5), LOG))
    assert payload["status"] == "error"
    assert len(script.calls) == 1


def test_a_final_status_that_is_not_sent_fails() -> None:
    payload = drive(Script([16]), campaign_wait(7, 1.0, None, ErrorBudget(), LOG))
    assert payload["status"] == "failed"
    with pytest.raises(AirflowFailException, match="canceled by user"):
        campaign_result(payload)


def test_the_deadline_ends_the_wait(no_sleep: list[float]) -> None:
    payload = wait_here(Script([13] * 3), 7, 60.0, time.time() - 1, LOG)
    assert payload["status"] == "timeout"
    with pytest.raises(AirflowSensorTimeout):
        campaign_result(payload)
    deadline = time.time() + 0.5
    drive(Script([13, 3]), campaign_wait(7, 60.0, deadline, ErrorBudget(), LOG))
    assert 0 < no_sleep[-1] <= 0.5  # never sleeps past the deadline


def test_an_error_payload_is_an_airflow_exception() -> None:
    with pytest.raises(AirflowException, match="Waiting for SendPulse campaign 7 failed: boom"):
        campaign_result({"status": "error", "campaign_id": 7, "message": "boom"})


def test_pause_is_answered_by_the_drivers_sleep(no_sleep: list[float]) -> None:
    def waits() -> Any:
        answer = yield Pause(2.5)
        return answer

    assert drive(Script([]), waits()) is None
    assert no_sleep == [2.5]


def test_error_budget() -> None:
    budget = ErrorBudget(max_errors=1)
    assert budget.spend(server_error()) is True
    assert budget.spend(server_error()) is False
    budget.reset()
    assert budget.spend(server_error()) is True
    assert ErrorBudget().spend(SendPulseAuthError("no", status=401)) is False
    assert ErrorBudget().spend(ValueError("bad cursor")) is False
