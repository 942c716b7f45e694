"""Automation 360 events: the events an account defines and the flow starts they receive.

An event is created in SendPulse's web app (here: the admin API). `POST /events/name/{name}` starts its
flows for one contact; SendPulse caps flow starts at 100,000 contacts a day per account.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

DAILY_FLOW_START_CAP = 100_000
"""Contacts whose flows an account may start in one day (SendPulse's documented cap)."""

KEPT_STARTS = 1_000
"""Newest flow starts kept with their details for the admin API; older ones are only counted."""


@dataclass(frozen=True)
class FlowStart:
    """One accepted event: who it was for and the variables it carried."""

    event: str
    email: str | None
    phone: str | None
    variables: dict[str, Any]
    at: float


@dataclass
class AutomationEvent:
    """An event defined in the web app, with how many flow starts it received."""

    id: int
    name: str
    starts: int = 0


@dataclass
class AutomationState:
    """The account's events, its flow starts per day and the newest starts in detail."""

    events: dict[str, AutomationEvent] = field(default_factory=dict)
    daily_cap: int = DAILY_FLOW_START_CAP
    per_day: Counter[str] = field(default_factory=Counter)
    recent: list[FlowStart] = field(default_factory=list)
    _next_id: int = 5_000_001

    def add_event(self, name: str) -> AutomationEvent:
        """Define an event (as a user does in the web app); an existing name is returned as it is."""
        event = self.events.get(name)
        if event is None:
            event = AutomationEvent(self._next_id, name)
            self._next_id += 1
            self.events[name] = event
        return event

    def start(self, event: AutomationEvent, day: str, start: FlowStart) -> None:
        """Record one flow start on ``day`` (account date, ``YYYY-MM-DD``)."""
        event.starts += 1
        self.per_day[day] += 1
        self.recent.append(start)
        if len(self.recent) > 2 * KEPT_STARTS:
            del self.recent[:-KEPT_STARTS]

    def snapshot(self, cap: int = 100) -> dict[str, Any]:
        """Events, starts per day and the newest `cap` starts, as JSON."""
        return {
            "daily_cap": self.daily_cap,
            "events": [{"id": e.id, "name": e.name, "starts": e.starts} for e in self.events.values()],
            "per_day": dict(self.per_day),
            "recent": [
                {"event": s.event, "email": s.email, "phone": s.phone, "variables": s.variables, "at": s.at}
                for s in self.recent[-cap:]
            ]
            if cap > 0
            else [],
        }
