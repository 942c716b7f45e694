import pytest

from airflow_provider_sendpulse.client import api
from airflow_provider_sendpulse.client.attempts import CallState
from airflow_provider_sendpulse.client.errors import (
    SendPulseAmbiguousCreateError,
    SendPulseAuthError,
    SendPulseConnectionError,
    SendPulseError,
    SendPulseNotFoundError,
    SendPulseRateLimitError,
    SendPulseServerError,
    SendPulseValidationError,
)
from airflow_provider_sendpulse.client.retry import RetryPolicy, is_retryable


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (SendPulseRateLimitError("x", 429), True),
        (SendPulseRateLimitError("x", 200, 2020202020), True),
        (SendPulseServerError("x", 500), True),
        (SendPulseServerError("x", 502), True),
        (SendPulseServerError("x", 503), True),
        (SendPulseServerError("x", 504), True),
        (SendPulseServerError("x", 501), False),
        (SendPulseConnectionError("x", request_sent=True), True),
        (SendPulseConnectionError("x", request_sent=False), True),
        (SendPulseValidationError("x", 422), False),
        (SendPulseNotFoundError("x", 404), False),
        (SendPulseAuthError("x", 401), False),
        (SendPulseError("x", 409), False),
        (SendPulseAmbiguousCreateError("x", method="POST", path="/campaigns", status=503), False),
        (ValueError("x"), False),
    ],
)
def test_retry_predicate(exc, expected):
    assert is_retryable(exc) is expected


def test_retry_after_is_honoured_and_capped():
    policy = RetryPolicy(max_retries=3, initial_wait=0.5, max_wait=10)
    assert policy.wait(SendPulseRateLimitError("x", 429, retry_after=4), 1) == 4
    assert policy.wait(SendPulseRateLimitError("x", 429, retry_after=400), 1) == 10


def test_backoff_grows_with_jitter_and_is_capped():
    policy = RetryPolicy(max_retries=10, initial_wait=1, max_wait=8)
    waits = [policy.wait(SendPulseServerError("x", 503), n) for n in range(1, 8)]
    assert 1 <= waits[0] <= 2
    assert 2 <= waits[1] <= 3
    assert all(w <= 8 for w in waits)


def _attempts_until_final(policy, exc):
    """Judge the same failure attempt after attempt; returns how many attempts were made."""
    state = CallState(api.get_user_info(), policy, refreshable=True)
    made = 1
    try:
        while True:
            state.judge(exc, sent=True)
            made += 1
    except type(exc):
        return made


def test_attempts_are_bounded_by_max_retries():
    assert _attempts_until_final(RetryPolicy(max_retries=2), SendPulseServerError("x", 503)) == 3


def test_other_4xx_are_raised_at_once():
    assert _attempts_until_final(RetryPolicy(max_retries=5), SendPulseValidationError("x", 422)) == 1


def test_negative_retries_refused():
    with pytest.raises(ValueError, match="max_retries"):
        RetryPolicy(max_retries=-1)
