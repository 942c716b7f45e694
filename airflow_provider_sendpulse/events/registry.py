"""Event types by name, so sensors and triggers never import a source directly."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from airflow_provider_sendpulse.events.base import EventSource

S = TypeVar("S", bound=type[EventSource])

_SOURCES: dict[str, type[EventSource]] = {}


def register_event_source(cls: S) -> S:
    """Class decorator: make ``cls`` available under ``cls.event_type``.

    Registering another class under a taken name replaces it (so a deployment can swap a source).
    """
    name = getattr(cls, "event_type", None)
    if not isinstance(name, str) or not name:
        raise TypeError(f"{cls.__name__} must set a non-empty `event_type`")
    _SOURCES[name] = cls
    return cls


def event_types() -> list[str]:
    """Names of every registered event type."""
    return sorted(_SOURCES)


def get_event_source(event_type: str, params: Mapping[str, Any] | None = None) -> EventSource:
    """An instance of the source registered as ``event_type``, with validated ``params``."""
    try:
        cls = _SOURCES[event_type]
    except KeyError:
        known = ", ".join(event_types())
        raise ValueError(f"unknown SendPulse event type {event_type!r}; known types: {known}") from None
    return cls(params)
