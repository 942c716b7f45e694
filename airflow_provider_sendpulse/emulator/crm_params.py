"""Reading CRM request bodies strictly, with 422 answers that name the field and what is allowed."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from .crm import CrmError, crm_invalid, crm_not_found

_MISSING: Any = object()
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

DATETIME_EXAMPLE = "2024-12-12T12:12:12+00:00"


def path_id(raw: str, kind: str) -> int:
    """A numeric path segment; anything else is the record's 404."""
    try:
        number = int(raw)
    except ValueError:
        raise crm_not_found(kind) from None
    if number <= 0:
        raise crm_not_found(kind)
    return number


def req_int(
    args: dict[str, Any], name: str, *, default: Any = _MISSING, lo: int | None = None, hi: int | None = None
) -> Any:
    """An integer (a numeric string too), range-checked; missing is an error unless `default` is given."""
    value = args.get(name)
    if value is None:
        if default is _MISSING:
            raise crm_invalid(name, "is required")
        return default
    return as_int(value, name, lo=lo, hi=hi)


def as_int(value: Any, name: str, *, lo: int | None = None, hi: int | None = None) -> int:
    """`value` as an integer within [lo, hi]."""
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise crm_invalid(name, "must be an integer")
    if lo is not None and hi is not None and not lo <= value <= hi:
        raise crm_invalid(name, f"must be between {lo} and {hi}")
    if lo is not None and value < lo:
        raise crm_invalid(name, f"must be at least {lo}")
    if hi is not None and value > hi:
        raise crm_invalid(name, f"may not be greater than {hi}")
    return value


def req_number(args: dict[str, Any], name: str, *, default: Any = _MISSING) -> Any:
    """A non-negative number (int or float, numeric strings too)."""
    value = args.get(name)
    if value is None:
        if default is _MISSING:
            raise crm_invalid(name, "is required")
        return default
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise crm_invalid(name, "must be a number") from None
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value or value < 0:
        raise crm_invalid(name, "must be a number of at least 0")
    return value


def req_str(
    args: dict[str, Any], name: str, *, default: Any = _MISSING, max_len: int | None = None, min_len: int = 0
) -> Any:
    """A string of at most `max_len` characters."""
    value = args.get(name)
    if value is None:
        if default is _MISSING:
            raise crm_invalid(name, "is required")
        return default
    if not isinstance(value, str):
        raise crm_invalid(name, "must be a string")
    if len(value.strip()) < min_len:
        raise crm_invalid(name, "may not be empty")
    if max_len is not None and len(value) > max_len:
        raise crm_invalid(name, f"may not be longer than {max_len} characters")
    return value


def int_list(args: dict[str, Any], name: str) -> list[int] | None:
    """An optional array of integers."""
    value = args.get(name)
    if value is None:
        return None
    if not isinstance(value, list):
        raise crm_invalid(name, "must be an array of integers")
    return [as_int(v, f"{name}[{n}]") for n, v in enumerate(value)]


def email_value(value: Any, name: str, max_len: int) -> str:
    """An email address of at most `max_len` characters."""
    if not isinstance(value, str) or not _EMAIL.fullmatch(value.strip()):
        raise crm_invalid(name, "must be an email address")
    if len(value.strip()) > max_len:
        raise crm_invalid(name, f"may not be longer than {max_len} characters")
    return value.strip()


def day_bounds(args: dict[str, Any], name: str, end: bool) -> int | None:
    """A `YYYY-MM-DD` filter as epoch seconds: the day's start, or its last second when `end`."""
    value = args.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise crm_invalid(name, "must be a date in the format YYYY-MM-DD (no time)")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise crm_invalid(name, "must be a date in the format YYYY-MM-DD (no time)") from None
    start = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
    return start + 86_399 if end else start


def parse_datetime(value: Any, name: str) -> float:
    """A date-time as epoch seconds.

    Accepted: RFC 3339 / ISO 8601 with `T` or a space, optional fraction and offset (`Z`, `+02:00`; none
    means UTC, the account's zone), or a bare `YYYY-MM-DD` (midnight).
    """
    if not isinstance(value, str) or not value.strip():
        raise crm_invalid(name, f"must be a date-time such as {DATETIME_EXAMPLE}")
    text = value.strip()
    try:
        if _DATE.fullmatch(text):
            moment = datetime.fromisoformat(text)
        elif re.fullmatch(
            r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?", text
        ):
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        else:
            raise ValueError(text)
    except ValueError:
        raise crm_invalid(name, f"must be a date-time such as {DATETIME_EXAMPLE}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def sort_by(args: dict[str, Any], allowed: tuple[str, ...], default: tuple[str, str]) -> tuple[str, bool]:
    """`sortBy {fieldName, direction}` -> (field, descending)."""
    value = args.get("sortBy")
    if value is None:
        return default[0], default[1] == "desc"
    if not isinstance(value, dict):
        raise crm_invalid("sortBy", "must be an object {fieldName, direction}")
    field_name = value.get("fieldName", default[0])
    if field_name not in allowed:
        raise crm_invalid("sortBy.fieldName", f"must be one of {', '.join(allowed)}")
    direction = value.get("direction", "asc")
    if direction not in ("asc", "desc"):
        raise crm_invalid("sortBy.direction", "must be asc or desc")
    return str(field_name), direction == "desc"


def refuse_unsupported(args: dict[str, Any], names: tuple[str, ...]) -> None:
    """422 for a documented filter the emulator does not model, rather than silently ignoring it."""
    for name in names:
        value = args.get(name)
        if value not in (None, "", [], {}, False):
            raise CrmError(422, f"{name}: this filter is not supported by the emulator", name)


#: The longest contact or deal attribute value the CRM stores.
MAX_ATTRIBUTE_VALUE = 5_500


def attribute_value(value: Any, name: str) -> str:
    """A contact or deal attribute value: text (a number is taken as its text) of at most 5,500 characters."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise crm_invalid(name, "must be a string")
    text = str(value)
    if len(text) > MAX_ATTRIBUTE_VALUE:
        raise crm_invalid(name, f"may not be longer than {MAX_ATTRIBUTE_VALUE} characters")
    return text
