"""The one retry policy both transports use (tenacity).

Retried: rate limiting (HTTP 429 or error code 2020202020), HTTP 500/502/503/504, connection
errors and timeouts. Never other 4xx, never a failed TLS handshake (an untrusted certificate does
not heal), and never an ambiguous create (that error is not retryable).
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from typing import Any

from tenacity import (
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
)

from airflow_provider_sendpulse.client.errors import (
    SendPulseConnectionError,
    SendPulseRateLimitError,
    SendPulseServerError,
    SendPulseTLSError,
)

log = logging.getLogger(__name__)

RETRYABLE_STATUSES = frozenset({500, 502, 503, 504})


def is_retryable(exc: BaseException) -> bool:
    """Whether a failed attempt may be repeated."""
    if isinstance(exc, SendPulseTLSError):
        return False
    if isinstance(exc, SendPulseRateLimitError | SendPulseConnectionError):
        return True
    if isinstance(exc, SendPulseServerError):
        return exc.status in RETRYABLE_STATUSES
    return False


@dataclass(frozen=True)
class RetryPolicy:
    """How many times and how long to wait between attempts.

    :param max_retries: retries after the first attempt (0 disables retrying).
    :param initial_wait: first backoff in seconds; doubles per attempt, plus up to as much jitter.
    :param max_wait: cap of one backoff, and of a server's ``Retry-After``.
    """

    max_retries: int = 5
    initial_wait: float = 0.5
    max_wait: float = 30.0

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError("max_retries must not be negative")

    def wait_seconds(self, retry_state: RetryCallState) -> float:
        """Backoff before the next attempt: the server's ``Retry-After`` if given, else exponential."""
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(exc, SendPulseRateLimitError) and exc.retry_after is not None:
            return min(max(exc.retry_after, 0.0), self.max_wait)
        exponent = min(retry_state.attempt_number - 1, 32)
        backoff = self.initial_wait * float(2**exponent) + random.uniform(0, self.initial_wait)
        return float(min(backoff, self.max_wait))

    def tenacity_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``tenacity.Retrying`` / ``AsyncRetrying`` (sleep left to each)."""
        return {
            "retry": retry_if_exception(is_retryable),
            "stop": stop_after_attempt(self.max_retries + 1),
            "wait": self.wait_seconds,
            "before_sleep": _log_retry,
            "reraise": True,
        }


def _log_retry(retry_state: RetryCallState) -> None:
    exc = retry_state.outcome.exception() if retry_state.outcome else None
    wait = retry_state.next_action.sleep if retry_state.next_action else 0.0
    log.warning(
        "SendPulse attempt %d failed (%s); retrying in %.2f s",
        retry_state.attempt_number,
        exc,
        wait,
    )
