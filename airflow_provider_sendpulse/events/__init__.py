"""Sans-IO detection of new SendPulse events, shared by the sensors (sync) and the triggers (async).

Each event type is an :class:`~.base.EventSource` registered by name; :func:`get_event_source` builds one
from JSON-able parameters. Add a type by subclassing ``EventSource`` and decorating the class with
:func:`register_event_source`; the sensor and trigger pick it up by its name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from airflow_provider_sendpulse._lazy import lazy_exports

if TYPE_CHECKING:
    from airflow_provider_sendpulse.events import campaigns, chatbots, sms, subscribers
    from airflow_provider_sendpulse.events.base import Cursor, EventSource, Poll, StartFrom, cursor_key
    from airflow_provider_sendpulse.events.driver import adrive, drive
    from airflow_provider_sendpulse.events.registry import (
        event_types,
        get_event_source,
        register_event_source,
    )

# Loaded on first use (PEP 562), so a DAG file that imports a sensor or trigger stays cheap to parse.
_EXPORTS = {
    "Cursor": "base",
    "EventSource": "base",
    "Poll": "base",
    "StartFrom": "base",
    "adrive": "driver",
    "cursor_key": "base",
    "drive": "driver",
    "event_types": "registry",
    "get_event_source": "registry",
    "register_event_source": "registry",
}

__all__ = [
    "Cursor",
    "EventSource",
    "Poll",
    "StartFrom",
    "adrive",
    "campaigns",
    "chatbots",
    "cursor_key",
    "drive",
    "event_types",
    "get_event_source",
    "register_event_source",
    "sms",
    "subscribers",
]

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
