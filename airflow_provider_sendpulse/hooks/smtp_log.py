"""The SMTP service's logs for a time interval: sent emails, bounces and unsubscribes as flat records.

SendPulse filters these logs by whole days of the account's time zone. An interval that cuts days (an
hourly DAG, or a daily one in another zone) is covered by asking for every account day it touches and
keeping the records whose own time falls in ``[start, end)``; so consecutive intervals export each record
exactly once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

LogKind = Literal["emails", "bounces", "unsubscribes"]
LOG_KINDS: tuple[LogKind, ...] = ("emails", "bounces", "unsubscribes")

COLUMNS: dict[LogKind, tuple[str, ...]] = {
    "emails": (
        "id",
        "sent_at",
        "sender",
        "recipient",
        "subject",
        "delivered",
        "smtp_answer_code",
        "smtp_answer_subcode",
        "smtp_answer_data",
        "opens",
        "clicks",
        "size",
    ),
    "bounces": (
        "sent_at",
        "sender",
        "recipient",
        "subject",
        "smtp_answer_code",
        "smtp_answer_subcode",
        "smtp_answer_data",
    ),
    "unsubscribes": ("unsubscribed_at", "email", "by_link", "by_user", "spam_complaint"),
}
"""Columns of each export, in file order."""

SENDPULSE_DATETIME = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True)
class Interval:
    """``[start, end)`` as aware datetimes, and the account zone SendPulse's days and times are in."""

    start: datetime
    end: datetime
    zone: ZoneInfo

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("the interval's start and end must be time-zone aware")
        if self.end <= self.start:
            raise ValueError(f"the interval is empty: {self.start.isoformat()} .. {self.end.isoformat()}")

    def days(self) -> list[date]:
        """Every account day the interval touches, in order."""
        first = self.start.astimezone(self.zone).date()
        last = (self.end - timedelta(microseconds=1)).astimezone(self.zone).date()
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]

    def moment(self, text: object) -> datetime | None:
        """SendPulse's account-time ``YYYY-MM-DD HH:MM:SS`` as an aware datetime (None if unreadable)."""
        if not isinstance(text, str):
            return None
        try:
            return datetime.strptime(text.strip()[:19], SENDPULSE_DATETIME).replace(tzinfo=self.zone)
        except ValueError:
            return None

    def holds(self, moment: datetime | None) -> bool:
        return moment is not None and self.start <= moment < self.end


def _int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload,no-any-return]
    except (TypeError, ValueError):
        return None


def email_record(item: Mapping[str, Any], sent_at: datetime) -> dict[str, Any]:
    """One delivery-log item (one recipient of one message) as an export record."""
    tracking = item.get("tracking") if isinstance(item.get("tracking"), Mapping) else {}
    code = _int(item.get("smtp_answer_code"))
    return {
        "id": item.get("id"),
        "sent_at": sent_at.isoformat(),
        "sender": item.get("sender"),
        "recipient": item.get("recipient"),
        "subject": item.get("subject"),
        "delivered": None if code is None else 200 <= code < 300,
        "smtp_answer_code": code,
        "smtp_answer_subcode": item.get("smtp_answer_subcode"),
        "smtp_answer_data": item.get("smtp_answer_data"),
        "opens": _int(tracking.get("open")) or 0,  # type: ignore[union-attr]
        "clicks": _int(tracking.get("click")) or 0,  # type: ignore[union-attr]
        "size": _int(item.get("total_size")),
    }


def bounce_record(item: Mapping[str, Any], sent_at: datetime) -> dict[str, Any]:
    """One bounce as an export record."""
    return {
        "sent_at": sent_at.isoformat(),
        "sender": item.get("sender"),
        "recipient": item.get("email_to"),
        "subject": item.get("subject"),
        "smtp_answer_code": _int(item.get("smtp_answer_code")),
        "smtp_answer_subcode": item.get("smtp_answer_subcode"),
        "smtp_answer_data": item.get("smtp_answer_data"),
    }


def unsubscribe_record(item: Mapping[str, Any], at: datetime) -> dict[str, Any]:
    """One unsubscribe as an export record."""
    return {
        "unsubscribed_at": at.isoformat(),
        "email": item.get("email"),
        "by_link": bool(_int(item.get("unsubscribe_by_link"))),
        "by_user": bool(_int(item.get("unsubscribe_by_user"))),
        "spam_complaint": bool(_int(item.get("spam_complaint"))),
    }


_READERS: dict[LogKind, tuple[str, Callable[[Mapping[str, Any], datetime], dict[str, Any]]]] = {
    "emails": ("send_date", email_record),
    "bounces": ("send_date", bounce_record),
    "unsubscribes": ("date", unsubscribe_record),
}


def records_in(
    kind: LogKind, items: Iterable[Mapping[str, Any]], interval: Interval
) -> Iterator[dict[str, Any]]:
    """The export records of ``kind`` among ``items`` whose time falls in the interval."""
    time_key, read = _READERS[kind]
    for item in items:
        moment = interval.moment(item.get(time_key))
        if interval.holds(moment):
            assert moment is not None
            yield read(item, moment)
