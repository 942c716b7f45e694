"""The shape of one API call, and the limits every endpoint shares."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from airflow_provider_sendpulse.client.errors import SendPulseError
from airflow_provider_sendpulse.client.limits import MAX_PAGE_SIZE as MAX_PAGE_SIZE

T = TypeVar("T")

MAX_EMAILS_PER_CALL = 100
"""Most emails one delete or unsubscribe call takes."""

TOKEN_PATH = "/oauth/access_token"  # noqa: S105 (a path, not a secret)


@dataclass(frozen=True)
class Call(Generic[T]):
    """One API call: method, path, query, JSON body, and how to read a successful answer.

    ``is_create`` marks calls that are not safe to replay: after a timeout, dropped connection or
    5xx the client raises :class:`~.errors.SendPulseAmbiguousCreateError` instead of retrying.

    ``settled_by`` lists errors that, when they answer a replay of a call whose earlier attempt may
    have gone through (its answer was lost), mean that attempt did the work: a replayed delete that
    finds nothing to delete has succeeded. The call then returns ``parse(None)``.
    """

    method: str
    path: str
    params: dict[str, Any] | None
    json: Any | None
    parse: Callable[[Any], T]
    is_create: bool = False
    settled_by: tuple[type[SendPulseError], ...] = ()

    def describe(self) -> str:
        """``"METHOD /path"``, for messages and logs (never the body)."""
        return f"{self.method} {self.path}"
