"""SendPulse errors: one base class and a few subclasses that callers can act on.

Messages carry the HTTP status, SendPulse's ``error_code`` and its short message, never a whole
response body (those can hold subscriber data) and never a credential.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

RATE_LIMIT_ERROR_CODE = 2020202020
"""SendPulse's error code for "more than 10 requests per second"."""

_NOT_FOUND_CODES = frozenset({8, 17, 31, 213, 290, 502, 602, 802})
_MAX_MESSAGE = 200


class SendPulseError(Exception):
    """Any failure talking to SendPulse.

    :param message: what went wrong, in words (SendPulse's own message when it sent one).
    :param status: HTTP status of the answer, if there was one.
    :param error_code: SendPulse's ``error_code`` from the answer, if any.
    """

    def __init__(self, message: str, status: int | None = None, error_code: int | None = None) -> None:
        self.message = message
        self.status = status
        self.error_code = error_code
        super().__init__(self._render())

    def _render(self) -> str:
        parts = [self.message]
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        if self.error_code is not None:
            parts.append(f"error_code {self.error_code}")
        return parts[0] if len(parts) == 1 else f"{parts[0]} ({', '.join(parts[1:])})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Subclasses take keyword-only arguments; rebuild from state so pickling round-trips.
        return (_restore, (type(self), self.args, dict(self.__dict__)))


def _restore(cls: type[SendPulseError], args: tuple[Any, ...], state: dict[str, Any]) -> SendPulseError:
    err = cls.__new__(cls)
    err.args = args
    err.__dict__.update(state)
    return err


class SendPulseAuthError(SendPulseError):
    """Credentials or token rejected (HTTP 401/403), or a freshly minted token was refused."""


class SendPulseNotFoundError(SendPulseError):
    """The list, contact, campaign or template does not exist (HTTP 404 or a not-found error code)."""


class SendPulseValidationError(SendPulseError):
    """SendPulse refused the request as invalid (HTTP 400/422); retrying will not help."""


class SendPulseRateLimitError(SendPulseError):
    """Too many requests (HTTP 429 or error code 2020202020); safe to retry after a pause.

    :param retry_after: seconds the server asked us to wait, when it said so.
    """

    def __init__(
        self,
        message: str,
        status: int | None = None,
        error_code: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, status, error_code)
        self.retry_after = retry_after


class SendPulseServerError(SendPulseError):
    """SendPulse failed on its side (HTTP 5xx)."""


class SendPulseConnectionError(SendPulseError):
    """The request did not get an answer: connection refused or dropped, or a timeout.

    :param request_sent: False only when the request certainly never reached the server
        (connection refused, connect timeout); True when the server may have processed it.
    """

    def __init__(self, message: str, *, request_sent: bool) -> None:
        super().__init__(message)
        self.request_sent = request_sent


class SendPulseTLSError(SendPulseConnectionError):
    """The TLS handshake failed (an untrusted certificate, a plain-http server): never retried.

    Nothing was sent: the handshake comes before the request.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message, request_sent=False)


class SendPulseAmbiguousCreateError(SendPulseError):
    """A create call failed in a way that leaves unknown whether SendPulse performed it.

    The call was not replayed (that could create a duplicate campaign or send an SMS twice).
    Look the object up (by name, for instance) before trying again.

    :param method: HTTP method of the create call.
    :param path: API path of the create call.
    """

    def __init__(self, message: str, *, method: str, path: str, status: int | None = None) -> None:
        super().__init__(message, status)
        self.method = method
        self.path = path


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        digits = text[1:] if text.startswith("-") else text
        # ASCII digits only ("²".isdigit() is true) and short enough for int() to accept.
        if digits.isascii() and digits.isdigit() and len(digits) <= 64:
            return int(text)
    return None


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"


def extract_message(body: Any) -> tuple[str | None, int | None]:
    """Pick SendPulse's message and error code out of an error answer, ignoring everything else."""
    if not isinstance(body, Mapping):
        return None, None
    code = _as_int(body.get("error_code"))
    for key in ("message", "error_description", "error"):
        value = body.get(key)
        if isinstance(value, str) and value.strip():
            return _short(value), code
    data = body.get("data")
    if isinstance(data, Mapping):
        inner_message, inner_code = extract_message(data)
        return inner_message, code if code is not None else inner_code
    return None, code


def error_from_response(
    status: int, body: Any, *, what: str, retry_after: float | None = None
) -> SendPulseError:
    """Map an unsuccessful answer to the matching error class.

    :param status: HTTP status code.
    :param body: the decoded JSON body, or None when it was not JSON.
    :param what: the call, e.g. ``"GET /addressbooks/7"``, named in the message.
    :param retry_after: the parsed ``Retry-After`` header, if any.
    """
    message, code = extract_message(body)
    text = f"SendPulse {what} failed: {message or _default_message(status)}"
    if status == 429 or code == RATE_LIMIT_ERROR_CODE:
        return SendPulseRateLimitError(text, status, code, retry_after=retry_after)
    if status in (401, 403):
        return SendPulseAuthError(text, status, code)
    if status >= 500:
        return SendPulseServerError(text, status, code)
    if status == 404 or code in _NOT_FOUND_CODES:
        return SendPulseNotFoundError(text, status, code)
    if status in (400, 422):
        return SendPulseValidationError(text, status, code)
    return SendPulseError(text, status, code)


def _default_message(status: int) -> str:
    if status == 200:
        return "the answer reports a failure"
    if status >= 500:
        return "server error"
    return "request refused"
