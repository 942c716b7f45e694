"""How values travel to SendPulse: the query-string rule and the account-time rule.

SendPulse reads requests like a PHP (Laravel) application:

- a query string is parsed by PHP: booleans must be ``1``/``0`` (Laravel's ``boolean`` rule refuses the
  text ``true``), arrays are bracketed (``status[]=3&status[]=23``; repeated bare keys keep only the
  last value) and nested objects are ``key[sub]=value``. JSON never goes into a query parameter;
- dates are ``YYYY-MM-DD HH:MM:SS`` in the account's time zone.

Both transports (requests and httpx) send the pairs :func:`encode_query` makes, and every date the
client sends goes through :func:`account_time`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from airflow_provider_sendpulse import DEFAULT_TIMEZONE

SENDPULSE_DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"

QueryPairs = tuple[tuple[str, str], ...]


def encode_query(params: Mapping[str, Any] | None) -> QueryPairs | None:
    """The query string of ``params`` as ``(key, value)`` pairs, the way PHP reads them back.

    ``True``/``False`` -> ``1``/``0``; a list or tuple -> ``key[]`` once per item; a mapping ->
    ``key[sub]``; ``None`` values are left out. Raises ValueError for a value with no query form.
    """
    if params is None:
        return None
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        _encode(str(key), value, pairs)
    return tuple(pairs)


def _encode(key: str, value: Any, pairs: list[tuple[str, str]]) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        pairs.append((key, "1" if value else "0"))
    elif isinstance(value, str | int | float):
        pairs.append((key, str(value)))
    elif isinstance(value, list | tuple):
        for item in value:
            if isinstance(item, list | tuple | Mapping):
                raise ValueError(f"query parameter {key!r}: nested lists cannot be sent in a query string")
            _encode(f"{key}[]", item, pairs)
    elif isinstance(value, Mapping):
        for sub, item in value.items():
            _encode(f"{key}[{sub}]", item, pairs)
    else:
        raise ValueError(
            f"query parameter {key!r}: a {type(value).__name__} cannot be sent in a query string; "
            "give a string, number, boolean, list or mapping"
        )


def account_zone(name: str | None) -> ZoneInfo:
    """The IANA time zone ``name`` (``UTC`` when empty); ValueError naming it when unknown."""
    text = (name or "").strip() or DEFAULT_TIMEZONE
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"timezone {text!r} is not a known time zone: give an IANA name such as 'Europe/Kyiv' or 'UTC'"
        ) from None


def account_time(moment: datetime, zone: tzinfo) -> str:
    """``moment`` as SendPulse reads a date: ``YYYY-MM-DD HH:MM:SS`` in the account's zone ``zone``.

    An aware datetime is converted to ``zone``; a naive one is taken as already in ``zone``.
    """
    if moment.tzinfo is not None:
        moment = moment.astimezone(zone)
    return moment.strftime(SENDPULSE_DATETIME_FORMAT)


def render_dates(values: Any, zone: tzinfo) -> Any:
    """``values`` (a params or body mapping) with each top-level datetime rendered by :func:`account_time`.

    Endpoint builders leave dates as datetimes; the client renders them here, once, in the account zone.
    Anything that is not a mapping is returned unchanged.
    """
    if not isinstance(values, Mapping) or not any(isinstance(v, datetime) for v in values.values()):
        return values
    return {k: account_time(v, zone) if isinstance(v, datetime) else v for k, v in values.items()}
