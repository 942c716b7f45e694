import asyncio
import threading
import time

import pytest

from airflow_provider_sendpulse.client import ratelimit
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
    # Queued callers (an earlier slot still ahead) are spaced wider: a late sleeper must not bunch up.
    assert slots[-1] - slots[0] == pytest.approx(0.2 + 197 * (1 + ratelimit.QUEUED_HEADROOM) / 10)


def test_one_caller_sending_in_turn_gets_the_narrow_headroom():
    clock = FakeClock()
    limiter = RateLimiter(10, clock=clock)
    slots = []
    for _ in range(100):
        clock.now += limiter.reserve()
        slots.append(clock.now)
        clock.now += 0.03  # the answer arrives, then the next request is booked
    assert slots[-1] - slots[0] == pytest.approx(99 * 1.02 / 10)


def test_headroom_spaces_requests_wider():
    clock = FakeClock()
    limiter = RateLimiter(10, clock=clock)
    assert limiter.reserve() == 0
    assert limiter.reserve() == pytest.approx(0.102)
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


def _sends_in(limiter: RateLimiter, clock: FakeClock, seconds: float) -> int:
    """How many sends a caller that always waits for its slot makes in ``seconds``."""
    end, count = clock.now + seconds, 0
    while True:
        clock.now += limiter.reserve()
        if clock.now >= end:
            return count
        count += 1


def test_a_refusal_cuts_the_rate_and_it_probes_back_up():
    clock = FakeClock()
    limiter = RateLimiter(10, headroom=0.0, clock=clock, rng=lambda: 0.5)
    assert _sends_in(limiter, clock, 2.0) == 20
    assert limiter.current_rate == 10
    limiter.refused(None)
    cut = limiter.current_rate
    assert cut == pytest.approx(9 * ratelimit.DECREASE_FACTOR)  # 9 accepted in the last second
    clock.now += 5
    assert cut < limiter.current_rate < 10
    clock.now += 60
    assert limiter.current_rate == 10


def test_a_refusal_cuts_from_what_was_actually_sent():
    clock = FakeClock()
    limiter = RateLimiter(10, headroom=0.0, clock=clock, rng=lambda: 0.5)
    for _ in range(4):  # sends at 0, 0.3, 0.6 and 0.9 s; the last one is refused at 1.2 s
        limiter.reserve()
        clock.now += 0.3
    limiter.refused(None)
    assert limiter.current_rate == pytest.approx(2 * ratelimit.DECREASE_FACTOR)


def test_refusals_close_together_cut_once():
    clock = FakeClock()
    limiter = RateLimiter(10, headroom=0.0, clock=clock, rng=lambda: 0.5)
    _sends_in(limiter, clock, 2.0)
    limiter.refused(None)
    limiter.refused(None)  # sent before the first cut took effect
    assert limiter.current_rate == pytest.approx(9 * ratelimit.DECREASE_FACTOR)
    clock.now += 0.5  # a later refusal cuts again
    limiter.refused(None)
    assert limiter.current_rate < 6.0
    assert limiter.refusals == 3


def test_the_rate_has_a_floor(monkeypatch):
    monkeypatch.setattr(ratelimit, "FAST_GROWTH", 1e-9)
    monkeypatch.setattr(ratelimit, "SLOW_GROWTH", 1e-9)
    clock = FakeClock()
    limiter = RateLimiter(10, clock=clock, rng=lambda: 0.5)
    for _ in range(30):
        limiter.refused(None)
        clock.now += 1.0 / limiter.current_rate  # the next refusal comes right after the hold
    assert limiter.current_rate == pytest.approx(10 * ratelimit.MIN_FRACTION)


def test_retry_after_pauses_every_caller():
    clock = FakeClock()
    limiter = RateLimiter(10, clock=clock, rng=lambda: 0.0)
    limiter.reserve()
    limiter.refused(2.0)
    assert limiter.reserve() == pytest.approx(2.0)


