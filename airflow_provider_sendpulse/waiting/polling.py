"""What every SendPulse wait shares: default intervals, deadlines, the error budget and trigger payloads."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from airflow.providers.common.compat.sdk import conf
from airflow.triggers.base import TriggerEvent

from airflow_provider_sendpulse import DEFAULT_CAMPAIGN_POLL_INTERVAL, DEFAULT_POLL_INTERVAL

if TYPE_CHECKING:
    from airflow_provider_sendpulse.client.errors import SendPulseError

DEFAULT_MAX_ERRORS = 3
"""Polls in a row that may fail transiently before a wait reports an error."""


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


def remaining(deadline: float | None) -> float | None:
    """Seconds until ``deadline`` (epoch seconds), or None without a deadline."""
    return None if deadline is None else deadline - time.time()


def pause_before_next(poll_interval: float, deadline: float | None) -> float:
    """Seconds to wait before the next poll: one interval, or less when the deadline comes first."""
    left = remaining(deadline)
    return max(0.0, poll_interval if left is None else min(poll_interval, left))


def transient_errors() -> tuple[type[SendPulseError], ...]:
    """Failures worth another poll (the client has already retried them within the request).

    A function, so that a DAG file importing a sensor or trigger does not load the client's errors.
    """
    from airflow_provider_sendpulse.client.errors import (
        SendPulseConnectionError,
        SendPulseRateLimitError,
        SendPulseServerError,
    )

    return (SendPulseConnectionError, SendPulseRateLimitError, SendPulseServerError)


def describe(error: BaseException) -> str:
    """A one-line description (SendPulse errors already leave secrets and bodies out)."""
    return f"{type(error).__name__}: {error}"


@dataclass
class ErrorBudget:
    """Failed polls in a row a wait tolerates before giving up.

    The client already retries each request (back-off, ``Retry-After``), so a failed poll is never
    retried here: it is either fatal or counts against this budget, and the next try is the next poll.
    """

    max_errors: int = DEFAULT_MAX_ERRORS
    failures: int = 0

    def spend(self, error: BaseException) -> bool:
        """Count a failed poll; True while the wait may go on (a transient error within the budget)."""
        self.failures += 1
        return isinstance(error, transient_errors()) and self.failures <= self.max_errors

    def reset(self) -> None:
        """A poll succeeded: the budget is whole again."""
        self.failures = 0


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


def serialize_trigger(trigger: object) -> tuple[str, dict[str, Any]]:
    """A trigger's class path and its constructor arguments, read from the attributes of the same names."""
    cls: type[Any] = type(trigger)
    return f"{cls.__module__}.{cls.__qualname__}", {name: getattr(trigger, name) for name in _init_names(cls)}


def _init_names(cls: type[Any]) -> tuple[str, ...]:
    """The constructor's parameter names, read once per class (``inspect.signature`` costs ~0.1 ms)."""
    names = _INIT_NAMES.get(cls)
    if names is None:
        import inspect  # not at module level: a DAG file importing a sensor would pay for it

        names = _INIT_NAMES[cls] = tuple(inspect.signature(cls).parameters)
    return names


_INIT_NAMES: dict[type[Any], tuple[str, ...]] = {}


def trigger_event(payload: dict[str, Any]) -> TriggerEvent:
    """A ``TriggerEvent`` carrying a JSON-able payload, logged compactly."""
    return CompactTriggerEvent(payload)  # type: ignore[no-untyped-call,call-arg]  # Airflow leaves it unannotated
