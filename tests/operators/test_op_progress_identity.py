"""Progress lines and task-instance identity."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from airflow_provider_sendpulse.hooks.progress import ProgressLog, format_duration
from airflow_provider_sendpulse.operators.identity import TaskState, bounded_name, task_identity, try_number


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_progress_lines_are_throttled_and_say_rate_and_time_left(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    log = logging.getLogger("progress-test")
    progress = ProgressLog(log, 1000, every=5.0, clock=clock)
    with caplog.at_level(logging.INFO, logger="progress-test"):
        clock.now += 1
        progress.update(100)  # too soon: not logged
        clock.now += 4
        progress.update(250)
        clock.now += 5
        progress.update(1000)
        progress.update(1000, force=True)  # same count: not repeated
    lines = [r.getMessage() for r in caplog.records]
    assert lines == [
        "Added 250/1,000 contacts (25.0%) at 50/s, about 15s left",
        "Added 1,000/1,000 contacts (100.0%) at 100/s, in 10s",
    ]


@pytest.mark.parametrize(("seconds", "text"), [(0, "0s"), (59.6, "1m00s"), (61, "1m01s"), (3725, "1h02m")])
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


def test_identity_is_the_same_for_every_try(make_context: Any) -> None:
    first = make_context(task_id="send", try_number=1)
    second = make_context(task_id="send", try_number=3)
    assert task_identity(first) == task_identity(second)
    assert task_identity(first) == "sendpulse_daily.send scheduled__2026-11-27T00:00:00+00:00"
    assert try_number(second) == 3
    mapped = make_context(task_id="send", map_index=4)
    assert task_identity(mapped) == "sendpulse_daily.send[4] scheduled__2026-11-27T00:00:00+00:00"


def test_bounded_name_keeps_long_names_unique() -> None:
    short = "airflow x"
    assert bounded_name(short) == short
    a = bounded_name("a" * 150 + "1")
    b = bounded_name("a" * 150 + "2")
    assert len(a) == len(b) == 100
    assert a != b


def test_task_state_without_store_is_a_no_op(make_context: Any) -> None:
    state = TaskState(make_context(with_store=False))
    assert not state.available
    state.set("k", 1)
    assert state.get("k") is None
    stored = TaskState(make_context())
    stored.set("k", 1)
    assert stored.get("k") == 1