def test_fixed_limiter_ignores_refusals_but_honours_retry_after():
    clock = FakeClock()
    limiter = RateLimiter(10, adaptive=False, clock=clock, rng=lambda: 0.0)
    limiter.refused(1.5)
    assert limiter.current_rate == 10
    assert limiter.reserve() == pytest.approx(1.5)


def test_set_rate_lowers_the_current_rate():
    limiter = RateLimiter(10, clock=FakeClock())
    limiter.set_rate(4)
    assert limiter.current_rate == 4
    with pytest.raises(ValueError, match="positive"):
        limiter.set_rate(0)


def test_growth_is_fast_below_and_above_the_refused_rate_and_slow_near_it():
    assert ratelimit.grown(3.0, 0.5, 10.0) > 4.5  # far below: fast
    near = ratelimit.grown(9.5, 2.0, 10.0)
    assert 9.5 < near < 9.7  # on the plateau: slow
    assert ratelimit.grown(11.0, 1.0, 10.0) > 25  # past it: fast again
    assert ratelimit.grown(5.0, 0.0, 10.0) == 5.0


def _simulate(processes: int, seconds: float, limit: int = 10) -> tuple[int, int]:
    """Independent limiters against a sliding-window server; (accepted, refused).

    Each process sends one request at a time: it books a slot, sends at it, and books the next one
    5 ms later (the answer) or, when refused, after the retry policy's first wait of 0.5 s.
    """
    import random

    clock = FakeClock()
    rng = random.Random(7)
    limiters = [RateLimiter(limit, clock=clock, rng=rng.random) for _ in range(processes)]
    send_at = []
    for limiter in limiters:
        clock.now = rng.uniform(0, 0.1)
        send_at.append(clock.now + limiter.reserve())
    window: list[float] = []
    accepted = refused = 0
    while True:
        n = min(range(processes), key=send_at.__getitem__)
        clock.now = send_at[n]
        if clock.now > seconds:
            return accepted, refused
        window = [t for t in window if t > clock.now - 1.0]
        if len(window) < limit:
            window.append(clock.now)
            accepted += 1
            clock.now += 0.005
        else:
            refused += 1
            limiters[n].refused(None)
            clock.now += 0.5
        send_at[n] = clock.now + limiters[n].reserve()


@pytest.mark.parametrize("processes", [1, 2, 4, 8])
def test_independent_processes_converge_on_the_shared_limit(processes):
    accepted, refused = _simulate(processes, 120.0)
    assert accepted >= 0.88 * 10 * 120
    if processes == 1:
        assert refused == 0
        assert accepted >= 0.97 * 10 * 120
    else:
        assert refused <= 0.07 * (accepted + refused)


def _send(limiter: RateLimiter, clock: FakeClock, late: float = 0.0) -> float:
    """One caller's send: sleep to the booked slot (``late`` seconds late), confirm until allowed; when
    it went out."""
    delay = limiter.reserve()
    if delay > 0:
        clock.now += delay + late
        while (delay := limiter.confirm()) > 0:
            clock.now += delay
    return clock.now


def test_a_late_send_holds_back_the_one_rate_places_after_it():
    clock = FakeClock()
    limiter = RateLimiter(10, headroom=0.0, clock=clock)
    sent = [_send(limiter, clock), _send(limiter, clock, late=0.05)]  # 0.0, then 0.15 instead of 0.1
    sent += [_send(limiter, clock) for _ in range(8)]  # booked 0.2 .. 0.9, on time
    assert sent[:3] == pytest.approx([0.0, 0.15, 0.2])
    # Booked at 1.0 and 1.1, the next two wait until the sends at 0.0 and 0.15 are a window behind.
    assert _send(limiter, clock) == pytest.approx(1.0 + ratelimit.WINDOW_MARGIN)
    assert _send(limiter, clock) == pytest.approx(1.15 + ratelimit.WINDOW_MARGIN)
    assert _max_in_window(sent, 1.0) <= 10


def test_sends_on_time_never_wait_for_the_window():
    clock = FakeClock()
    limiter = RateLimiter(10, clock=clock)  # the default headroom
    sent = [_send(limiter, clock) for _ in range(50)]
    assert sent[-1] == pytest.approx(49 * 1.02 / 10)
