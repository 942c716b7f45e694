"""How one call is attempted, written once for both clients and free of I/O.

:func:`attempts` is a generator: it yields the steps a call needs (get a token, wait, send a
request) and receives their results, or the :class:`~.errors.SendPulseError` a step failed with.
The sync client performs the steps with blocking calls, the async client awaits them; the control
flow (token, rate limit, send, re-mint after a 401, replay safety, retries) lives only here.

:meth:`CallState.judge` is the one place that decides what a failure means for a call.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from airflow_provider_sendpulse.client.api import Call
from airflow_provider_sendpulse.client.errors import (
    SendPulseAmbiguousCreateError,
    SendPulseAuthError,
    SendPulseConnectionError,
    SendPulseError,
    SendPulseRateLimitError,
    SendPulseServerError,
)
from airflow_provider_sendpulse.client.retry import RetryPolicy, is_retryable

if TYPE_CHECKING:
    from airflow_provider_sendpulse.client.core import ClientCore
    from airflow_provider_sendpulse.client.transport import Request

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class GetToken:
    """Step: answer with the bearer token to send now (minting it if due)."""


@dataclass(frozen=True)
class Sleep:
    """Step: wait ``seconds``, then answer with None."""

    seconds: float


@dataclass(frozen=True)
class Send:
    """Step: send ``request`` and answer with its :class:`~.transport.RawResponse`."""

    request: Request
    what: str


Step = GetToken | Sleep | Send

GET_TOKEN = GetToken()


@dataclass(frozen=True)
class Verdict:
    """What a failure that is not final means: return ``parse(None)``, re-mint and resend, or retry."""

    settled: bool = False
    remint: bool = False
    wait: float = 0.0


SETTLED = Verdict(settled=True)
REMINT = Verdict(remint=True)


def may_have_been_performed(exc: SendPulseError) -> bool:
    """Whether a send that failed with ``exc`` may still have done its work on the server."""
    return isinstance(exc, SendPulseServerError) or (
        isinstance(exc, SendPulseConnectionError) and exc.request_sent
    )


@dataclass
class CallState:
    """What one call has been through: its attempt number, and whether an earlier send may have worked.

    :param call: the call being attempted.
    :param policy: how many attempts it gets and how long to wait between them.
    :param refreshable: whether a refused token can be replaced by minting a new one.
    """

    call: Call[Any]
    policy: RetryPolicy
    refreshable: bool
    attempt: int = 1
    maybe_done: bool = False
    reminted: bool = False

    def judge(self, exc: SendPulseError, *, sent: bool) -> Verdict:
        """What ``exc`` means for this call, raising it (or what it amounts to) when it is final.

        ``sent`` is False when the failure came from getting the token, before anything was sent.

        - a replay that finds its work already done (``call.settled_by``) after an earlier send whose
          answer was lost has succeeded;
        - a create that may have been performed is never repeated (ambiguous create);
        - a 401 re-mints the token once per attempt; a 401 to a fresh token is a credential problem;
        - rate limits, 500/502/503/504 and network failures (not TLS) are retried while the budget
          of ``max_retries + 1`` attempts (token mints included) lasts; anything else is raised.
        """
        call = self.call
        if sent:
            if self.maybe_done and isinstance(exc, call.settled_by):
                return SETTLED
            if may_have_been_performed(exc):
                self.maybe_done = True
                if call.is_create:
                    raise ambiguous_create(call, exc) from exc
            if isinstance(exc, SendPulseAuthError) and exc.status == 401:
                if self.reminted:
                    raise refused_fresh_token(call, exc) from None
                if self.refreshable:
                    self.reminted = True
                    return REMINT
        if not is_retryable(exc) or self.attempt > self.policy.max_retries:
            raise exc
        wait = self.policy.wait(exc, self.attempt)
        log.warning("SendPulse attempt %d failed (%s); retrying in %.2f s", self.attempt, exc, wait)
        self.attempt += 1
        self.reminted = False
        return Verdict(wait=wait)


def ambiguous_create(call: Call[Any], exc: SendPulseError) -> SendPulseAmbiguousCreateError:
    """The error for a create call that may or may not have been performed."""
    return SendPulseAmbiguousCreateError(
        f"SendPulse {call.describe()} may or may not have been performed ({exc.message}); "
        "it was not repeated to avoid a duplicate: look the object up before trying again",
        method=call.method,
        path=call.path,
        status=exc.status,
    )


def refused_fresh_token(call: Call[Any], exc: SendPulseAuthError) -> SendPulseAuthError:
    """The error for a 401 that survived a re-mint."""
    return SendPulseAuthError(
        f"SendPulse refused a freshly issued token for {call.describe()}: "
        "check the API ID and secret and the account's API access",
        exc.status,
        exc.error_code,
    )


def attempts(core: ClientCore, call: Call[T]) -> Generator[Step, Any, T]:
    """Attempt ``call`` until it succeeds or its failure is final; yields the steps to perform."""
    from airflow_provider_sendpulse.client.core import interpret

    state = CallState(call, core.policy, core.auth.refreshable)
    while True:
        sent = False
        token = ""
        try:
            token = yield GET_TOKEN
            if core.limiter is not None:
                delay = core.limiter.reserve()
                while delay > 0:
                    yield Sleep(delay)
                    delay = core.limiter.confirm()
            sent = True
            return interpret(call, (yield Send(core.request(call, token), call.describe())))
        except SendPulseError as exc:
            if sent and core.limiter is not None and isinstance(exc, SendPulseRateLimitError):
                core.limiter.refused(exc.retry_after)
            verdict = state.judge(exc, sent=sent)
            if verdict.settled:
                return call.parse(None)
            if verdict.remint:
                core.auth.invalidate(token)
            elif verdict.wait > 0:
                yield Sleep(verdict.wait)


class Plan(Generic[T]):
    """Steps a generator such as :func:`attempts`; a driver loop performs :attr:`step` and resumes it.

    The driver catches only :class:`~.errors.SendPulseError` from performing a step (that is thrown
    into the generator); the generator's own return value or error is kept for :attr:`result`.
    """

    def __init__(self, steps: Generator[Step, Any, T]) -> None:
        self._steps = steps
        self.step: Step = GET_TOKEN
        self.done = False
        self._value: T | None = None
        self._error: BaseException | None = None
        self._resume(steps.send, None)

    def send(self, value: Any) -> None:
        """Resume with the result of :attr:`step`."""
        self._resume(self._steps.send, value)

    def throw(self, error: SendPulseError) -> None:
        """Resume with the error :attr:`step` failed with."""
        self._resume(self._steps.throw, error)

    def _resume(self, resume: Any, argument: Any) -> None:
        try:
            self.step = resume(argument)
        except StopIteration as finished:
            self.done, self._value = True, finished.value
        except BaseException as error:  # re-raised by result
            self.done, self._error = True, error

    def perform(
        self,
        sleep: Callable[[float], Any],
        send: Callable[[Request, str], Any],
        token: Callable[[], Any],
    ) -> Any:
        """Perform :attr:`step` with the driver's ``sleep``, ``send`` and ``token`` (async: start it)."""
        step = self.step
        if isinstance(step, Sleep):
            return sleep(step.seconds)
        if isinstance(step, Send):
            return send(step.request, step.what)
        return token()

    @property
    def result(self) -> T:
        """The call's answer once :attr:`done`; raises the call's final error."""
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        return self._value  # type: ignore[return-value]
