"""Client-side rate limit per account: adaptive, shared by every thread and coroutine of a process.

SendPulse allows 10 requests per second per account, counted over a sliding second, across every
process that uses the account. A limiter cannot see the senders it does not share state with, so it
adapts: it sends
evenly spaced requests at its current rate, and when SendPulse refuses one (HTTP 429 or error code
2020202020) it cuts its rate, pauses for ``Retry-After`` when one is given, and then probes back up:
quickly to just below the rate at which it was refused, slowly across it, quickly again once well past
it (after TCP CUBIC's growth curve). Independent processes converge on shares of the account's limit.
Jitter on the cut keeps processes refused together from moving in lock-step. A limiter keeps its
state in a store: this process's memory, or a file the processes of one host share
(:mod:`~airflow_provider_sendpulse.client.host_ratelimit`, the default), so that they pace as one.
Processes on several hosts can share one exact budget instead through
:mod:`~airflow_provider_sendpulse.client.shared_ratelimit`.
"""

from __future__ import annotations

import asyncio
import math
import os
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Protocol

DEFAULT_HEADROOM = 0.02
"""Fraction by which requests are spaced wider than the rate strictly needs, so that jitter between
leaving this process and reaching the server does not put one request too many into a server second.
Kept small: one caller sending request after request reaches 98% of the limit, and a refusal is
handled by backing off."""

QUEUED_HEADROOM = 0.1
"""The spacing headroom after a slot booked while an earlier one of this process is still ahead:
several threads or coroutines are queued, each sleeping until its slot, and one woken late (waiting
for the interpreter lock or a busy event loop) bunches up with the next one."""

OTHER_PROCESS_HEADROOM = 0.05
"""The spacing headroom after a slot booked while one of another process of the host is still ahead
(a host-shared state): separate processes wake on their own, so they are late less often and by less;
at 10 requests/s a request may still leave 50 ms late without crowding a server second."""

DECREASE_FACTOR = 0.7
"""After a refusal the rate is cut to this fraction (give or take ``CUT_JITTER``) of what was sent."""

CUT_JITTER = 0.1
"""Random spread of the cut, so processes refused together do not settle on the same rate."""

WINDOW_MARGIN = 0.02
"""A request also waits while ``rate`` requests went out in the last ``1 + WINDOW_MARGIN`` seconds, by
when they were sent rather than booked: one that left late (a busy machine, a collector pause) must not
put the one ``rate`` places after it into the same server second. On time, sends are that far apart
anyway (``DEFAULT_HEADROOM``), so this adds no wait."""

SLOT_MEMORY = 64
"""Booked slots remembered (those of the last second, at most this many): a cut starts from what was
sent in the last second, and more than this per second is far beyond SendPulse's limit anyway."""

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
        """Book the next send slot: 0 to send now, else the seconds to wait before :meth:`confirm`."""
        ...

    def confirm(self) -> float:
        """After the wait: 0 to send now, else the seconds to wait before confirming again."""
        ...

    def acquire(self) -> None:
        """Block the calling thread until it may send."""
        ...

    def refused(self, retry_after: float | None) -> None:
        """SendPulse refused a request for the rate limit (``retry_after`` seconds if it said)."""
        ...


@dataclass
class LimiterState:
    """What a limiter remembers between sends (times in monotonic seconds)."""

    current: float
    """The rate sent at now (requests per second), at most the configured limit."""
    last_refused: float
    """The rate at the last refusal: growth slows down near it."""
    since: float
    """When ``current`` was last grown."""
    next: float = float("-inf")
    """The earliest time of the next slot."""
    last_slot: float = float("-inf")
    """The latest slot booked."""
    last_booker: int = 0
    """The process id that booked ``last_slot``."""
    hold_until: float = float("-inf")
    """Refusals before this time belong to requests sent before the last cut."""
    slots: list[float] = field(default_factory=list)
    """Slots booked in the last second."""
    sent: list[float] = field(default_factory=list)
    """When the latest requests went out."""


class StateStore(Protocol):
    """Where a limiter keeps its :class:`LimiterState`: this process, or every process of the host."""

    def locked(self, fresh: Callable[[], LimiterState]) -> AbstractContextManager[LimiterState]:
        """The state, held exclusively until the block ends (``fresh()`` when there is none yet)."""
        ...

    def clear(self) -> None:
        """Forget the state: the next send starts afresh."""
        ...


