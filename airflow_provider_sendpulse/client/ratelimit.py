"""Client-side rate limit per account: adaptive, shared by every thread and coroutine in the process.

SendPulse allows 10 requests per second per account, counted over a sliding second, across every
process that uses the account. A process cannot see the others, so its limiter adapts: it sends
evenly spaced requests at its current rate, and when SendPulse refuses one (HTTP 429 or error code
2020202020) it cuts its rate, pauses for ``Retry-After`` when one is given, and then probes back up:
quickly to just below the rate at which it was refused, slowly across it, quickly again once well past
it (after TCP CUBIC's growth curve). Independent processes converge on shares of the account's limit.
Jitter on the cut keeps processes refused together from moving in lock-step. Processes on several
hosts can share one exact budget instead through :mod:`~airflow_provider_sendpulse.client.shared_ratelimit`.
"""

from __future__ import annotations

import asyncio
import math
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

DEFAULT_HEADROOM = 0.02
"""Fraction by which requests are spaced wider than the rate strictly needs, so that jitter between
leaving this process and reaching the server does not put one request too many into a server second.
Kept small: one caller sending request after request reaches 98% of the limit, and a refusal is
handled by backing off."""

QUEUED_HEADROOM = 0.1
"""The spacing headroom after a slot booked while an earlier one is still ahead: several callers are
queued, each sleeping until its slot, and a sleeper woken late bunches up with the next one."""

DECREASE_FACTOR = 0.7
"""After a refusal the rate is cut to this fraction (give or take ``CUT_JITTER``) of what was sent."""

CUT_JITTER = 0.1
"""Random spread of the cut, so processes refused together do not settle on the same rate."""

MIN_FRACTION = 0.05
"""The rate never drops below this fraction of the configured limit."""

FAST_GROWTH = 1.0
"""Per second, the rate grows by ``e ** FAST_GROWTH`` while outside ``PLATEAU``: back up to just below
the rate at which it was last refused, and on past it once there is clearly room (others stopped)."""

SLOW_GROWTH = 0.005
"""Per second, the rate grows by ``e ** SLOW_GROWTH`` inside ``PLATEAU``: probing for spare room near
the rate at which it was refused costs few refusals while processes share the account."""

PLATEAU = (0.9, 1.05)
"""The band, as fractions of the rate at the last refusal, where the rate grows slowly."""


def grown(rate: float, seconds: float, last_refused: float) -> float:
    """``rate`` after ``seconds`` of growth: fast to the plateau around ``last_refused``, slow across it."""
    low, high = PLATEAU[0] * last_refused, PLATEAU[1] * last_refused
    for lower, upper, speed in ((0.0, low, FAST_GROWTH), (low, high, SLOW_GROWTH)):
        if seconds <= 0:
            return rate
        if lower <= rate < upper:
            needed = math.log(upper / rate) / speed
            if seconds < needed:
                return rate * math.exp(speed * seconds)
            rate, seconds = upper, seconds - needed
    return rate * math.exp(FAST_GROWTH * max(seconds, 0.0))


class Limiter(Protocol):
    """What the clients need of a rate limiter: book a send slot, and hear about refusals."""

    rate: float

    def reserve(self) -> float:
        """Book the next send slot; returns how many seconds to wait before sending."""
        ...

    def acquire(self) -> None:
        """Block the calling thread until it may send."""
        ...

    def refused(self, retry_after: float | None) -> None:
        """SendPulse refused a request for the rate limit (``retry_after`` seconds if it said)."""
        ...


class RateLimiter:
    """Evenly spaced sends at an adaptive rate of at most ``rate`` per second.

    Spacing rather than bursting keeps the server from queueing a burst (which would bunch the
    requests up on its side). Callers book a send time under a short thread lock and wait outside
    it, so async callers sleep with ``asyncio.sleep`` and never block the event loop.

    :param rate: the account's limit (requests per second).
    :param headroom: spacing wider than ``1 / rate`` by this fraction.
    :param adaptive: back off on :meth:`refused` and probe back up; False keeps the rate fixed.
    """

    def __init__(
        self,
        rate: float,
        *,
        headroom: float = DEFAULT_HEADROOM,
        adaptive: bool = True,
        clock: Callable[[], float] = time.monotonic,
        rng: Callable[[], float] = random.random,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        if headroom < 0:
            raise ValueError("headroom must not be negative")
        self._lock = threading.Lock()
        self._clock = clock
        self._rng = rng
        self._headroom = headroom
        self._adaptive = adaptive
        self._next = self._last_slot = float("-inf")
        self.rate = rate
        self._current = rate
        self._hold_until = float("-inf")
        self._last_refused = rate
        self._since = clock()
        self._slots: deque[float] = deque()
        self.refusals = 0

    def set_rate(self, rate: float) -> None:
        """Change the limit (the newest client of an account decides it for all)."""
        if rate <= 0:
            raise ValueError("rate must be positive")
        with self._lock:
            self.rate = rate
            self._current = min(self._current, rate)

    @property
    def current_rate(self) -> float:
        """The rate the limiter sends at now (requests per second)."""
        with self._lock:
            return self._rate_now(self._clock())

    def _rate_now(self, now: float) -> float:
        """The current rate, grown since the last look (caller holds the lock)."""
        if self._current < self.rate:
            self._current = min(grown(self._current, now - self._since, self._last_refused), self.rate)
        self._since = now
        return self._current

    def _forget_slots(self, now: float) -> None:
        """Drop booked slots older than one second (caller holds the lock)."""
        slots = self._slots
        while slots and slots[0] <= now - 1.0:
            slots.popleft()

    def reserve(self) -> float:
        """Book the next send slot; returns how many seconds to wait before sending."""
        with self._lock:
            now = self._clock()
            rate = self._rate_now(now)
            slot = max(now, self._next)
            queued = self._last_slot > now
            self._last_slot = slot
            self._next = slot + (1 + max(self._headroom, QUEUED_HEADROOM if queued else 0.0)) / rate
            if self._adaptive:
                self._forget_slots(now)
                self._slots.append(slot)
            return slot - now

    def refused(self, retry_after: float | None = None) -> None:
        """Slow down after a refusal: cut the rate, and pause for ``retry_after`` if given.

        The cut starts from what this process sent in the last second when that is less than its
        rate, so a process starting next to busy ones learns its share at once. Refusals of requests
        sent before the last cut took effect (within one gap of it) count once.
        """
        with self._lock:
            now = self._clock()
            self.refusals += 1
            if retry_after is not None and retry_after > 0:
                self._next = max(self._next, now + retry_after * (1 + 0.2 * self._rng()))
            if not self._adaptive or now < self._hold_until:
                return
            self._forget_slots(now)
            sent = max(sum(1 for slot in self._slots if slot <= now) - 1, 1)
            base = min(self._rate_now(now), float(sent))
            factor = DECREASE_FACTOR * (1 + CUT_JITTER * (2 * self._rng() - 1))
            self._last_refused = base
            self._current = max(base * factor, self.rate * MIN_FRACTION)
            self._hold_until = now + 1.0 / self._current

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
