"""Run a detection generator against a sync or an async client."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, Protocol, TypeVar

from airflow_provider_sendpulse.client.api import Call

T = TypeVar("T")
R = TypeVar("R")


class SyncRunner(Protocol):
    """Anything that sends a call and answers with its parsed result (``SendPulseClient``)."""

    def run(self, call: Call[T]) -> T: ...


class AsyncRunner(Protocol):
    """The async counterpart (``AsyncSendPulseClient``)."""

    async def run(self, call: Call[T]) -> T: ...


def drive(runner: SyncRunner, detection: Generator[Call[Any], Any, R]) -> R:
    """Answer every call the detection yields with ``runner.run`` and return its result."""
    try:
        call = next(detection)
        while True:
            try:
                answer = runner.run(call)
            except Exception as error:
                call = detection.throw(error)  # the detection may handle it (e.g. a vanished campaign)
            else:
                call = detection.send(answer)
    except StopIteration as done:
        result: R = done.value
        return result
    finally:
        detection.close()


async def adrive(runner: AsyncRunner, detection: Generator[Call[Any], Any, R]) -> R:
    """Async twin of :func:`drive`: the detection code is the same, only the I/O is awaited."""
    try:
        call = next(detection)
        while True:
            try:
                answer = await runner.run(call)
            except Exception as error:
                call = detection.throw(error)
            else:
                call = detection.send(answer)
    except StopIteration as done:
        result: R = done.value
        return result
    finally:
        detection.close()
