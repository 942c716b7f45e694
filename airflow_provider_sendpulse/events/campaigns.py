"""``new_campaign`` and ``campaign_sent``: email campaigns created, and campaigns reaching a sent status.

Both rely on campaign ids growing with creation and on ``GET /campaigns?order=desc`` listing the newest
first, so the position is the highest id handled (``last_id``); ids are unique, so no tie list is needed.
``campaign_sent`` also remembers the campaigns it saw still on their way (``pending``) and looks at them
again on every poll.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Generator, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeAlias

from airflow_provider_sendpulse.client.limits import MAX_PAGE_SIZE
from airflow_provider_sendpulse.events.base import Cursor, Detection, EventSource, Poll, int_list
from airflow_provider_sendpulse.events.registry import register_event_source
from airflow_provider_sendpulse.events.statuses import FINAL_STATUSES, SENT_STATUSES, status_code

PAGE = MAX_PAGE_SIZE

MAX_PENDING = 1000
"""Most unfinished campaigns ``campaign_sent`` follows; beyond it the oldest are dropped with a warning."""

if TYPE_CHECKING:
    from airflow_provider_sendpulse.client import api

Campaigns: TypeAlias = "Generator[api.Call[Any], Any, list[dict[str, Any]]]"
Scan: TypeAlias = "Generator[api.Call[Any], Any, tuple[list[dict[str, Any]], list[dict[str, Any]]]]"


def campaign_id(item: Mapping[str, Any]) -> int | None:
    """The campaign's id as an int, or None when the item has none."""
    value = item.get("id")
    try:
        return int(value) if value is not None and not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None


def _campaigns_page(*, limit: int, offset: int, order: str) -> api.Call[list[dict[str, Any]]]:
    """``GET /campaigns``; the endpoints load when a poll runs, not when a DAG file builds a trigger."""
    from airflow_provider_sendpulse.client import api

    return api.list_campaigns(limit=limit, offset=offset, order=order)


def newer_than(last_id: int, keep: int, watch: Iterable[int] = ()) -> Scan:
    """Campaigns with an id above ``last_id``, oldest first, and those of ``watch`` met on the way.

    Pages newest first until an id at or below ``last_id`` shows up; only the ``keep`` oldest new
    campaigns are held in memory (the newer rest is found again next time).
    """
    watched = set(watch)
    oldest: deque[dict[str, Any]] = deque(maxlen=keep)
    seen: list[dict[str, Any]] = []
    offset = 0
    while True:
        page: list[dict[str, Any]] = yield _campaigns_page(limit=PAGE, offset=offset, order="desc")
        done = len(page) < PAGE
        for item in page:
            cid = campaign_id(item)
            if cid is None:
                continue
            if cid > last_id:
                oldest.append(item)
                continue
            done = True
            if cid in watched:
                seen.append(item)
        if done:
            return sorted(oldest, key=_id_or_zero), seen
        offset += len(page)


def _id_or_zero(item: Mapping[str, Any]) -> int:
    return campaign_id(item) or 0


def _max_id(items: Iterable[Mapping[str, Any]], default: int = 0) -> int:
    return max((cid for cid in map(campaign_id, items) if cid is not None), default=default)


@register_event_source
class NewCampaignSource(EventSource):
    """Email campaigns created, optionally only those whose status (when first seen) is in ``statuses``."""

    event_type = "new_campaign"

    def __init__(self, params: Mapping[str, Any] | None = None) -> None:
        super().__init__(params)
        self.statuses = int_list(self.params, "statuses")
        self.params = {"statuses": self.statuses} if self.statuses else {}

    @property
    def resource(self) -> str:
        return "campaigns" if not self.statuses else "campaigns-" + "-".join(map(str, self.statuses))

    def beginning(self) -> Cursor:
        return self.new_cursor(last_id=0)

    def baseline(self) -> Detection:
        page: list[dict[str, Any]] = yield _campaigns_page(limit=1, offset=0, order="desc")
        return Poll([], self.new_cursor(last_id=_max_id(page)), baseline=True)

    def detect(self, cursor: Cursor, max_events: int) -> Detection:
        last_id = int(cursor["last_id"])
        fresh, _ = yield from newer_than(last_id, keep=max_events + PAGE)
        events: list[dict[str, Any]] = []
        position = last_id
        for item in fresh:
            if len(events) == max_events:
                break  # the rest stays above the position for the next poll
            position = _id_or_zero(item)
            if self.statuses is None or status_code(item) in self.statuses:
                events.append(self.event(item))
        return Poll(events, self.new_cursor(last_id=position))


@register_event_source
class CampaignSentSource(EventSource):
    """Email campaigns reaching a sent status (``statuses``, default 3 sent and 23 sent partially)."""

    event_type = "campaign_sent"

    def __init__(self, params: Mapping[str, Any] | None = None) -> None:
        super().__init__(params)
        given = int_list(self.params, "statuses")
        self.statuses = frozenset(given) if given else SENT_STATUSES
        self.params = {"statuses": sorted(given)} if given else {}

    @property
    def resource(self) -> str:
        if self.statuses == SENT_STATUSES:
            return "campaigns-sent"
        return "campaigns-sent-" + "-".join(map(str, sorted(self.statuses)))

    def beginning(self) -> Cursor:
        return self.new_cursor(last_id=0, pending=[])

    def baseline(self) -> Detection:
        page: list[dict[str, Any]] = yield _campaigns_page(limit=PAGE, offset=0, order="desc")
        waiting = [cid for c in page if (cid := campaign_id(c)) is not None and self._waiting(c)]
        return Poll([], self.new_cursor(last_id=_max_id(page), pending=sorted(waiting)), baseline=True)

    def detect(self, cursor: Cursor, max_events: int) -> Detection:
        last_id = int(cursor["last_id"])
        pending = {int(p) for p in cursor["pending"]}
        fresh, seen = yield from newer_than(last_id, keep=max_events + PAGE, watch=pending)
        known = yield from self._fetch_missing(pending, seen)

        events: list[dict[str, Any]] = []
        waiting: list[int] = []
        position = last_id
        for item in sorted(known, key=_id_or_zero) + fresh:  # pending ids are all below the fresh ones
            cid = _id_or_zero(item)
            if len(events) == max_events:
                if cid <= last_id:
                    waiting.append(cid)  # looked at again next time
                continue
            if status_code(item) in self.statuses:
                events.append(self.event(item))
            elif self._waiting(item):
                waiting.append(cid)
            position = max(position, cid)

        warnings = []
        if len(waiting) > MAX_PENDING:
            warnings.append(f"following only the newest {MAX_PENDING} of {len(waiting)} unfinished campaigns")
        pending_after = sorted(set(waiting))[-MAX_PENDING:]
        return Poll(events, self.new_cursor(last_id=position, pending=pending_after), warnings=warnings)

    def _waiting(self, item: Mapping[str, Any]) -> bool:
        code = status_code(item)
        return code not in self.statuses and code not in FINAL_STATUSES

    def _fetch_missing(self, pending: set[int], seen: list[dict[str, Any]]) -> Campaigns:
        """``seen`` plus the pending campaigns the listing did not reach, fetched one by one."""
        from airflow_provider_sendpulse.client import api
        from airflow_provider_sendpulse.client.errors import SendPulseNotFoundError

        found = {_id_or_zero(c): c for c in seen}
        for cid in sorted(pending - set(found)):
            try:
                found[cid] = yield api.get_campaign(cid)
            except SendPulseNotFoundError:
                continue  # deleted: nothing to wait for
        return list(found.values())
