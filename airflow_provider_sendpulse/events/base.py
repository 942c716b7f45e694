"""What every event source shares: a cursor goes in, API calls come out, events and a new cursor return.

Detection is written once, without I/O, as a generator: it yields :class:`~..client.api.Call` objects,
receives each answer through ``send()``, and returns a :class:`Poll`. The sync driver (sensors in poke or
reschedule mode) and the async driver (triggers) in :mod:`.driver` feed it answers from the matching
client, so both modes run the same code.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeAlias

if TYPE_CHECKING:
    # The endpoint descriptions load when a source is built, not when a DAG file imports a sensor.
    from airflow_provider_sendpulse.client.api import Call

Cursor = dict[str, Any]
"""A JSON-able position in an event stream; opaque outside the source that made it."""

StartFrom = Literal["now", "beginning"]

Detection: TypeAlias = "Generator[Call[Any], Any, Poll]"
"""A detection run: yields calls, is sent their answers, returns the poll result."""

CURSOR_VERSION = 1


@dataclass(frozen=True)
class Poll:
    """The outcome of one poll.

    :param events: new events, oldest first, at most ``max_events``; JSON-able dicts.
    :param cursor: the position after these events. Adopt it once the events are delivered (or when
        there are none); keep the old cursor when the events are not delivered.
    :param baseline: True when this poll only recorded a (new) starting position: store it right away.
    :param warnings: things the caller should log (e.g. a position that could not be found again).
    """

    events: list[dict[str, Any]]
    cursor: Cursor
    baseline: bool = False
    warnings: list[str] = field(default_factory=list)


class EventSource(ABC):
    """One kind of SendPulse event, e.g. new subscribers of a list.

    Subclasses set :attr:`event_type`, validate their parameters in ``__init__`` and implement
    :meth:`baseline`, :meth:`beginning` and :meth:`detect`.
    """

    event_type: ClassVar[str]
    """Registry name, e.g. ``"new_subscriber"``."""

    def __init__(self, params: Mapping[str, Any] | None = None) -> None:
        self.params: dict[str, Any] = dict(params or {})

    @property
    def resource(self) -> str:
        """What is watched, for cursor keys (e.g. ``"list-42"``); ``"account"`` when the whole account."""
        return "account"

    @abstractmethod
    def baseline(self) -> Detection:
        """Record the current newest position; fires nothing."""

    @abstractmethod
    def beginning(self) -> Cursor:
        """A cursor before every existing item (``start_from="beginning"``)."""

    @abstractmethod
    def detect(self, cursor: Cursor, max_events: int) -> Detection:
        """Find up to ``max_events`` events after ``cursor``."""

    def poll(self, cursor: Cursor | None, max_events: int, start_from: StartFrom | str = "now") -> Detection:
        """One poll: baseline (or start from the beginning) without a cursor, else detect after it."""
        if max_events < 1:
            raise ValueError(f"max_events must be at least 1, got {max_events}")
        if cursor is None:
            if start_from == "beginning":
                return (yield from self.detect(self.beginning(), max_events))
            if start_from != "now":
                raise ValueError(f"start_from must be 'now' or 'beginning', got {start_from!r}")
            return (yield from self.baseline())
        self.check_cursor(cursor)
        return (yield from self.detect(cursor, max_events))

    def new_cursor(self, **fields: Any) -> Cursor:
        """A cursor of this source with the version and type stamped in."""
        return {"v": CURSOR_VERSION, "type": self.event_type, **fields}

    def check_cursor(self, cursor: Mapping[str, Any]) -> None:
        """Refuse a cursor made by another source or another cursor version."""
        if cursor.get("type") != self.event_type or cursor.get("v") != CURSOR_VERSION:
            raise ValueError(
                f"cursor {dict(cursor)!r} does not belong to {self.event_type!r} (version {CURSOR_VERSION}); "
                "reset it (see docs/sensors.md) or use another cursor key"
            )

    def event(self, item: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
        """An event dict: the item's fields plus ``event`` (the type) and ``extra``."""
        return {**item, **extra, "event": self.event_type}


def cursor_key(conn_id: str, source: EventSource, name: str | None = None) -> str:
    """Where a cursor is stored: ``sendpulse_cursor.<connection>.<event type>.<resource>[.<name>]``."""
    key = f"sendpulse_cursor.{conn_id}.{source.event_type}.{source.resource}"
    return f"{key}.{name}" if name else key


def positive_int(params: Mapping[str, Any], name: str) -> int:
    """A required positive integer parameter, with a message naming it."""
    value = params.get(name)
    if isinstance(value, bool) or value is None:
        raise ValueError(f"parameter {name!r} is required and must be a positive integer")
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"parameter {name!r} must be a positive integer, got {value!r}") from None
    if number < 1 or str(number) != str(value).strip():
        raise ValueError(f"parameter {name!r} must be a positive integer, got {value!r}")
    return number


def int_list(params: Mapping[str, Any], name: str) -> list[int] | None:
    """An optional list of integers (e.g. campaign statuses), sorted and de-duplicated."""
    value = params.get(name)
    if value is None:
        return None
    if isinstance(value, (int, str)):
        value = [value]
    try:
        return sorted({int(v) for v in value})
    except (TypeError, ValueError):
        raise ValueError(f"parameter {name!r} must be a list of integers, got {value!r}") from None