class ProcessState:
    """The state in this process's memory, shared by its threads and coroutines."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state: LimiterState | None = None

    @contextmanager
    def locked(self, fresh: Callable[[], LimiterState]) -> Iterator[LimiterState]:
        """The state, under a thread lock."""
        with self._lock:
            if self._state is None:
                self._state = fresh()
            yield self._state

    def clear(self) -> None:
        """Forget the state."""
        with self._lock:
            self._state = None


class RateLimiter:
    """Evenly spaced sends at an adaptive rate of at most ``rate`` per second.

    Spacing rather than bursting keeps the server from queueing a burst (which would bunch the
    requests up on its side). Callers book a send time under a short lock and wait outside it, so
    async callers sleep with ``asyncio.sleep`` and never block the event loop.

    :param rate: the account's limit (requests per second).
    :param headroom: spacing wider than ``1 / rate`` by this fraction.
    :param adaptive: back off on :meth:`refused` and probe back up; False keeps the rate fixed.
    :param store: where the state lives; this process by default.
    """

    def __init__(
        self,
        rate: float,
        *,
        headroom: float = DEFAULT_HEADROOM,
        adaptive: bool = True,
        clock: Callable[[], float] = time.monotonic,
        rng: Callable[[], float] = random.random,
        store: StateStore | None = None,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        if headroom < 0:
            raise ValueError("headroom must not be negative")
        self._clock = clock
        self._rng = rng
        self._headroom = headroom
        self._adaptive = adaptive
        self.store: StateStore = store if store is not None else ProcessState()
        """Where the state lives."""
        self.rate = rate
        self.refusals = 0
        """Refusals this process heard of."""

    def _fresh(self) -> LimiterState:
        return LimiterState(current=self.rate, last_refused=self.rate, since=self._clock())

    def _locked(self) -> AbstractContextManager[LimiterState]:
        return self.store.locked(self._fresh)

    def set_rate(self, rate: float) -> None:
        """Change the limit (the newest client of an account decides it for all)."""
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        with self._locked() as state:
            state.current = min(state.current, rate)

    @property
    def current_rate(self) -> float:
        """The rate the limiter sends at now (requests per second)."""
        with self._locked() as state:
            return self._rate_now(state, self._clock())

    def _rate_now(self, state: LimiterState, now: float) -> float:
        """The current rate, grown since the last look (caller holds the state)."""
        state.current = min(state.current, self.rate)
        if state.current < self.rate:
            state.current = min(grown(state.current, now - state.since, state.last_refused), self.rate)
        state.since = now
        return state.current

    @staticmethod
    def _forget_slots(state: LimiterState, now: float) -> None:
        """Drop booked slots older than one second (caller holds the state)."""
        slots = state.slots
        drop = 0
        while drop < len(slots) and slots[drop] <= now - 1.0:
            drop += 1
        del slots[:drop]

    def reserve(self) -> float:
        """Book the next send slot: 0 to send now (counted as sent), else the seconds to wait before
        :meth:`confirm`."""
        with self._locked() as state:
            now = self._clock()
            rate = self._rate_now(state, now)
            slot = max(now, state.next)
            headroom = self._headroom
            if state.last_slot > now:  # queued behind a booked slot
                ours = state.last_booker == os.getpid()
                headroom = max(headroom, QUEUED_HEADROOM if ours else OTHER_PROCESS_HEADROOM)
            state.last_slot, state.last_booker = slot, os.getpid()
            state.next = slot + (1 + headroom) / rate
            if self._adaptive:
                self._forget_slots(state, now)
                state.slots.append(slot)
                del state.slots[:-SLOT_MEMORY]
            return slot - now if slot > now else self._admit(state, now)

    def confirm(self) -> float:
        """At the booked slot: 0 to send now (counted as sent), else the seconds to wait before
        confirming again, because ``rate`` requests went out within the window (``WINDOW_MARGIN``)."""
        with self._locked() as state:
            return self._admit(state, self._clock())

    def _admit(self, state: LimiterState, now: float) -> float:
        """0 and a send counted at ``now``; or, with ``rate`` sent within the window, the seconds until
        the oldest of them leaves it (caller holds the state)."""
        window = 1.0 + WINDOW_MARGIN
        allowed = max(int(self.rate), 1)
        recent = [t for t in state.sent if t > now - window]
        if len(recent) >= allowed:
            state.sent = recent
            return recent[-allowed] + window - now
        recent.append(now)
        state.sent = recent[-SLOT_MEMORY:]
        return 0.0

    def refused(self, retry_after: float | None = None) -> None:
        """Slow down after a refusal: cut the rate, and pause for ``retry_after`` if given.

        The cut starts from what was sent in the last second when that is less than the rate, so a
        process starting next to busy ones learns its share at once. Refusals of requests sent before
        the last cut took effect (within one gap of it) count once.
        """
        with self._locked() as state:
            self.refusals += 1
            now = self._clock()
            if retry_after is not None and retry_after > 0:
                state.next = max(state.next, now + retry_after * (1 + 0.2 * self._rng()))
            if not self._adaptive or now < state.hold_until:
                return
            self._forget_slots(state, now)
            sent = max(sum(1 for slot in state.slots if slot <= now) - 1, 1)
            base = min(self._rate_now(state, now), float(sent))
            factor = DECREASE_FACTOR * (1 + CUT_JITTER * (2 * self._rng() - 1))
            state.last_refused = base
            state.current = max(base * factor, self.rate * MIN_FRACTION)
            state.hold_until = now + 1.0 / state.current

    def acquire(self) -> None:
        """Block the calling thread until it may send."""
        delay = self.reserve()
        while delay > 0:
            time.sleep(delay)
            delay = self.confirm()

    async def aacquire(self) -> None:
        """Wait (without blocking the event loop) until the calling coroutine may send."""
        delay = self.reserve()
        while delay > 0:
            await asyncio.sleep(delay)
            delay = self.confirm()


_registry: dict[tuple[str, str, bool], RateLimiter] = {}
_registry_lock = threading.Lock()


def rate_limiter_for(account: tuple[str, str], rate: float, *, host: bool = True) -> RateLimiter:
    """The process-wide limiter of one account, created on first use.

    With ``host`` (the default) its state is shared with the other processes of this host through a
    file (:mod:`~airflow_provider_sendpulse.client.host_ratelimit`); else it is this process's own.
    If clients of the same account ask for different rates, the most recent one applies.
    """
    key = (*account, host)
    with _registry_lock:
        limiter = _registry.get(key)
        if limiter is None:
            store: StateStore | None = None
            if host:
                from airflow_provider_sendpulse.client.host_ratelimit import HostState

                store = HostState(account)
            limiter = _registry[key] = RateLimiter(rate, store=store)
            return limiter
    if limiter.rate != rate:
        limiter.set_rate(rate)
    return limiter


def reset_rate_limiters() -> None:
    """Forget every limiter, and the host state files of this process's limiters (for tests)."""
    with _registry_lock:
        for limiter in _registry.values():
            limiter.store.clear()
        _registry.clear()
