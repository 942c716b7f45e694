"""``new_sms_campaign``: SMS campaigns created.

``GET /sms/campaigns/list`` takes a creation-date window and is not paged. The position is the newest
creation date delivered plus the ids delivered at exactly that second (several campaigns can share
one), so the next window starts at that second without firing them again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from airflow_provider_sendpulse.client.wire import SENDPULSE_DATETIME_FORMAT
from airflow_provider_sendpulse.events.base import Cursor, Detection, EventSource, Poll
from airflow_provider_sendpulse.events.campaigns import campaign_id
from airflow_provider_sendpulse.events.registry import register_event_source

if TYPE_CHECKING:
    from airflow_provider_sendpulse.client import api

BEGINNING = "2000-01-01 00:00:00"

LOOKBACK = timedelta(days=30)
"""A first poll that finds no campaign this far back takes now minus this as its position (rendered in
UTC: against thirty days, the account zone's offset does not matter)."""

_DATE_KEYS = ("date_created", "created", "date")


def created_at(item: Mapping[str, Any]) -> str:
    """The campaign's creation date string (``YYYY-MM-DD HH:MM:SS``), or "" when missing."""
    for key in _DATE_KEYS:
        value = item.get(key)
        if isinstance(value, str) and value:
            return value
    return ""


@register_event_source
class NewSmsCampaignSource(EventSource):
    """SMS campaigns created in the account. Events carry the campaign summary."""

    event_type = "new_sms_campaign"

    def __init__(self, params: Mapping[str, Any] | None = None) -> None:
        super().__init__(params)
        self.params = {}
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    def beginning(self) -> Cursor:
        return self.new_cursor(position=BEGINNING, ids=[])

    def baseline(self) -> Detection:
        now = self.clock()
        since = (now - LOOKBACK).strftime(SENDPULSE_DATETIME_FORMAT)
        found = yield self._window(since)
        if not found:
            return Poll([], self.new_cursor(position=since, ids=[]), baseline=True)
        newest = max(created_at(c) for c in found)
        ids = sorted(i for c in found if created_at(c) == newest and (i := campaign_id(c)) is not None)
        return Poll([], self.new_cursor(position=newest, ids=ids), baseline=True)

    def detect(self, cursor: Cursor, max_events: int) -> Detection:
        position = str(cursor["position"])
        done = {int(i) for i in cursor["ids"]}
        found = yield self._window(position)
        fresh = [
            c
            for c in found
            if (when := created_at(c)) > position or (when == position and campaign_id(c) not in done)
        ]
        fresh.sort(key=lambda c: (created_at(c), campaign_id(c) or 0))
        events = [self.event(c) for c in fresh[:max_events]]
        if not events:
            return Poll([], self.new_cursor(position=position, ids=sorted(done)))
        newest = created_at(events[-1])
        at_newest = {campaign_id(e) for e in events if created_at(e) == newest}
        if newest == position:
            at_newest |= done
        ids = sorted(i for i in at_newest if i is not None)
        return Poll(events, self.new_cursor(position=newest, ids=ids))

    def _window(self, since: str) -> api.Call[list[dict[str, Any]]]:
        # `since` is a creation date SendPulse gave (account time); the end is now, an aware datetime
        # the client renders in the account's zone, so the window ends exactly at the account's now.
        from airflow_provider_sendpulse.client import api

        return api.list_sms_campaigns(since, self.clock().replace(microsecond=0))
