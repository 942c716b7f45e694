"""Local checks that run before any request, with messages that name the field or row and what is allowed."""

from __future__ import annotations

import ast
import codecs
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from airflow_provider_sendpulse.client.limits import (
    MAX_CAMPAIGN_ATTACHMENTS,
    MAX_CAMPAIGN_LISTS,
    MAX_EMAIL_LENGTH,
    MAX_SMS_SENDER_LENGTH,
)
from airflow_provider_sendpulse.client.wire import SENDPULSE_DATETIME_FORMAT

# Defined with the hook, which raises it too; public from here as before.
from airflow_provider_sendpulse.hooks.errors import SendPulseInputError as SendPulseInputError

# Pragmatic address check: one "@", no whitespace, dotted domain of LDH labels. Stricter rules (quoted local
# parts, IP literals) are left to SendPulse, which refuses what it cannot deliver to.
_LOCAL_RE = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$")
_LABEL_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
_PHONE_SEPARATORS_RE = re.compile(r"[\s\-().]")


@contextmanager
def model_errors(what: str) -> Iterator[None]:
    """Turn a client model's refusal (ValueError) into a :class:`SendPulseInputError` about ``what``.

    The models own the rules SendPulse sets (limits, required fields); retrying would not change
    their answer, so the task fails without retries.
    """
    try:
        yield
    except SendPulseInputError:
        raise
    except ValueError as error:
        raise SendPulseInputError(f"{what}: {error}.") from None


_COMMON_EMAIL_RE = re.compile(
    r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
    r"[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
)
"""Addresses of the usual shape, every one of which the full checks accept: one match instead of
them, once per row of a million-row import."""


def email_problem(value: object) -> str | None:
    """Return why ``value`` is not a usable email address, or None when it is."""
    if (
        isinstance(value, str)
        and len(value) <= MAX_EMAIL_LENGTH
        and _COMMON_EMAIL_RE.fullmatch(value)
        and value.index("@") <= 64
    ):
        return None
    return email_shape_problem(value)


def email_shape_problem(value: object) -> str | None:
    """The full checks behind :func:`email_problem`, for every address the quick match does not take."""
    if not isinstance(value, str):
        return f"must be a string, got {type(value).__name__}"
    if not value:
        return "is empty"
    if len(value) > MAX_EMAIL_LENGTH:
        return f"is longer than {MAX_EMAIL_LENGTH} characters"
    if value.count("@") != 1:
        return "must contain exactly one '@'"
    local, domain = value.split("@")
    if not local or len(local) > 64 or not _LOCAL_RE.match(local):
        return "has an invalid part before '@'"
    if local.startswith(".") or local.endswith(".") or ".." in local:
        return "has misplaced dots before '@'"
    labels = domain.split(".")
    if len(labels) < 2 or not all(_LABEL_RE.match(label) for label in labels):
        return "has an invalid domain after '@'"
    if labels[-1].isdigit():
        return "has a numeric top-level domain"
    return None


def check_email(value: object, field: str) -> str:
    """Return the trimmed address or raise naming ``field``."""
    email = value.strip() if isinstance(value, str) else value
    problem = email_problem(email)
    if problem:
        raise SendPulseInputError(f"{field}: the email address {problem}.")
    assert isinstance(email, str)
    return email


def check_emails(values: object, field: str) -> list[str]:
    """Validate a non-empty list of addresses; name the positions of bad ones, not the addresses."""
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise SendPulseInputError(
            f"{field}: expected a list of email addresses, got {type(values).__name__}."
        )
    emails: list[str] = []
    bad: list[str] = []
    for index, item in enumerate(values):
        raw = item.get("email") if isinstance(item, Mapping) else item
        email = raw.strip() if isinstance(raw, str) else raw
        problem = email_problem(email)
        if problem:
            bad.append(f"{field}[{index}] {problem}")
        else:
            assert isinstance(email, str)
            emails.append(email)
    if bad:
        raise SendPulseInputError(_summarise_problems(f"{field}: {len(bad)} invalid email address(es)", bad))
    if not emails:
        raise SendPulseInputError(f"{field}: the list of email addresses is empty.")
    return emails


