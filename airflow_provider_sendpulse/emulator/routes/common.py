"""Helpers shared by the route modules."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from starlette.requests import Request

from ..errors import book_not_found
from ..params import path_int

if TYPE_CHECKING:
    from ..app import Emulator
    from ..state import MailingList


def emulator_of(request: Request) -> Emulator:
    """The emulator serving this request."""
    return cast("Emulator", request.app.state.emulator)


def find_book(emulator: Emulator, raw_id: Any) -> MailingList:
    """The mailing list with this id, or SendPulse's 404 `Book not found` (213)."""
    list_id = raw_id if isinstance(raw_id, int) and not isinstance(raw_id, bool) else None
    if list_id is None:
        list_id = path_int(str(raw_id), book_not_found())
    book = emulator.state.lists.get(list_id)
    if book is None:
        raise book_not_found()
    return book
