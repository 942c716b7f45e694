"""The retry rules both clients use: which failures are retried, and how long to wait.

Retried: rate limiting (HTTP 429 or error code 2020202020), HTTP 500/502/503/504, connection
errors and timeouts. Never other 4xx, never a failed TLS handshake (an untrusted certificate does
not heal), and never an ambiguous create (that error is not retryable). The loop that applies
these rules is :func:`~.attempts.attempts`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from airflow_provider_sendpulse.client.errors import (
    SendPulseConnectionError,
    SendPulseRateLimitError,
    SendPulseServerError,
    SendPulseTLSError,
)

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

    def wait(self, exc: BaseException, attempt: int) -> float:
        """Backoff after failed attempt ``attempt`` (from 1): ``Retry-After`` if given, else exponential."""
        if isinstance(exc, SendPulseRateLimitError) and exc.retry_after is not None:
            return min(max(exc.retry_after, 0.0), self.max_wait)
        exponent = min(attempt - 1, 32)
        backoff = self.initial_wait * float(2**exponent) + random.uniform(0, self.initial_wait)
        return float(min(backoff, self.max_wait))
