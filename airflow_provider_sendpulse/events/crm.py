"""CRM events: contacts created or updated; deals created, updated, moved between steps, won or lost.

Every source keeps the same cursor: ``position``, the newest time it has handled (a ``createdAt`` or
``updatedAt`` exactly as SendPulse wrote it, sent back as the next filter value), and ``seen``, 16-hex
SHA-256 digests of ``"<id>|<time>"`` of the records handled at exactly that time. Records sharing a second
are thus neither lost nor fired twice, and the cursor holds no personal data. A first poll only records
the position (``start_from="beginning"`` starts before every record).

Deals (``POST /deals/get-list``) filter on ``createdAt``/``updatedAt`` with ``gte`` and sort on them,
so a poll asks for what changed since ``position``, oldest first: an idle poll is one request whatever
the number of deals. ``deal_stage_changed``, ``deal_won`` and ``deal_lost`` then read the history of each
changed deal (``GET /deals/{id}/history`` from ``position``) to tell a move or a status change from any
other edit: one more request per changed candidate, none when idle.

Contacts (``POST /contacts/get-list``) filter by **day** only, and sort by creation but never by update.
``crm_contact_created`` reads the newest contacts first (one request when idle). ``crm_contact_updated``
must read every contact updated since the position's day (less 12 hours, so that any account time zone's
day is covered), one page per 100 such contacts, and keeps the oldest ``max_events`` in memory.

SendPulse times have one-second resolution: a record changed twice within the second a poll already saw
it yields one event for both changes.
"""

from __future__ import annotations

import hashlib
import heapq
from collections.abc import Generator, Iterable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from airflow_provider_sendpulse.client.codes import DEAL_LOST, DEAL_WON
from airflow_provider_sendpulse.client.crm_models import parse_crm_time
from airflow_provider_sendpulse.client.limits import MAX_PAGE_SIZE
from airflow_provider_sendpulse.events.base import Cursor, Detection, EventSource, Poll, positive_int
from airflow_provider_sendpulse.events.registry import register_event_source

if TYPE_CHECKING:
    from airflow_provider_sendpulse.client import api

PAGE = MAX_PAGE_SIZE

CANDIDATES_PER_POLL = 100
"""Deals one deal_created / deal_updated poll inspects at most (the rest wait for the next poll)."""

DAY_MARGIN = timedelta(hours=12)
"""Contact date filters are days in the account's zone; starting 12 h earlier covers every zone."""

Item = dict[str, Any]


def digest(record_id: Any, when: str) -> str:
    """What the cursor keeps of a record handled at ``when``: 16 hex digits of SHA-256 of ``id|when``."""
    return hashlib.sha256(f"{record_id}|{when}".encode()).hexdigest()[:16]


def _moment(value: Any) -> datetime:
    moment = parse_crm_time(value)
    if moment is None:
        raise ValueError(f"SendPulse answered a CRM record without a readable date-time: {value!r}")
    return moment


class _Position:
    """The cursor's ``position`` and ``seen``, advanced record by record."""

    def __init__(self, position: str | None, seen: Iterable[str]) -> None:
        self.position = position
        self.at = None if position is None else _moment(position)
        self.seen = set(seen)

    def handled(self, record_id: Any, when: str) -> bool:
        """True when this record at this time is at or before the position and was handled."""
        if self.at is None:
            return False
        moment = _moment(when)
        return moment < self.at or (moment == self.at and digest(record_id, when) in self.seen)

    def handled_before(self, record_id: Any, moment: datetime) -> bool:
        """True when a change at ``moment`` of this record was handled already (for history entries)."""
        if self.at is None or moment > self.at:
            return False
        return moment < self.at or digest(record_id, self.position or "") in self.seen

    def advance(self, record_id: Any, when: str) -> None:
        """Record that this record at this time was handled."""
        moment = _moment(when)
        if self.at is None or moment != self.at:
            self.position, self.at, self.seen = when, moment, set()
        self.seen.add(digest(record_id, when))


