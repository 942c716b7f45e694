"""One rate limit for an account shared by every process on every host, through Redis.

Optional: needs the ``redis`` package (``pip install "airflow-provider-sendpulse[redis]"``) and a Redis
server, such as the one a CeleryExecutor deployment already runs. Each send books the next slot of the
account with one atomic script on the Redis server's clock, so processes on different hosts space
their requests as if they were one. If Redis cannot be reached, the process falls back to its own
adaptive limiter (:class:`~airflow_provider_sendpulse.client.ratelimit.RateLimiter`) and tries Redis
again a little later; a call never fails because Redis is down.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from airflow_provider_sendpulse.client.ratelimit import RateLimiter

log = logging.getLogger(__name__)

SHARED_HEADROOM = 0.1
"""Spacing headroom of the shared limiter: processes on several hosts wake up late independently, and
the point of sharing is never to be refused (a process woken 100 ms late still fits the window)."""

REDIS_TIMEOUT = 0.5
"""Seconds a Redis command may take before the process falls back to its own limiter."""

RETRY_REDIS_AFTER = 30.0
"""Seconds the process uses its own limiter after Redis failed, before trying Redis again."""

KEY_PREFIX = "sendpulse:ratelimit:"

# KEYS[1]: the account's next free slot (ms on the Redis clock). ARGV[1]: gap after this slot (ms);
# ARGV[2]: pause (ms) to push the next slot to from now, or 0. Returns the wait in ms as a string
# (Lua numbers become integers on the way out).
_BOOK = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
local pause = tonumber(ARGV[2])
if pause > 0 then
  nxt = math.max(nxt, now + pause)
  redis.call('SET', KEYS[1], tostring(nxt), 'PX', math.ceil(nxt - now + 60000))
  return '0'
end
local slot = math.max(now, nxt)
local after = slot + tonumber(ARGV[1])
redis.call('SET', KEYS[1], tostring(after), 'PX', math.ceil(after - now + 60000))
return tostring(slot - now)
"""


def redacted(url: str) -> str:
    """``url`` without its password, for messages."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def connect(url: str) -> Any:
    """A Redis client for ``url`` (``redis://``, ``rediss://`` or ``unix://``), with short timeouts."""
    try:
        import redis
    except ImportError:
        raise ValueError(
            "the shared rate limit (rate_limit_store) needs the redis package: "
            'pip install "airflow-provider-sendpulse[redis]"'
        ) from None
    try:
        return redis.Redis.from_url(url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT)
    except ValueError as exc:
        raise ValueError(
            f"rate_limit_store {redacted(url)!r} must be host, process or a Redis URL: {exc}"
        ) from None


class SharedRateLimiter:
    """The account's send slots booked in Redis; the process's own limiter while Redis is away.

    :param store: Redis URL.
    :param account: the account key (hashed into the Redis key).
    :param rate: the account's limit (requests per second).
    """

    def __init__(
        self,
        store: str,
        account: tuple[str, str],
        rate: float,
        *,
        client: Any = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.store = redacted(store)
        self._redis = client if client is not None else connect(store)
        self._book = self._redis.register_script(_BOOK)
        digest = hashlib.sha256("\0".join(account).encode()).hexdigest()[:24]
        self.key = KEY_PREFIX + digest
        self.fallback = RateLimiter(rate, clock=clock)
        self._clock = clock
        self._down_until = float("-inf")
        self._lock = threading.Lock()
        self.refusals = 0

    def __repr__(self) -> str:
        return f"SharedRateLimiter({self.store!r}, rate={self.rate})"

    def set_rate(self, rate: float) -> None:
        """Change the limit (the newest client of an account decides it for all in this process)."""
        self.fallback.set_rate(rate)
        self.rate = rate

    def _call(self, gap_ms: float, pause_ms: float) -> float | None:
        """Run the booking script; seconds to wait, or None when Redis is unavailable."""
        if self._clock() < self._down_until:
            return None
        try:
            answer = self._book(keys=[self.key], args=[f"{gap_ms:.3f}", f"{pause_ms:.3f}"])
            return float(answer) / 1000.0
        except Exception as exc:  # any Redis failure: fall back, never fail the call
            with self._lock:
                first = self._clock() >= self._down_until
                self._down_until = self._clock() + RETRY_REDIS_AFTER
            if first:
                log.warning(
                    "SendPulse shared rate limit: Redis at %s failed (%s); this process paces itself "
                    "for the next %.0f s",
                    self.store,
                    type(exc).__name__,
                    RETRY_REDIS_AFTER,
                )
            return None

    def reserve(self) -> float:
        """Book the account's next slot in Redis: 0 to send now, else the seconds to wait before
        :meth:`confirm`."""
        wait = self._call(1000.0 * (1 + SHARED_HEADROOM) / self.rate, 0.0)
        return self.fallback.reserve() if wait is None else wait

    def confirm(self) -> float:
        """After the wait: the slot Redis gave is final; one of the process's own limiter is checked."""
        return self.fallback.confirm() if self._clock() < self._down_until else 0.0

    def acquire(self) -> None:
        """Block the calling thread until it may send."""
        delay = self.reserve()
        while delay > 0:
            time.sleep(delay)
            delay = self.confirm()

    def refused(self, retry_after: float | None = None) -> None:
        """Something else is using the account: push every process's next slot back.

        The pause is ``Retry-After`` when SendPulse gave one, else one second (the server's window).
        """
        self.refusals += 1
        self.fallback.refused(retry_after)
        pause = retry_after if retry_after is not None and retry_after > 0 else 1.0
        self._call(0.0, 1000.0 * pause)


_shared: dict[tuple[str, str, str], SharedRateLimiter] = {}
_shared_lock = threading.Lock()


def shared_rate_limiter_for(store: str, account: tuple[str, str], rate: float) -> SharedRateLimiter:
    """The process-wide shared limiter of one account in one store, created on first use."""
    key = (store, *account)
    with _shared_lock:
        limiter = _shared.get(key)
        if limiter is None:
            limiter = _shared[key] = SharedRateLimiter(store, account, rate)
            return limiter
    if limiter.rate != rate:
        limiter.set_rate(rate)
    return limiter


def reset_shared_rate_limiters() -> None:
    """Forget every shared limiter of this process (for tests); Redis keeps its keys."""
    with _shared_lock:
        _shared.clear()
