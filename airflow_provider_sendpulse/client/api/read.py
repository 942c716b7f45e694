"""Readers of answers and checks of values shared by the endpoint modules."""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote

from airflow_provider_sendpulse.client.api.call import MAX_EMAILS_PER_CALL, MAX_PAGE_SIZE
from airflow_provider_sendpulse.client.errors import (
    SendPulseError,
    SendPulseNotFoundError,
)


def as_is(body: Any) -> Any:
    """The answer as decoded."""
    return body


def nothing(body: Any) -> None:
    """Ignore the answer (the call returns None)."""
    return None


def as_list(body: Any) -> list[dict[str, Any]]:
    """The list in the answer (bare, or under ``data``/``list``/``items``)."""
    if body is None:
        return []
    if isinstance(body, list):
        return body
    if isinstance(body, dict):
        for key in ("data", "list", "items"):
            if isinstance(body.get(key), list):
                return list(body[key])
    raise SendPulseError(f"expected a list in the answer, got {type(body).__name__}")


def as_dict(body: Any) -> dict[str, Any]:
    """The answer, which must be an object."""
    if isinstance(body, dict):
        return body
    raise SendPulseError(f"expected an object in the answer, got {type(body).__name__}")


def first_item(what: str) -> Callable[[Any], dict[str, Any]]:
    """A reader for one object answered bare or as the first item of a list."""

    def read(body: Any) -> dict[str, Any]:
        if isinstance(body, dict):
            return body
        if isinstance(body, list) and body and isinstance(body[0], dict):
            return dict(body[0])
        raise SendPulseNotFoundError(f"SendPulse returned no {what}")

    return read


def int_field(key: str) -> Callable[[Any], int]:
    """A reader for the integer ``key`` of an object answer."""

    def read(body: Any) -> int:
        value = as_dict(body).get(key)
        try:
            return int(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise SendPulseError(f"answer has no integer {key!r}") from None

    return read


def without_result(body: Any) -> dict[str, Any]:
    """The answer object without its ``result`` flag."""
    return {k: v for k, v in as_dict(body).items() if k != "result"}


def page_params(limit: int, offset: int) -> dict[str, Any]:
    """The ``limit``/``offset`` query of one page, checked."""
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValueError(f"limit must be between 1 and {MAX_PAGE_SIZE}, got {limit}")
    if offset < 0:
        raise ValueError(f"offset must not be negative, got {offset}")
    return {"limit": limit, "offset": offset}


def checked_emails(emails: Sequence[str]) -> list[str]:
    """Stripped emails, at least one and at most :data:`MAX_EMAILS_PER_CALL`."""
    items = [e.strip() for e in emails]
    if not items:
        raise ValueError("no email addresses given")
    if len(items) > MAX_EMAILS_PER_CALL:
        raise ValueError(f"at most {MAX_EMAILS_PER_CALL} emails per call, got {len(items)}")
    return items


def path_segment(value: str | int) -> str:
    """``value`` quoted for use as one URL path segment (``@`` kept)."""
    return quote(str(value), safe="@")


def base64_html(html: str) -> str:
    """HTML as SendPulse takes it in template and campaign bodies: base64."""
    return base64.b64encode(html.encode()).decode("ascii")