def normalise_phone(value: object) -> tuple[str | None, str | None]:
    """Return ``(digits, problem)``: spaces, dashes, dots, brackets and a leading '+' or '00' are dropped."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None, f"must be a string of digits, got {type(value).__name__}"
    digits = _PHONE_SEPARATORS_RE.sub("", value)
    if digits.startswith("+"):
        digits = digits[1:]
    elif digits.startswith("00"):
        digits = digits[2:]
    if not digits:
        return None, "is empty"
    if not digits.isdigit() or not digits.isascii():
        return None, "may contain only digits (with optional spaces, dashes and a leading '+')"
    if digits.startswith("0"):
        return None, "must be in international format with the country code, e.g. 380931234567"
    if not 8 <= len(digits) <= 15:
        return None, f"must have 8 to 15 digits in international format, got {len(digits)}"
    return digits, None


def check_phones(values: object, field: str) -> tuple[list[str], int]:
    """Validate and normalise phones; return them and how many were rewritten."""
    if isinstance(values, str | int) or not isinstance(values, Iterable):
        raise SendPulseInputError(f"{field}: expected a list of phone numbers, got {type(values).__name__}.")
    phones: list[str] = []
    bad: list[str] = []
    rewritten = 0
    for index, item in enumerate(values):
        digits, problem = normalise_phone(item)
        if problem:
            bad.append(f"{field}[{index}] {problem}")
            continue
        assert digits is not None
        rewritten += digits != str(item)
        phones.append(digits)
    if bad:
        raise SendPulseInputError(_summarise_problems(f"{field}: {len(bad)} invalid phone number(s)", bad))
    if not phones:
        raise SendPulseInputError(f"{field}: the list of phone numbers is empty.")
    return phones, rewritten


# --- Jinja output -------------------------------------------------------------------------------------
# Without ``render_template_as_native_obj`` Jinja renders every value as text: ``"42"``, ``"[1, 2]"``,
# ``"{'a': 1}"``. These helpers are the one place that reads such text back.


def is_template(value: object) -> bool:
    """True for a string that Jinja will still render (checked after rendering instead of at parse time)."""
    return isinstance(value, str) and ("{{" in value or "{%" in value)


def int_or_none(value: object) -> int | None:
    """An int from an int or a string of digits (as Jinja renders it); None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def rendered_value(value: Any) -> Any:
    """A list or mapping rendered as text (JSON or Python literal) back to the object; else unchanged."""
    if isinstance(value, str) and value.strip()[:1] in ("[", "{", "("):
        text = value.strip()
        try:
            return json.loads(text)
        except ValueError:
            pass
        try:
            parsed = ast.literal_eval(text)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return value
        return list(parsed) if isinstance(parsed, tuple) else parsed
    return value


def rendered_list(value: Any) -> Any:
    """A list rendered as text (``"[1, 2]"``, ``"1,2"``, ``"['a', 'b']"``) back to a list; else unchanged."""
    value = rendered_value(value)
    if isinstance(value, str):
        return [part.strip().strip("'\"") for part in value.split(",") if part.strip()]
    return value


def check_positive_int(value: object, field: str) -> int:
    """Accept a positive int or a string of digits (Jinja renders strings)."""
    number = int_or_none(value)
    if number is None or number <= 0:
        raise SendPulseInputError(f"{field}: must be a positive integer, got {value!r}.")
    return number


def check_seconds(value: object, field: str, *, optional: bool = True) -> float | None:
    """A positive number of seconds (int, float, ``timedelta`` or numeric text); None when optional."""
    if value is None or value == "":
        if optional:
            return None
        raise SendPulseInputError(f"{field}: a number of seconds is required.")
    if isinstance(value, timedelta):
        seconds: float | None = value.total_seconds()
    elif isinstance(value, bool):
        seconds = None
    elif isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        try:
            seconds = float(value.strip())
        except ValueError:
            seconds = None
    else:
        seconds = None
    if seconds is None or seconds != seconds or seconds <= 0 or seconds == float("inf"):
        raise SendPulseInputError(f"{field}: must be a positive number of seconds, got {value!r}.")
    return seconds


def check_choice(value: object, field: str, allowed: Sequence[object]) -> Any:
    """``value`` when it is one of ``allowed``, else an error listing them."""
    if value not in allowed:
        names = [repr(a) for a in allowed]
        choices = f"{', '.join(names[:-1])} or {names[-1]}" if len(names) > 1 else names[0]
        raise SendPulseInputError(f"{field}: must be {choices}, got {value!r}.")
    return value


