"""Compact storage for the contacts of one mailing list.

A list may hold a million contacts, so a contact is not an object: it is a slot in parallel arrays (email,
add date, status) plus an optional entry in a sparse variables dict. Slots keep insertion order; deleting
leaves a tombstone that the next listing compacts away, so offset paging stays O(limit).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Mapping
from itertools import islice
from typing import Any, NamedTuple

ACTIVE = 1
PENDING = 2
UNSUBSCRIBED = 4
_DEAD = 255

STATUS_EXPLAIN = {
    0: "New",
    ACTIVE: "Active",
    PENDING: "Awaiting confirmation",
    3: "Awaiting confirmation",
    UNSUBSCRIBED: "Unsubscribed",
    5: "Rejected",
    6: "Unsubscribed from all",
}


class Contact(NamedTuple):
    """One contact as read from a list."""

    email: str
    status: int
    added: int
    variables: Mapping[str, Any]


_NO_VARIABLES: Mapping[str, Any] = {}


class ContactStore:
    """The contacts of one list, in insertion order, keyed by email."""

    __slots__ = ("_active", "_added", "_dead", "_emails", "_index", "_status", "_variables")

    def __init__(self) -> None:
        self._emails: list[str | None] = []
        self._index: dict[str, int] = {}
        self._added = array("I")
        self._status = bytearray()
        self._variables: dict[str, Mapping[str, Any]] = {}
        self._dead = 0
        self._active = 0

    def __len__(self) -> int:
        return len(self._index)

    def __contains__(self, email: object) -> bool:
        return email in self._index

    def count_active(self) -> int:
        """How many contacts are active (status 1)."""
        return self._active

    def upsert(self, email: str, variables: Mapping[str, Any] | None, status: int, now: int) -> bool:
        """Add a contact or merge variables into an existing one; True when it was new.

        An existing contact keeps its position, add date and status, as SendPulse keeps an unsubscribed
        contact unsubscribed when it is imported again.
        """
        pos = self._index.get(email)
        if pos is not None:
            if variables:
                merged = dict(self._variables.get(email, _NO_VARIABLES))
                merged.update(variables)
                self._variables[email] = merged
            return False
        self._index[email] = len(self._emails)
        self._emails.append(email)
        self._added.append(now)
        self._status.append(status)
        self._active += status == ACTIVE
        if variables:
            self._variables[email] = dict(variables)
        return True

    def bulk_add(self, emails: list[str], variables: Mapping[str, Any] | None, now: int) -> int:
        """Append many new active contacts fast, sharing one variables mapping; returns how many were new."""
        fresh = [e for e in dict.fromkeys(emails) if e not in self._index]
        start = len(self._emails)
        self._emails.extend(fresh)
        self._index.update(zip(fresh, range(start, start + len(fresh)), strict=True))
        self._added.extend(array("I", [now]) * len(fresh))
        self._status.extend(bytes([ACTIVE]) * len(fresh))
        self._active += len(fresh)
        if variables:
            shared = dict(variables)
            for email in fresh:
                self._variables[email] = shared
        return len(fresh)

    def get(self, email: str) -> Contact | None:
        """The contact with this email, or None."""
        pos = self._index.get(email)
        return None if pos is None else self._at(pos)

    def set_variables(self, email: str, variables: Mapping[str, Any]) -> bool:
        """Merge variables into a contact; False when the email is not in the list."""
        if email not in self._index:
            return False
        merged = dict(self._variables.get(email, _NO_VARIABLES))
        merged.update(variables)
        self._variables[email] = merged
        return True

    def set_status(self, emails: list[str], status: int) -> int:
        """Give these contacts a status; returns how many were in the list."""
        changed = 0
        for email in emails:
            pos = self._index.get(email)
            if pos is not None:
                self._active += (status == ACTIVE) - (self._status[pos] == ACTIVE)
                self._status[pos] = status
                changed += 1
        return changed

    def remove(self, emails: list[str]) -> int:
        """Delete contacts; returns how many were in the list."""
        removed = 0
        for email in emails:
            pos = self._index.pop(email, None)
            if pos is None:
                continue
            self._emails[pos] = None
            self._active -= self._status[pos] == ACTIVE
            self._status[pos] = _DEAD
            self._variables.pop(email, None)
            self._dead += 1
            removed += 1
        return removed

    def page(
        self, offset: int, limit: int, descending: bool = False, active: bool | None = None
    ) -> list[Contact]:
        """Up to `limit` contacts after skipping `offset`, oldest first unless `descending`.

        `active=True` keeps only active contacts, `active=False` only the others.
        """
        self._compact()
        n = len(self._emails)
        if active is None:
            if descending:
                first, last = n - 1 - offset, max(n - 1 - offset - limit, -1)
                return [self._at(p) for p in range(first, last, -1)]
            return [self._at(p) for p in range(offset, min(offset + limit, n))]
        positions: Iterator[int] = iter(range(n - 1, -1, -1) if descending else range(n))
        status = self._status
        wanted = (p for p in positions if (status[p] == ACTIVE) == active)
        return [self._at(p) for p in islice(wanted, offset, offset + limit)]

    def variable_values(self, name: str) -> Iterator[Any]:
        """Values of one variable over the contacts that have it (cheap: only those with variables)."""
        return (v[name] for v in self._variables.values() if name in v)

    def iter_all(self) -> Iterator[Contact]:
        """Every contact, oldest first."""
        self._compact()
        return (self._at(p) for p in range(len(self._emails)))

    def _at(self, pos: int) -> Contact:
        email = self._emails[pos]
        assert email is not None
        return Contact(email, self._status[pos], self._added[pos], self._variables.get(email, _NO_VARIABLES))

    def _compact(self) -> None:
        if not self._dead:
            return
        keep = [p for p, e in enumerate(self._emails) if e is not None]
        self._emails = [self._emails[p] for p in keep]
        self._added = array("I", (self._added[p] for p in keep))
        self._status = bytearray(self._status[p] for p in keep)
        self._index = {e: p for p, e in enumerate(self._emails) if e is not None}
        self._dead = 0
