"""Event types by name, so sensors and triggers never import a source directly."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any, TypeVar

from airflow_provider_sendpulse.events.base import EventSource

S = TypeVar("S", bound=type[EventSource])

_SOURCES: dict[str, type[EventSource]] = {}

_BUILT_IN = tuple(
    f"airflow_provider_sendpulse.events.{name}"
    for name in ("campaigns", "chatbots", "crm", "sms", "subscribers")
)
"""Modules of the built-in sources, imported (so registered) when the registry is first used."""
_built_in_loaded = False


def _load_built_in() -> None:
    global _built_in_loaded
    if _built_in_loaded:
        return
    _built_in_loaded = True
    for module in _BUILT_IN:
        importlib.import_module(module)


def register_event_source(cls: S) -> S:
    """Class decorator: make ``cls`` available under ``cls.event_type``.

    Registering another class under a taken name replaces it (so a deployment can swap a source).
    """
    if cls.__module__ not in _BUILT_IN:
        _load_built_in()  # first, so that a deployment's class replaces the built-in one, not the reverse
    name = getattr(cls, "event_type", None)
    if not isinstance(name, str) or not name:
        raise TypeError(f"{cls.__name__} must set a non-empty `event_type`")
    _SOURCES[name] = cls
    return cls


def event_types() -> list[str]:
    """Names of every registered event type."""
    _load_built_in()
    return sorted(_SOURCES)


def get_event_source(event_type: str, params: Mapping[str, Any] | None = None) -> EventSource:
    """An instance of the source registered as ``event_type``, with validated ``params``."""
    _load_built_in()
    try:
        cls = _SOURCES[event_type]
    except KeyError:
        known = ", ".join(event_types())
        raise ValueError(f"unknown SendPulse event type {event_type!r}; known types: {known}") from None
    return cls(params)
