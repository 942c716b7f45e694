"""Fixtures for client tests: fresh process-wide token caches and rate limiters per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from airflow_provider_sendpulse.client.auth import reset_token_caches
from airflow_provider_sendpulse.client.ratelimit import reset_rate_limiters


@pytest.fixture(autouse=True)
def _fresh_client_state() -> Iterator[None]:
    reset_token_caches()
    reset_rate_limiters()
    yield
    reset_token_caches()
    reset_rate_limiters()