class _CrmSource(EventSource):
    """Shared cursor handling of the CRM sources."""

    time_field: ClassVar[str]

    def beginning(self) -> Cursor:
        return self.new_cursor(position=None, seen=[])

    def _cursor(self, at: _Position) -> Cursor:
        return self.new_cursor(position=at.position, seen=sorted(at.seen))

    def _baseline_of(self, newest: list[Item]) -> Poll:
        """A baseline at the newest time among ``newest`` (items sorted newest first)."""
        if not newest:
            return Poll([], self.beginning(), baseline=True)
        top = str(newest[0][self.time_field])
        at = _Position(None, ())
        for item in newest:
            if _moment(item[self.time_field]) == _moment(top):
                at.advance(item["id"], str(item[self.time_field]))
        return Poll([], self._cursor(at), baseline=True)


# --- deals ------------------------------------------------------------------------------------


class _DealSource(_CrmSource):
    """Deals changed (or created) since the position, oldest first, one request when idle."""

    time_field = "updatedAt"
    whole_list: ClassVar[bool] = False
    """Handle every changed deal in one poll, even past ``max_events`` (the history sources)."""

    def __init__(self, params: Mapping[str, Any] | None = None) -> None:
        super().__init__(params)
        self.pipeline_id = _optional_id(self.params, "pipeline_id")
        self.params = {} if self.pipeline_id is None else {"pipeline_id": self.pipeline_id}

    @property
    def resource(self) -> str:
        return "account" if self.pipeline_id is None else f"pipeline-{self.pipeline_id}"

    def _list(self, position: str | None, offset: int, desc: bool = False) -> api.Call[list[Item]]:
        from airflow_provider_sendpulse.client import api

        filters = [] if position is None else [api.DealFilter(self.time_field, "gte", position)]
        return api.list_deals(
            PAGE,
            offset,
            filters=filters,
            sort_by=self.time_field,
            direction="desc" if desc else "asc",
            pipeline_ids=None if self.pipeline_id is None else [self.pipeline_id],
        )

    def baseline(self) -> Detection:
        newest: list[Item] = yield self._list(None, 0, desc=True)
        # Every deal sharing the newest second belongs to the position, however many pages they fill.
        while (
            len(newest) % PAGE == 0 and newest and newest[-1][self.time_field] == newest[0][self.time_field]
        ):
            page: list[Item] = yield self._list(None, len(newest), desc=True)
            if not page:
                break
            newest += page
        return self._baseline_of(newest)

    def detect(self, cursor: Cursor, max_events: int) -> Detection:
        at = _Position(cursor.get("position"), cursor.get("seen") or ())
        origin = _Position(at.position, at.seen)  # what was handled before this poll, for histories
        events: list[Item] = []
        inspected = offset = 0
        while True:
            page: list[Item] = yield self._list(origin.position, offset)
            for deal in page:
                when = str(deal[self.time_field])
                if at.handled(deal["id"], when):
                    continue
                found = yield from self.events_of(deal, origin)
                if not self.whole_list and events and len(events) + len(found) > max_events:
                    return Poll(events, self._cursor(at))
                events.extend(found)
                at.advance(deal["id"], when)
                inspected += 1
                if not self.whole_list and (len(events) >= max_events or inspected >= CANDIDATES_PER_POLL):
                    return Poll(events, self._cursor(at))
            if len(page) < PAGE:
                return Poll(events, self._cursor(at))
            offset += len(page)

    def events_of(self, deal: Item, origin: _Position) -> Generator[api.Call[Any], Any, list[Item]]:
        """The events one changed deal makes (all in the same poll); ``origin`` is the poll's start."""
        return [self.event(deal)]
        yield  # a generator, for the sources that read history


def _optional_id(params: Mapping[str, Any], name: str) -> int | None:
    return None if params.get(name) in (None, "") else positive_int(params, name)


@register_event_source
class DealCreatedSource(_DealSource):
    """Deals created (in ``pipeline_id`` when given). Events carry the deal."""

    event_type = "deal_created"
    time_field = "createdAt"


@register_event_source
class DealUpdatedSource(_DealSource):
    """Deals changed after their creation (in ``pipeline_id`` when given). Events carry the deal."""

    event_type = "deal_updated"

    def events_of(self, deal: Item, origin: _Position) -> Generator[api.Call[Any], Any, list[Item]]:
        if deal.get("createdAt") == deal.get("updatedAt"):
            return []  # created, never changed: deal_created's business
        return [self.event(deal)]
        yield


