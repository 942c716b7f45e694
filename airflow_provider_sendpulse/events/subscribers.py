"""``new_subscriber``: contacts added to a mailing list.

SendPulse gives list members no add date, so the position is structural. It relies on two properties of
``GET /addressbooks/{id}/emails?order=asc`` (see docs/sensors.md): members come in order of addition and
a new member is appended at the end; removing a member shifts later members one place left without
reordering them. The cursor holds the index just past the last delivered member (``offset``) and
digests of the emails of the last delivered members (``anchors``, newest last): the cursor is visible to
anyone who can read Airflow Variables, so it keeps no address in clear. A cursor written before digests
(anchors holding emails) is still read: its emails are digested on load.

A poll reads ``/emails/total`` and the member at ``offset - 1``. Unchanged total and the newest anchor in
its place means nothing happened: two requests whatever the list size. Otherwise the new members are the
ones after the newest anchor still present, read forward page by page, at most ``max_events`` of them.
When removals moved the anchor (or adds and removals cancelled out in the total), a backward scan one
page at a time finds it again; when every anchor was removed the position is recorded afresh and a
warning says events may have been missed.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Generator, Mapping
from typing import TYPE_CHECKING, Any

from airflow_provider_sendpulse.client.limits import MAX_PAGE_SIZE
from airflow_provider_sendpulse.events.base import Cursor, Detection, EventSource, Poll, positive_int
from airflow_provider_sendpulse.events.registry import register_event_source

if TYPE_CHECKING:
    from airflow_provider_sendpulse.client import api

ANCHORS = 25
"""How many of the last delivered members the cursor remembers; all of them must vanish to lose the place."""

PAGE = MAX_PAGE_SIZE


@register_event_source
class NewSubscriberSource(EventSource):
    """Contacts added to the mailing list ``list_id``. Events carry the contact and ``list_id``."""

    event_type = "new_subscriber"

    def __init__(self, params: Mapping[str, Any] | None = None) -> None:
        super().__init__(params)
        self.list_id = positive_int(self.params, "list_id")
        self.params = {"list_id": self.list_id}

    @property
    def resource(self) -> str:
        return f"list-{self.list_id}"

    def beginning(self) -> Cursor:
        return self.new_cursor(offset=0, anchors=[])

    def baseline(self) -> Detection:
        for _ in range(3):
            total: int = yield self._count()
            if total <= 0:
                return Poll([], self.beginning(), baseline=True)
            start = max(0, total - ANCHORS)
            page = yield self._page(start, total - start)
            if page:
                cursor = self.new_cursor(offset=start + len(page), anchors=_anchors(page))
                return Poll([], cursor, baseline=True)
            # The list shrank between the two calls: count again.
        return Poll([], self.beginning(), baseline=True)

    def detect(self, cursor: Cursor, max_events: int) -> Detection:
        offset = int(cursor["offset"])
        anchors: list[str] = [_as_anchor(str(a)) for a in cursor["anchors"]]
        total: int = yield self._count()
        prefetched: list[dict[str, Any]] = []
        at_end = False
        if not anchors:
            start = 0
        else:
            end = min(offset, total) - 1  # removals only move an anchor left, so it is at `end` or before
            if end < 0:
                return Poll([], self.beginning())
            extra = min(max_events, PAGE - 1) if total > end + 1 else 0
            page = yield self._page(end, 1 + extra)
            if page and anchor(page[0].get("email")) in anchors:
                start = end + 1
                prefetched = page[1:]
                at_end = extra == 0 or len(page) < 1 + extra  # extra == 0: the total says no more
            else:
                found = yield from self._scan_back(end - 1, set(anchors))
                if found is None:
                    redo = yield from self.baseline()
                    warning = (
                        f"none of the last {len(anchors)} delivered contacts of list {self.list_id} is still "
                        "in the list, so the position was recorded afresh; contacts added meanwhile were "
                        "not reported"
                    )
                    return Poll([], redo.cursor, baseline=True, warnings=[warning])
                start = found + 1

        events: list[dict[str, Any]] = []
        position = start
        for item in prefetched[:max_events]:
            events.append(self._event(item))
            position += 1
        while len(events) < max_events and not at_end:
            limit = min(PAGE, max_events - len(events))
            page = yield self._page(position, limit)
            events.extend(self._event(item) for item in page)
            position += len(page)
            at_end = len(page) < limit
        new_anchors = (anchors + [anchor(e["email"]) for e in events])[-ANCHORS:]
        return Poll(events, self.new_cursor(offset=position, anchors=new_anchors))

    def _scan_back(self, last: int, anchors: set[str]) -> Generator[api.Call[Any], Any, int | None]:
        """Index of the newest anchor at or before ``last``, reading one page at a time backwards."""
        high = last
        while high >= 0:
            low = max(0, high - PAGE + 1)
            page = yield self._page(low, high - low + 1)
            for index in range(len(page) - 1, -1, -1):
                if anchor(page[index].get("email")) in anchors:
                    return low + index
            high = low - 1
        return None

    # The endpoints load when a poll runs, not when a DAG file builds a trigger for this source.
    def _count(self) -> api.Call[int]:
        from airflow_provider_sendpulse.client import api

        return api.count_contacts(self.list_id)

    def _page(self, offset: int, limit: int) -> api.Call[list[dict[str, Any]]]:
        from airflow_provider_sendpulse.client import api

        return api.list_contacts(self.list_id, limit=limit, offset=offset, order="asc")

    def _event(self, item: Mapping[str, Any]) -> dict[str, Any]:
        return self.event(item, list_id=self.list_id, phone=contact_phone(item))


def contact_phone(contact: Mapping[str, Any]) -> str | None:
    """The contact's phone as international digits, from a ``phone`` field or variable (any case); or None.

    SendPulse keeps a list member's phone among its variables (``variables["Phone"]``); events lift it to
    a top-level ``phone`` so that DAGs need not know where it hides.
    """
    candidates: list[Any] = [contact.get("phone")]
    variables = contact.get("variables")
    if isinstance(variables, Mapping):
        candidates += [value for name, value in variables.items() if str(name).strip().lower() == "phone"]
    for value in candidates:
        digits = re.sub(r"[\s\-().]", "", str(value)) if isinstance(value, str | int) else ""
        digits = digits.removeprefix("+")
        if digits.isdigit() and digits.isascii():
            return digits
    return None


def anchor(email: object) -> str:
    """What the cursor keeps of a member: 16 hex digits of the SHA-256 of its email, never the email."""
    return hashlib.sha256(str(email).encode()).hexdigest()[:16]


def _as_anchor(stored: str) -> str:
    """An anchor of a stored cursor; an email (cursors written before digests) is digested."""
    return anchor(stored) if "@" in stored else stored


def _anchors(page: list[dict[str, Any]]) -> list[str]:
    return [anchor(item.get("email")) for item in page]