def check_flag(value: object, field: str, *, optional: bool = False) -> bool | None:
    """True or False (None too when ``optional``)."""
    if value is None and optional:
        return None
    if not isinstance(value, bool):
        raise SendPulseInputError(f"{field}: must be True or False, got {value!r}.")
    return value


def check_delimiter(delimiter: object) -> str:
    """One character, for the CSV reader."""
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        raise SendPulseInputError(f"delimiter: must be one character, got {delimiter!r}.")
    return delimiter


def check_encoding(encoding: object) -> str:
    """A text encoding Python knows."""
    try:
        codecs.lookup(encoding)  # type: ignore[arg-type]
    except (LookupError, TypeError):
        raise SendPulseInputError(f"encoding: unknown text encoding {encoding!r}.") from None
    assert isinstance(encoding, str)
    return encoding


def check_at_parse(value: object, field: str, check: Callable[[Any, str], Any]) -> None:
    """Run ``check`` in the constructor (DAG-parse time) unless ``value`` is a Jinja template."""
    if not is_template(value):
        check(value, field)


def check_list_ids(value: object, field: str = "list_ids") -> list[int]:
    """One id or up to ten, each a positive integer."""
    items = value if isinstance(value, list | tuple) else [value]
    if not items:
        raise SendPulseInputError(f"{field}: give at least one mailing list id.")
    if len(items) > MAX_CAMPAIGN_LISTS:
        raise SendPulseInputError(
            f"{field}: at most {MAX_CAMPAIGN_LISTS} mailing lists per campaign, got {len(items)}."
        )
    ids = [check_positive_int(item, f"{field}[{index}]") for index, item in enumerate(items)]
    if len(set(ids)) != len(ids):
        raise SendPulseInputError(f"{field}: the same list id appears more than once.")
    return ids


def check_attachments(value: Any, field: str = "attachments") -> dict[str, str] | None:
    """Up to the campaign limit of ``{"file name": "text content"}``."""
    if value in (None, {}):
        return None
    if not isinstance(value, Mapping):
        raise SendPulseInputError(f'{field}: expected {{"file name": "text content"}}.')
    if len(value) > MAX_CAMPAIGN_ATTACHMENTS:
        raise SendPulseInputError(f"{field}: at most {MAX_CAMPAIGN_ATTACHMENTS} files, got {len(value)}.")
    for file_name, content in value.items():
        if not isinstance(file_name, str) or not file_name.strip():
            raise SendPulseInputError(f"{field}: file names must be non-empty strings, got {file_name!r}.")
        if not isinstance(content, str):
            raise SendPulseInputError(f"{field}[{file_name!r}]: content must be text.")
    return dict(value)


def check_sms_sender(value: object, field: str = "sender") -> str:
    """An SMS sender name, at most :data:`MAX_SMS_SENDER_LENGTH` characters."""
    return check_text(value, field, MAX_SMS_SENDER_LENGTH)


def check_text(value: object, field: str, max_length: int | None = None) -> str:
    """A non-blank string, optionally bounded."""
    if not isinstance(value, str) or not value.strip():
        raise SendPulseInputError(f"{field}: must be a non-empty string.")
    if max_length is not None and len(value) > max_length:
        raise SendPulseInputError(f"{field}: at most {max_length} characters, got {len(value)}.")
    return value


