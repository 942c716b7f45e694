"""Progress lines for long operations: done/total, rate and time left, at most every few seconds."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any


def format_duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"


class ProgressLog:
    """Log ``<verb> done/total <what> (pct) at rate/s, about T left`` no more often than ``every`` seconds."""

    def __init__(
        self,
        log: logging.Logger | Any,
        total: int,
        *,
        verb: str = "Added",
        what: str = "contacts",
        every: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.log = log
        self.total = total
        self.verb = verb
        self.what = what
        self.every = every
        self.clock = clock
        self.started = clock()
        self._last = self.started
        self._last_done = -1

    def update(self, done: int, *, force: bool = False) -> None:
        now = self.clock()
        if done == self._last_done:
            return
        if not force and now - self._last < self.every and done < self.total:
            return
        self._last = now
        self._last_done = done
        self.log.info(self.line(done, now))

    def line(self, done: int, now: float | None = None) -> str:
        elapsed = (now if now is not None else self.clock()) - self.started
        rate = done / elapsed if elapsed > 0 else 0.0
        pct = 100.0 * done / self.total if self.total else 100.0
        text = f"{self.verb} {done:,}/{self.total:,} {self.what} ({pct:.1f}%) at {rate:,.0f}/s"
        if done < self.total and rate > 0:
            text += f", about {format_duration((self.total - done) / rate)} left"
        elif done >= self.total:
            text += f", in {format_duration(elapsed)}"
        return text

    @property
    def elapsed(self) -> float:
        return self.clock() - self.started
