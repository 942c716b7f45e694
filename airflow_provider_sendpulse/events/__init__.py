"""Sans-IO detection of new SendPulse events, shared by the sensors (sync) and the triggers (async).

Each event type is an :class:`~.base.EventSource` registered by name; :func:`get_event_source` builds one
from JSON-able parameters. Add a type by subclassing ``EventSource`` and decorating the class with
:func:`register_event_source`; the sensor and trigger pick it up by its name.
"""

from __future__ import annotations

from airflow_provider_sendpulse.events import campaigns, sms, subscribers
from airflow_provider_sendpulse.events.base import Cursor, EventSource, Poll, StartFrom, cursor_key
from airflow_provider_sendpulse.events.driver import adrive, drive
from airflow_provider_sendpulse.events.registry import event_types, get_event_source, register_event_source

__all__ = [
    "Cursor",
    "EventSource",
    "Poll",
    "StartFrom",
    "adrive",
    "campaigns",
    "cursor_key",
    "drive",
    "event_types",
    "get_event_source",
    "register_event_source",
    "sms",
    "subscribers",
]
