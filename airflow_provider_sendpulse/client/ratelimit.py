"""Client-side rate limit per account, shared by every thread and coroutine in the process."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable

DEFAULT_HEADROOM = 0.1
"""Fraction by which requests are spaced wider than the rate strictly needs, so that jitter between
leaving this process and reaching the server cannot put one request too many into a server second."""


class RateLimiter:
    """Evenly spaced sends: at most ``rate`` per second, one every ``(1 + headroom) / rate`` seconds.

    Spacing rather than bursting keeps the server from queueing a burst (which would bunch the
    requests up on its side). Callers book a send time under a short thread lock and wait outside
    it, so async callers sleep with ``asyncio.sleep`` and never block the event loop.
    """

    def __init__(
        self,
        rate: float,
        *,
        headroom: float = DEFAULT_HEADROOM,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        if headroom < 0:
            raise ValueError("headroom must not be negative")
        self._lock = threading.Lock()
        self._clock = clock
        self._headroom = headroom
        self._next = float("-inf")
        self.rate = rate
        self._interval = (1 + headroom) / rate

    def set_rate(self, rate: float) -> None:
        """Change the limit (the newest client of an account decides it for all)."""
        if rate <= 0:
            raise ValueError("rate must be positive")
        with self._lock:
            self.rate = rate
            self._interval = (1 + self._headroom) / rate

    def reserve(self) -> float:
        """Book the next send slot; returns how many seconds to wait before sending."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next)
            self._next = slot + self._interval
            return slot - now

    def acquire(self) -> None:
        """Block the calling thread until it may send."""
        delay = self.reserve()
        if delay > 0:
            time.sleep(delay)

    async def aacquire(self) -> None:
        """Wait (without blocking the event loop) until the calling coroutine may send."""
        delay = self.reserve()
        if delay > 0:
            await asyncio.sleep(delay)


_registry: dict[tuple[str, str], RateLimiter] = {}
_registry_lock = threading.Lock()


def rate_limiter_for(account: tuple[str, str], rate: float) -> RateLimiter:
    """The process-wide limiter of one account, created on first use.

    If clients of the same account ask for different rates, the most recent one applies.
    """
    with _registry_lock:
        limiter = _registry.get(account)
        if limiter is None:
            limiter = _registry[account] = RateLimiter(rate)
            return limiter
    if limiter.rate != rate:
        limiter.set_rate(rate)
    return limiter


def reset_rate_limiters() -> None:
    """Forget every limiter (for tests)."""
    with _registry_lock:
        _registry.clear()
