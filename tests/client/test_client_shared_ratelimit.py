"""The rate limit shared through Redis: one budget for every process, and no failure when Redis is away."""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Iterator

import pytest

from airflow_provider_sendpulse.client import ClientConfig, SendPulseClient, api
from airflow_provider_sendpulse.client.core import account_limiter
from airflow_provider_sendpulse.client.ratelimit import RateLimiter
from airflow_provider_sendpulse.client.shared_ratelimit import (
    SharedRateLimiter,
    redacted,
    reset_shared_rate_limiters,
)
from airflow_provider_sendpulse.emulator.config import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from tests.redis_server import free_port, running_redis

ACCOUNT = ("https://api.sendpulse.com", "acct")


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with running_redis() as url:
        yield url


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    reset_shared_rate_limiters()
    yield
    reset_shared_rate_limiters()


def _max_in_window(times: list[float], window: float = 1.0) -> int:
    times = sorted(times)
    best = j = 0
    for i, t in enumerate(times):
        while times[j] <= t - window:
            j += 1
        best = max(best, i - j + 1)
    return best


def _book(url: str, account: tuple[str, str], count: int, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    limiter = SharedRateLimiter(url, account, 20)
    sent = []
    for _ in range(count):
        limiter.acquire()
        sent.append(time.time())
    out.put(sent)


@pytest.mark.slow
def test_processes_share_one_budget(redis_url):
    account = ("https://api.sendpulse.com", f"shared-{time.time_ns()}")
    spawn = multiprocessing.get_context("spawn")
    out: multiprocessing.Queue = spawn.Queue()  # type: ignore[type-arg]
    workers = [spawn.Process(target=_book, args=(redis_url, account, 10, out)) for _ in range(4)]
    for worker in workers:
        worker.start()
    sent = [t for _ in workers for t in out.get(timeout=60)]
    for worker in workers:
        worker.join(10)
    assert len(sent) == 40
    # 40 sends at 20/s (plus headroom) take about two seconds whichever process made them.
    assert max(sent) - min(sent) >= 39 / 20
    assert _max_in_window(sent) <= 21


def test_a_refusal_pushes_every_process_back(redis_url):
    account = ("https://api.sendpulse.com", f"pause-{time.time_ns()}")
    first, second = SharedRateLimiter(redis_url, account, 10), SharedRateLimiter(redis_url, account, 10)
    assert first.reserve() == pytest.approx(0, abs=0.01)
    first.refused(1.5)
    assert 1.0 < second.reserve() <= 1.5  # less only by the time between the two calls


def test_redis_away_falls_back_to_the_process_limiter(caplog):
    url = f"redis://127.0.0.1:{free_port()}/0"
    limiter = SharedRateLimiter(url, ACCOUNT, 10)
    assert limiter.reserve() == 0  # from the fallback: nothing booked yet
    assert limiter.reserve() == pytest.approx(0.102, abs=0.01)
    assert sum("paces itself" in r.getMessage() for r in caplog.records) == 1


def test_password_never_shown():
    url = "redis://user:s3cret@redis.example:6380/2"
    assert redacted(url) == "redis://redis.example:6380/2"
    limiter = SharedRateLimiter(url, ACCOUNT, 10)
    assert "s3cret" not in repr(limiter)


def test_config_picks_the_shared_limiter(redis_url, emulator):
    config = ClientConfig(
        base_url=emulator.url,
        client_id=DEFAULT_CLIENT_ID,
        client_secret=DEFAULT_CLIENT_SECRET,
        rate_limit_store=redis_url,
    )
    assert isinstance(account_limiter(config), SharedRateLimiter)
    assert isinstance(account_limiter(ClientConfig(api_key="k")), RateLimiter)
    assert "rate_limit_store" not in repr(config)
    with SendPulseClient(config) as client:
        assert client.run(api.get_user_info())


def test_missing_redis_package_is_a_clear_error(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "redis", None)
    with pytest.raises(ValueError, match=r"airflow-provider-sendpulse\[redis\]"):
        SharedRateLimiter("redis://127.0.0.1:1/0", ACCOUNT, 10)