class _HistorySource(_DealSource):
    """Deals whose history since the position shows a change this source is about.

    A deal's history is read from the cursor's position, so every deal changed since it must be handled in
    the same poll (``whole_list``): a deal left for the next poll (changed at t1 and again after the new
    position) would have changes between the old and the new position that no history read covers.
    """

    whole_list = True

    def events_of(self, deal: Item, origin: _Position) -> Generator[api.Call[Any], Any, list[Item]]:
        from airflow_provider_sendpulse.client import api

        start = origin.position or str(deal.get("createdAt") or deal[self.time_field])
        history: list[Item] = yield api.deal_history(int(deal["id"]), start, str(deal[self.time_field]))
        events: list[Item] = []
        for entry in sorted(history, key=lambda e: (_moment(e.get("eventTime")), int(e.get("id") or 0))):
            moment = _moment(entry.get("eventTime"))
            if origin.handled_before(deal["id"], moment):
                continue
            for change in entry.get("eventData") or ():
                if isinstance(change, Mapping):
                    extra = self.matches(change)
                    if extra is not None:
                        events.append(self.event(deal, changed_at=entry.get("eventTime"), **extra))
        return events

    def matches(self, change: Mapping[str, Any]) -> dict[str, Any] | None:
        """Fields to add to the event when ``change`` (``{field, oldValue, newValue}``) is one; else None."""
        raise NotImplementedError


@register_event_source
class DealStageChangedSource(_HistorySource):
    """Deals moved to another step (``step_id``: only into that step; ``pipeline_id``: within it).

    Events carry the deal as it is now plus ``previous_step_id``, ``new_step_id`` and ``changed_at``.
    """

    event_type = "deal_stage_changed"

    def __init__(self, params: Mapping[str, Any] | None = None) -> None:
        step_id = _optional_id(params or {}, "step_id")
        super().__init__(params)
        self.step_id = step_id
        if step_id is not None:
            self.params["step_id"] = step_id

    @property
    def resource(self) -> str:
        base = super().resource
        return base if self.step_id is None else f"{base}.step-{self.step_id}"

    def matches(self, change: Mapping[str, Any]) -> dict[str, Any] | None:
        if change.get("field") != "stepId" or change.get("oldValue") == change.get("newValue"):
            return None
        if self.step_id is not None and str(change.get("newValue")) != str(self.step_id):
            return None
        return {"previous_step_id": change.get("oldValue"), "new_step_id": change.get("newValue")}


class _StatusSource(_HistorySource):
    """Status changes, found in the history of every changed deal: a deal won and then reopened (or lost)
    before the poll is no longer won, and still fires ``deal_won``."""

    status: ClassVar[int]

    def matches(self, change: Mapping[str, Any]) -> dict[str, Any] | None:
        if change.get("field") != "status" or str(change.get("newValue")) != str(self.status):
            return None
        return {"previous_status": change.get("oldValue")}


@register_event_source
class DealWonSource(_StatusSource):
    """Deals marked won (status 3), in ``pipeline_id`` when given. Events add ``changed_at``."""

    event_type = "deal_won"
    status = DEAL_WON


@register_event_source
class DealLostSource(_StatusSource):
    """Deals marked lost (status 2), in ``pipeline_id`` when given. Events add ``changed_at``."""

    event_type = "deal_lost"
    status = DEAL_LOST


# --- contacts ---------------------------------------------------------------------------------


def _day_of(position: str) -> str:
    return (_moment(position) - DAY_MARGIN).date().isoformat()


