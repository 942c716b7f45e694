"""SendPulse's error envelope and the exception routes raise to produce it."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse


class ApiError(Exception):
    """An answer in SendPulse's `{"message", "error_code"}` envelope."""

    def __init__(self, status: int, message: str, error_code: int | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.error_code = status if error_code is None else error_code
        self.extra = extra

    def body(self) -> dict[str, Any]:
        """The JSON body SendPulse sends for this error."""
        return {**self.extra, "message": self.message, "error_code": self.error_code}

    def response(self) -> JSONResponse:
        """A ready-to-send response."""
        return JSONResponse(self.body(), status_code=self.status)


def invalid(message: str, error_code: int = 422) -> ApiError:
    """HTTP 422 validation error in SendPulse's wording."""
    return ApiError(422, message, error_code)


def book_not_found() -> ApiError:
    """The answer for an unknown mailing list."""
    return ApiError(404, "Book not found", 213)


def campaign_not_found() -> ApiError:
    """The answer for an unknown email campaign."""
    return ApiError(404, "Campaign not found", 802)


def unauthorized() -> ApiError:
    """The answer for a missing, unknown or expired token."""
    return ApiError(401, "Unauthorized!", 401)
