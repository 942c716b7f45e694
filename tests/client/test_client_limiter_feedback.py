"""The attempt policy tells the account's limiter about refusals, and the limiter slows the account."""

from __future__ import annotations

import pytest

from airflow_provider_sendpulse.client import AsyncSendPulseClient, ClientConfig, SendPulseClient, api
from airflow_provider_sendpulse.client.ratelimit import RateLimiter
from airflow_provider_sendpulse.emulator.config import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET


def _config(url: str) -> ClientConfig:
    return ClientConfig(
        base_url=url,
        client_id=DEFAULT_CLIENT_ID,
        client_secret=DEFAULT_CLIENT_SECRET,
        max_requests_per_second=10,
        retry_initial_wait=0.01,
        retry_max_wait=0.2,
        timeout=5.0,
    )


@pytest.mark.parametrize("code", [None, 2020202020], ids=["429", "2020202020"])
def test_a_refusal_slows_the_account_limiter(emulator, code):
    emulator.add_fault(method="GET", path="/user/info", times=1, status=429, error_code=code)
    with SendPulseClient(_config(emulator.url)) as client:
        assert client.run(api.get_user_info())
        limiter = client.core.limiter
    assert isinstance(limiter, RateLimiter)
    assert limiter.refusals == 1
    assert limiter.current_rate < 10


async def test_the_async_client_reports_refusals_too(emulator):
    emulator.add_fault(method="GET", path="/user/info", times=1, status=429)
    async with AsyncSendPulseClient(_config(emulator.url)) as client:
        assert await client.run(api.get_user_info())
        limiter = client.core.limiter
    assert isinstance(limiter, RateLimiter)
    assert limiter.refusals == 1


def test_other_failures_do_not_slow_the_limiter(emulator):
    emulator.add_fault(method="GET", path="/user/info", times=1, status=503)
    with SendPulseClient(_config(emulator.url)) as client:
        assert client.run(api.get_user_info())
        limiter = client.core.limiter
    assert isinstance(limiter, RateLimiter)
    assert limiter.refusals == 0
    assert limiter.current_rate == 10
