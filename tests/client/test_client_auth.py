import asyncio
import threading
import time

import pytest

from airflow_provider_sendpulse.client.auth import (
    ClientCredentialsAuth,
    MintedToken,
    StaticKeyAuth,
    TokenCache,
    renewal_lead,
    token_cache_for,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Minter:
    def __init__(self, expires_in: float = 3600, delay: float = 0.0) -> None:
        self.count = 0
        self.expires_in = expires_in
        self.delay = delay
        self._lock = threading.Lock()

    def __call__(self) -> MintedToken:
        if self.delay:
            time.sleep(self.delay)
        with self._lock:
            self.count += 1
            return MintedToken(f"token-{self.count}", self.expires_in)


@pytest.mark.parametrize(("expires_in", "lead"), [(3600, 300), (7200, 300), (600, 60), (10, 1), (0, 0)])
def test_renewal_lead(expires_in, lead):
    assert renewal_lead(expires_in) == pytest.approx(lead)


def test_token_is_cached_until_the_lead_time_then_renewed():
    clock = FakeClock()
    cache = TokenCache(clock)
    mint = Minter(expires_in=3600)
    assert cache.get(mint) == "token-1"
    clock.now += 3600 - 300 - 1
    assert cache.get(mint) == "token-1"
    clock.now += 2
    assert cache.get(mint) == "token-2"
    assert mint.count == 2
    assert cache.mint_count == 2


def test_lifetime_counts_from_before_the_mint_request():
    clock = FakeClock()
    cache = TokenCache(clock)

    def slow_mint() -> MintedToken:
        clock.now += 50
        return MintedToken("t", 100)

    cache.get(slow_mint)
    # started at 1000, lifetime 100, lead 10 -> stale from 1090 even though the answer came at 1050.
    clock.now = 1089.9
    assert cache.fresh() == "t"
    clock.now = 1090.0
    assert cache.fresh() is None


def test_invalidate_drops_only_the_refused_token():
    cache = TokenCache(FakeClock())
    mint = Minter()
    cache.get(mint)
    cache.invalidate("some-other-token")
    assert cache.fresh() == "token-1"
    cache.invalidate("token-1")
    assert cache.fresh() is None
    assert cache.get(mint) == "token-2"


def test_threads_share_one_mint():
    cache = TokenCache()
    mint = Minter(delay=0.1)
    barrier = threading.Barrier(8)
    results: list[str] = []

    def worker() -> None:
        barrier.wait()
        results.append(cache.get(mint))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert mint.count == 1
    assert set(results) == {"token-1"}


async def test_coroutines_share_one_mint_without_blocking_the_loop():
    cache = TokenCache()
    mint = Minter(delay=0.2)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    tick_task = asyncio.create_task(ticker())
    results = await asyncio.gather(*(cache.aget(mint) for _ in range(50)))
    tick_task.cancel()
    assert mint.count == 1
    assert set(results) == {"token-1"}
    assert ticks >= 5  # the loop kept running while the mint slept in a worker thread


def test_several_event_loops_and_threads_share_one_mint():
    cache = TokenCache()
    mint = Minter(delay=0.2)
    results: list[str] = []
    lock = threading.Lock()

    async def many() -> None:
        got = await asyncio.gather(*(cache.aget(mint) for _ in range(10)))
        with lock:
            results.extend(got)

    def loop_thread() -> None:
        asyncio.run(many())

    def sync_thread() -> None:
        token = cache.get(mint)
        with lock:
            results.append(token)

    threads = [threading.Thread(target=loop_thread) for _ in range(3)]
    threads += [threading.Thread(target=sync_thread) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert mint.count == 1
    assert len(results) == 33
    assert set(results) == {"token-1"}


def test_mint_failure_is_raised_and_nothing_cached():
    cache = TokenCache()

    def broken() -> MintedToken:
        raise RuntimeError("down")

    with pytest.raises(RuntimeError):
        cache.get(broken)
    assert cache.fresh() is None
    assert cache.mint_count == 0


def test_caches_are_shared_per_account():
    a = token_cache_for(("https://api.sendpulse.com", "id-1"))
    assert token_cache_for(("https://api.sendpulse.com", "id-1")) is a
    assert token_cache_for(("https://api.sendpulse.com", "id-2")) is not a
    assert token_cache_for(("http://127.0.0.1:9", "id-1")) is not a


async def test_static_key_needs_no_mint():
    auth = StaticKeyAuth("the-key")
    assert auth.token() == "the-key"
    assert await auth.atoken() == "the-key"
    assert not auth.refreshable
    assert "the-key" not in repr(auth)


def test_reprs_hide_tokens():
    cache = TokenCache()
    auth = ClientCredentialsAuth(cache, Minter())
    token = auth.token()
    assert token not in repr(auth)
    assert token not in repr(cache._token)
    assert token not in repr(MintedToken(token, 10))