@register_event_source
class CrmContactCreatedSource(_CrmSource):
    """CRM contacts created. Events carry the contact.

    The newest contacts come first (``sortBy created_at desc``): an idle poll is one request. When more
    than a page arrived, the oldest are found by walking forward from the position's day instead.
    """

    event_type = "crm_contact_created"
    time_field = "createdAt"

    def __init__(self, params: Mapping[str, Any] | None = None) -> None:
        super().__init__(params)
        self.params = {}

    def _list(self, position: str | None, offset: int, direction: str) -> api.Call[list[Item]]:
        from airflow_provider_sendpulse.client import api

        filters = None if position is None else {"from": _day_of(position)}
        return api.list_crm_contacts(PAGE, offset, filters=filters, sort_by="created_at", direction=direction)

    def baseline(self) -> Detection:
        newest = yield self._list(None, 0, "desc")
        return self._baseline_of(newest)

    def detect(self, cursor: Cursor, max_events: int) -> Detection:
        at = _Position(cursor.get("position"), cursor.get("seen") or ())
        newest: list[Item] = yield self._list(at.position, 0, "desc")
        fresh = [c for c in newest if not at.handled(c["id"], str(c[self.time_field]))]
        if len(fresh) < len(newest) or len(newest) < PAGE:
            return self._deliver(reversed(fresh), at, max_events)
        # More than a page is new: walk forward from the position's day, skipping what was handled.
        events: list[Item] = []
        offset = 0
        while len(events) < max_events:
            page: list[Item] = yield self._list(at.position, offset, "asc")
            for contact in page:
                when = str(contact[self.time_field])
                if not at.handled(contact["id"], when):
                    events.append(self.event(contact))
                    at.advance(contact["id"], when)
                    if len(events) >= max_events:
                        break
            if len(page) < PAGE:
                break
            offset += len(page)
        return Poll(events, self._cursor(at))

    def _deliver(self, oldest_first: Iterable[Item], at: _Position, max_events: int) -> Poll:
        events: list[Item] = []
        for contact in oldest_first:
            if len(events) >= max_events:
                break
            events.append(self.event(contact))
            at.advance(contact["id"], str(contact[self.time_field]))
        return Poll(events, self._cursor(at))


@register_event_source
class CrmContactUpdatedSource(_CrmSource):
    """CRM contacts changed after their creation. Events carry the contact.

    Contacts cannot be sorted by update time, so a poll reads every contact updated since the position's
    day (``updateFrom``), one page per 100, and delivers the oldest ``max_events`` changes.
    """

    event_type = "crm_contact_updated"
    time_field = "updatedAt"

    def __init__(self, params: Mapping[str, Any] | None = None) -> None:
        super().__init__(params)
        self.params = {}

    def _list(self, day: str | None, offset: int) -> api.Call[list[Item]]:
        from airflow_provider_sendpulse.client import api

        filters = None if day is None else {"updateFrom": day}
        return api.list_crm_contacts(PAGE, offset, filters=filters, sort_by="id", direction="asc")

    def baseline(self) -> Detection:
        from airflow_provider_sendpulse.client import api

        newest: list[Item] = yield api.list_crm_contacts(1, 0, sort_by="created_at", direction="desc")
        if not newest:
            return Poll([], self.beginning(), baseline=True)
        # Any contact updated after the newest creation was updated on that day or later.
        at = _Position(None, ())
        at.advance(newest[0]["id"], str(newest[0]["createdAt"]))
        day = _day_of(str(at.position))
        offset = 0
        while True:
            page: list[Item] = yield self._list(day, offset)
            for contact in page:
                when = str(contact[self.time_field])
                if at.at is None or _moment(when) >= at.at:
                    at.advance(contact["id"], when)
            if len(page) < PAGE:
                return Poll([], self._cursor(at), baseline=True)
            offset += len(page)

    def detect(self, cursor: Cursor, max_events: int) -> Detection:
        at = _Position(cursor.get("position"), cursor.get("seen") or ())
        day = None if at.position is None else _day_of(at.position)
        newest_kept: list[tuple[float, int, Item]] = []  # heap of (-time, -id): the newest kept on top
        offset = 0
        while True:
            page: list[Item] = yield self._list(day, offset)
            for contact in page:
                when = str(contact[self.time_field])
                if contact.get("createdAt") == when or at.handled(contact["id"], when):
                    continue
                entry = (-_moment(when).timestamp(), -int(contact["id"]), contact)
                if len(newest_kept) < max_events:
                    heapq.heappush(newest_kept, entry)
                elif entry[:2] > newest_kept[0][:2]:
                    heapq.heapreplace(newest_kept, entry)
            if len(page) < PAGE:
                break
            offset += len(page)
        events = []
        for _, _, contact in sorted(newest_kept, key=lambda e: e[:2], reverse=True):
            events.append(self.event(contact))
            at.advance(contact["id"], str(contact[self.time_field]))
        return Poll(events, self._cursor(at))
