import asyncio
import threading
import time

import pytest

from airflow_provider_sendpulse.client.ratelimit import RateLimiter, rate_limiter_for


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _max_in_window(times: list[float], window: float) -> int:
    times = sorted(times)
    best = 0
    j = 0
    for i, t in enumerate(times):
        while times[j] <= t - window:
            j += 1
        best = max(best, i - j + 1)
    return best


def test_slots_never_exceed_the_rate_in_any_window():
    clock = FakeClock()
    limiter = RateLimiter(10, headroom=0.0, clock=clock)
    slots = []
    for _ in range(200):
        slots.append(clock.now + limiter.reserve())
        clock.now += 0.013  # callers arrive faster than allowed
    assert _max_in_window(slots, 0.999) <= 10
    assert slots[-1] - slots[0] == pytest.approx(19.9)


def test_headroom_spaces_requests_wider():
    clock = FakeClock()
    limiter = RateLimiter(10, clock=clock)
    assert limiter.reserve() == 0
    assert limiter.reserve() == pytest.approx(0.11)
    clock.now = 5.0  # idle: the next call goes at once
    assert limiter.reserve() == 0


def test_fractional_rate():
    limiter = RateLimiter(0.5, headroom=0.0, clock=FakeClock())
    assert limiter.reserve() == 0
    assert limiter.reserve() == pytest.approx(2.0)


def test_set_rate_and_registry():
    a = rate_limiter_for(("u", "acct"), 10)
    assert rate_limiter_for(("u", "acct"), 20) is a
    assert a.rate == 20
    assert rate_limiter_for(("u", "other"), 10) is not a
    with pytest.raises(ValueError, match="positive"):
        RateLimiter(0)


def test_threads_and_coroutines_share_the_limit():
    limiter = RateLimiter(40, headroom=0.0)
    sent: list[float] = []
    lock = threading.Lock()

    def sync_worker() -> None:
        for _ in range(5):
            limiter.acquire()
            with lock:
                sent.append(time.monotonic())

    async def async_worker() -> None:
        for _ in range(5):
            await limiter.aacquire()
            with lock:
                sent.append(time.monotonic())

    async def many() -> None:
        await asyncio.gather(*(async_worker() for _ in range(4)))

    threads = [threading.Thread(target=sync_worker) for _ in range(4)]
    threads.append(threading.Thread(target=asyncio.run, args=(many(),)))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(sent) == 40
    # 40 sends at 40/s are spread over about a second.
    assert max(sent) - min(sent) >= 0.9
    assert _max_in_window(sent, 0.5) <= 21


async def test_async_wait_does_not_block_the_loop():
    limiter = RateLimiter(5, headroom=0.0)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    task = asyncio.create_task(ticker())
    await asyncio.gather(*(limiter.aacquire() for _ in range(3)))
    task.cancel()
    assert ticks >= 20
