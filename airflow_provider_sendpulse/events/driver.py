"""Run a sans-IO generator (a detection, a wait) against a sync or an async client.

The generator yields what it needs, a :class:`~..client.api.Call` to send or a :class:`Pause` to wait,
and is sent each answer (or thrown each error). :class:`Steps` holds that protocol once; :func:`drive`
and :func:`adrive` only do the I/O.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeAlias, TypeVar

if TYPE_CHECKING:
    from airflow_provider_sendpulse.client.api import Call

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Pause:
    """Wait this many seconds before going on (answered with None)."""

    seconds: float


Step: TypeAlias = "Call[Any] | Pause"


class SyncRunner(Protocol):
    """Anything that sends a call and answers with its parsed result (``SendPulseClient``)."""

    def run(self, call: Call[T]) -> T: ...


class AsyncRunner(Protocol):
    """The async counterpart (``AsyncSendPulseClient``)."""

    async def run(self, call: Call[T]) -> T: ...


class Steps(Generic[R]):
    """Iterate over what a generator asks for; hand back each answer with :meth:`answer` or :meth:`fail`.

    An error the generator does not handle (or raises itself) comes out of the iteration; once it is
    over, :attr:`result` is what it returned.
    """

    def __init__(self, generator: Generator[Step, Any, R]) -> None:
        self._generator = generator
        self._started = False
        self._answer: Any = None
        self._error: Exception | None = None
        self.result: R

    def __iter__(self) -> Steps[R]:
        return self

    def __next__(self) -> Step:
        error, self._error = self._error, None
        try:
            if not self._started:
                self._started = True
                return next(self._generator)
            if error is not None:
                return self._generator.throw(error)  # it may handle it (e.g. a vanished campaign)
            answer, self._answer = self._answer, None
            return self._generator.send(answer)
        except StopIteration as done:
            self.result = done.value
            self._generator.close()
            raise StopIteration from None
        except BaseException:
            self._generator.close()
            raise

    def answer(self, value: Any) -> None:
        """The answer to the last step (None when not given, as for a pause)."""
        self._answer = value

    def fail(self, error: Exception) -> None:
        """The last step failed with ``error``."""
        self._error = error


def drive(runner: SyncRunner, generator: Generator[Step, Any, R]) -> R:
    """Answer every call with ``runner.run`` and every pause with ``time.sleep``; return the result."""
    steps = Steps(generator)
    for step in steps:
        try:
            if isinstance(step, Pause):
                time.sleep(step.seconds)
            else:
                steps.answer(runner.run(step))
        except Exception as error:
            steps.fail(error)
    return steps.result


async def adrive(runner: AsyncRunner, generator: Generator[Step, Any, R]) -> R:
    """Async twin of :func:`drive`: the generator is the same, only the I/O is awaited."""
    steps = Steps(generator)
    for step in steps:
        try:
            if isinstance(step, Pause):
                await asyncio.sleep(step.seconds)
            else:
                steps.answer(await runner.run(step))
        except Exception as error:
            steps.fail(error)
    return steps.result