def check_send_date(
    value: object,
    field: str = "send_date",
    now: datetime | None = None,
    zone: tzinfo | Callable[[], tzinfo] = UTC,
) -> datetime | None:
    """Return ``value`` as a datetime, refusing past or malformed dates.

    Naive datetimes and strings without an offset are read in the account's time zone ``zone`` (the
    connection's ``timezone``; a callable is asked only when a naive date needs it) and stay naive: the
    client sends them as they are. Aware ones are returned as given; the client converts them.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise SendPulseInputError(
                f"{field}: {value!r} is not a date; use 'YYYY-MM-DD HH:MM:SS' or ISO 8601."
            ) from None
    elif isinstance(value, date):
        raise SendPulseInputError(f"{field}: give a date and time, not only a date ({value.isoformat()}).")
    else:
        raise SendPulseInputError(f"{field}: expected a datetime or a string, got {type(value).__name__}.")
    current = now or datetime.now(UTC)
    shown = moment.strftime(SENDPULSE_DATETIME_FORMAT)
    if moment.tzinfo is None:
        # Past in every zone (UTC-12 is the latest clock on Earth): no need to read the connection.
        if moment.replace(tzinfo=UTC) + _LATEST_OFFSET <= current:
            raise SendPulseInputError(f"{field}: {shown} is in the past; give a future date.")
        account = zone() if callable(zone) else zone
        if moment.replace(tzinfo=account) <= current:
            raise SendPulseInputError(f"{field}: {shown} ({account}) is in the past; give a future date.")
        return moment
    if moment <= current:
        raise SendPulseInputError(f"{field}: {shown} ({moment.tzname()}) is in the past; give a future date.")
    return moment


_LATEST_OFFSET = timedelta(hours=12)


def check_variables(value: object, field: str) -> dict[str, Any]:
    """A mapping of variable name to a string, number or boolean."""
    if not isinstance(value, Mapping):
        raise SendPulseInputError(f"{field}: expected a mapping of variable name to value.")
    out: dict[str, Any] = {}
    for name, item in value.items():
        problem = variable_problem(name, item)
        if problem:
            raise SendPulseInputError(f"{field}: {problem}.")
        out[name] = _variable_value(item)
    return out


_VARIABLE_TYPES = (str, int, float, bool, date)
"""What a contact variable may hold (a tuple: building a ``X | Y`` union on every call costs more than
the check, once per cell of a million-row import)."""


def variable_problem(name: object, value: object) -> str | None:
    """Why a contact variable cannot be sent, or None."""
    if not isinstance(name, str) or not name.strip():
        return f"variable names must be non-empty strings, got {name!r}"
    if value is None or isinstance(value, _VARIABLE_TYPES):
        return None
    return f"variable {name!r} must be a string, number, boolean or date, got {type(value).__name__}"


def _variable_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime(SENDPULSE_DATETIME_FORMAT)
    if isinstance(value, date):
        return value.isoformat()
    return value


def clean_variables(values: Mapping[str, Any]) -> dict[str, Any]:
    """Drop empty values (an empty CSV cell means "not given") and render dates as SendPulse expects."""
    return {name: _variable_value(v) for name, v in values.items() if v is not None and v != ""}


def _summarise_problems(headline: str, problems: list[str], limit: int = 10) -> str:
    shown = "; ".join(problems[:limit])
    more = f"; and {len(problems) - limit} more" if len(problems) > limit else ""
    return f"{headline}: {shown}{more}."


# --- message bodies ------------------------------------------------------------------------------------

TEMPLATE_FILE_EXTENSIONS: tuple[str, ...] = (".html", ".htm", ".j2", ".jinja", ".jinja2")
"""A templated body ending in one of these is loaded as a Jinja template file (``.html.j2`` included)."""

HOW_TO_LOAD_A_BODY = (
    "A body that ends in "
    + ", ".join(TEMPLATE_FILE_EXTENSIONS)
    + " is read as a template file, relative to the DAG file's folder or to a folder in the DAG's "
    "template_searchpath; pass the file name that way, or pass the HTML itself (e.g. "
    "Path(...).read_text())."
)
_PATH_LIKE_RE = re.compile(r"[/\\].*\.[A-Za-z0-9]{1,8}$|^[\w.-]+\.(?:html?|j2|jinja2?|tpl|tmpl|txt|mjml)$")
_MAX_PATH_LENGTH = 255


def looks_like_path(text: str) -> bool:
    """True for a short, single-line string that reads as a file name rather than as a message body."""
    stripped = text.strip()
    if not stripped or len(stripped) > _MAX_PATH_LENGTH or "\n" in stripped or "<" in stripped:
        return False
    if " " in stripped and not stripped.lower().endswith(TEMPLATE_FILE_EXTENSIONS):
        return False
    return stripped.lower().endswith(TEMPLATE_FILE_EXTENSIONS) or bool(_PATH_LIKE_RE.search(stripped))


def check_body_html(value: object, field: str = "body_html") -> str:
    """The HTML body, refusing a file name that was not loaded (it would be sent as the literal text)."""
    body = check_text(value, field)
    if looks_like_path(body):
        raise SendPulseInputError(
            f"{field}: {body.strip()!r} looks like a file path, not HTML, and was not loaded as a template. "
            + HOW_TO_LOAD_A_BODY
        )
    return body
