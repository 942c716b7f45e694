"""Reading request arguments the way SendPulse does, with its validation wording.

Arguments come from the query string, a JSON body or a form body. Query strings and forms are read the
way PHP reads them (SendPulse's backend is PHP/Laravel): a repeated bare key keeps only its last value,
`key[]=a&key[]=b` and `key[0]=a&key[1]=b` are arrays, `key[sub]=v` is an object. Booleans follow
Laravel's `boolean` rule: true, false, 1, 0, "1" and "0"; the text "true" is refused. The official
Python client sends GET arguments as one raw JSON document in the query string and JSON-encodes list
arguments (`emails`, `phones`) a second time inside the body; both are accepted.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl, unquote

from starlette.requests import Request

from .errors import ApiError, invalid

_MISSING = object()


def query_args(request: Request) -> dict[str, Any]:
    """Query arguments; a raw JSON object as the whole query string is merged in."""
    raw = request.url.query
    if not raw:
        return {}
    decoded = unquote(raw).strip()
    if decoded.startswith("{"):
        try:
            data = json.loads(decoded)
        except ValueError:
            data = None
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v is not None}
    return php_parse(parse_qsl(raw, keep_blank_values=True))


_BRACKETS = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])+)$")


def php_parse(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Decoded `key=value` pairs into arguments, as PHP builds `$_GET` / `$_POST`.

    A bare key repeated keeps its last value; `key[]` appends to an array; `key[0]`, `key[1]` fill an
    array by index; `key[name]` makes an object; brackets nest (`a[b][]`). Indexed arrays come back as
    lists in index order.
    """
    args: dict[str, Any] = {}
    for key, value in pairs:
        match = _BRACKETS.match(key)
        if match is None:
            args[key] = value
            continue
        name, rest = match.group(1), match.group(2)
        parts = rest[1:-1].split("][")
        target: dict[str, Any] = args
        slot: str = name
        for part in parts:
            current = target.get(slot)
            if not isinstance(current, dict):
                current = {}
                target[slot] = current
            target = current
            slot = str(len(current)) if part == "" else part
        target[slot] = value
    return {k: _lists(v) for k, v in args.items()}


def _lists(value: Any) -> Any:
    """Objects whose keys are all 0..n-1 (PHP's indexed arrays) as lists, recursively."""
    if not isinstance(value, dict):
        return value
    items = {k: _lists(v) for k, v in value.items()}
    keys = list(items)
    if keys and all(k.isdigit() for k in keys) and sorted(int(k) for k in keys) == list(range(len(keys))):
        return [items[str(i)] for i in range(len(keys))]
    return items


async def body_args(request: Request) -> dict[str, Any]:
    """Body arguments from JSON or a form; anything unreadable counts as no arguments."""
    raw = await request.body()
    if not raw.strip():
        return {}
    content_type = request.headers.get("content-type", "")
    if "application/x-www-form-urlencoded" in content_type:
        return _form(raw)
    try:
        data = json.loads(raw)
    except ValueError:
        return _form(raw) if b"=" in raw and not raw.lstrip().startswith((b"{", b"[")) else {}
    return data if isinstance(data, dict) else {}


def _form(raw: bytes) -> dict[str, Any]:
    return php_parse(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))


def _missing(name: str) -> ApiError:
    return invalid(f"Argument {name} missing")


def get_int(
    args: dict[str, Any],
    name: str,
    *,
    default: Any = _MISSING,
    minimum: int | None = None,
    maximum: int | None = None,
) -> Any:
    """An integer argument (numeric strings allowed), range-checked in SendPulse's words."""
    value = args.get(name, _MISSING)
    if value is _MISSING or value is None or value == "":
        if default is _MISSING:
            raise _missing(name)
        return default
    if isinstance(value, bool):
        raise invalid(f"Argument {name} must be integer")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            raise invalid(f"Argument {name} must be integer") from None
    if not isinstance(value, int):
        raise invalid(f"Argument {name} must be integer")
    if minimum is not None and value < minimum:
        raise invalid(f"Argument {name} must be at least {minimum}")
    if maximum is not None and value > maximum:
        raise invalid(f"Argument {name} may not be greater than {maximum}")
    return value


def get_str(args: dict[str, Any], name: str, *, default: Any = _MISSING, allow_empty: bool = True) -> Any:
    """A string argument."""
    value = args.get(name, _MISSING)
    if value is _MISSING or value is None:
        if default is _MISSING:
            raise _missing(name)
        return default
    if not isinstance(value, str):
        raise invalid(f"Argument {name} must be string")
    if not allow_empty and not value.strip():
        raise _missing(name)
    return value


def get_bool(args: dict[str, Any], name: str, *, default: Any = None, wording: str = "is invalid") -> Any:
    """A boolean argument under Laravel's `boolean` rule: true, false, 1, 0, "1", "0".

    The text "true" or "false" (what a query string carries when a client writes a boolean as text)
    is refused, as SendPulse refuses it.
    """
    value = args.get(name, _MISSING)
    if value is _MISSING or value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value in ("1", "0"):
        return value == "1"
    raise invalid(f"Argument {name} {wording}")


def get_list(args: dict[str, Any], name: str, *, wording: str = "is invalid") -> list[Any]:
    """A list argument; a JSON-encoded list inside a string is decoded first."""
    value = args.get(name, _MISSING)
    if value is _MISSING or value is None:
        raise _missing(name)
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise invalid(f"Argument {name} {wording}") from None
    if not isinstance(value, list):
        raise invalid(f"Argument {name} {wording}")
    return value


def get_object(args: dict[str, Any], name: str) -> dict[str, Any] | None:
    """An optional object argument; a JSON-encoded object inside a string is decoded first."""
    value = args.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise invalid(f"Argument {name} is invalid") from None
    if isinstance(value, list) and not value:
        return {}
    if not isinstance(value, dict):
        raise invalid(f"Argument {name} is invalid")
    return value


def page_args(args: dict[str, Any], default_limit: int = 100) -> tuple[int, int]:
    """`limit` (1..100) and `offset` (>= 0); limit 0 means the default, as the official client sends it."""
    limit = get_int(args, "limit", default=default_limit, maximum=100)
    if limit == 0:
        limit = default_limit
    elif limit < 0:
        raise invalid("Argument limit must be at least 1")
    offset = get_int(args, "offset", default=0, minimum=0)
    return limit, offset


def get_order(args: dict[str, Any]) -> str:
    """`order`: asc (default) or desc."""
    value = args.get("order")
    if value is None or value == "":
        return "asc"
    if not isinstance(value, str):
        raise invalid("Argument order must be string")
    if value.lower() not in ("asc", "desc"):
        raise invalid("Argument order is invalid")
    return value.lower()


def path_int(value: str, error: ApiError) -> int:
    """A numeric path segment, or the route's not-found error."""
    try:
        number = int(value)
    except ValueError:
        raise error from None
    if number <= 0:
        raise error
    return number
