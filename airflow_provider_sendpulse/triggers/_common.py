"""What the SendPulse triggers share: error classes, deadlines and the error budget."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from airflow.providers.common.compat.sdk import conf
from airflow.triggers.base import TriggerEvent

from airflow_provider_sendpulse import DEFAULT_CAMPAIGN_POLL_INTERVAL, DEFAULT_POLL_INTERVAL
from airflow_provider_sendpulse.client.errors import (
    SendPulseConnectionError,
    SendPulseError,
    SendPulseRateLimitError,
    SendPulseServerError,
)

TRANSIENT_ERRORS: tuple[type[SendPulseError], ...] = (
    SendPulseConnectionError,
    SendPulseRateLimitError,
    SendPulseServerError,
)
"""Failures worth another poll (the client has already retried them within the request)."""


def default_poll_interval() -> float:
    """Seconds between polls when a sensor or trigger sets none: ``[sendpulse] default_poll_interval``.

    300 s (SendPulse has no change feed; five minutes is what integration platforms poll at). Lowering it
    in the configuration, e.g. ``AIRFLOW__SENDPULSE__DEFAULT_POLL_INTERVAL=5`` for a demo or a test, speeds
    up every DAG that keeps the default without editing it.
    """
    return float(conf.getfloat("sendpulse", "default_poll_interval", fallback=DEFAULT_POLL_INTERVAL))


def default_campaign_poll_interval() -> float:
    """Seconds between campaign status checks when none is set (60 s).

    Read from ``[sendpulse] default_campaign_poll_interval``.
    """
    return float(
        conf.getfloat("sendpulse", "default_campaign_poll_interval", fallback=DEFAULT_CAMPAIGN_POLL_INTERVAL)
    )


DEFAULT_MAX_ERRORS = 3
"""Polls in a row that may fail transiently before the trigger reports an error."""


def is_transient(error: BaseException) -> bool:
    """Whether another poll may succeed where this one failed."""
    return isinstance(error, TRANSIENT_ERRORS)


def remaining(deadline: float | None) -> float | None:
    """Seconds until ``deadline`` (epoch seconds), or None without a deadline."""
    return None if deadline is None else deadline - time.time()


def backoff(attempt: int, poll_interval: float) -> float:
    """Pause before retrying a failed poll: 5 s, 10 s, 20 s ... but never longer than the poll interval."""
    return float(min(poll_interval, 5.0 * 2 ** max(attempt - 1, 0)))


async def sleep_until_next(poll_interval: float, deadline: float | None) -> None:
    """Sleep one poll interval, or until the deadline when that comes first."""
    left = remaining(deadline)
    await asyncio.sleep(max(0.0, poll_interval if left is None else min(poll_interval, left)))


def describe(error: BaseException) -> str:
    """A one-line description (SendPulse errors already leave secrets and bodies out)."""
    return f"{type(error).__name__}: {error}"


def compact(payload: dict[str, Any]) -> str:
    """A payload in a few words for logs: scalars as they are, lists and mappings as their size.

    Events carry subscriber addresses and campaigns carry their HTML body; neither belongs in a log
    line. The cursor is left out for the same reason (it holds the ids seen last).
    """
    parts = []
    for key, value in payload.items():
        if key == "cursor":
            continue
        if isinstance(value, list | tuple | dict):
            parts.append(f"{key}=<{len(value)} item{'' if len(value) == 1 else 's'}>")
        else:
            parts.append(f"{key}={value!r}")
    return ", ".join(parts)


class CompactTriggerEvent(TriggerEvent):
    """A ``TriggerEvent`` whose text form (the triggerer logs it at INFO) is :func:`compact`."""

    def __repr__(self) -> str:
        payload = self.payload if isinstance(self.payload, dict) else {"payload": self.payload}
        return f"TriggerEvent<{compact(payload)}>"

    __str__ = __repr__


def trigger_event(payload: dict[str, Any]) -> TriggerEvent:
    """A ``TriggerEvent`` carrying a JSON-able payload, logged compactly."""
    return CompactTriggerEvent(payload)  # type: ignore[no-untyped-call,call-arg]  # Airflow leaves it unannotated
