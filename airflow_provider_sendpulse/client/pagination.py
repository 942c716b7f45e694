"""Iterate limit/offset pages one at a time, never holding a whole list.

:class:`Pager` is the one description of SendPulse's paging (which call comes next, when a short page
ends the list); :func:`iter_pages` and :func:`aiter_pages` only run its calls.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Generic, TypeVar

from airflow_provider_sendpulse.client.api import MAX_PAGE_SIZE, Call

if TYPE_CHECKING:
    from airflow_provider_sendpulse.client.async_client import AsyncSendPulseClient
    from airflow_provider_sendpulse.client.sync_client import SendPulseClient

T = TypeVar("T")

PageCall = Callable[[int, int], Call[list[T]]]
"""``make_call(limit, offset)``: builds the call for one page."""


class Pager(Generic[T]):
    """Where a limit/offset walk stands: the next page's call, and whether the list has ended.

    Items added or removed while iterating can shift offsets (SendPulse has no cursors): an item
    may be seen twice or missed, as with any offset pagination.
    """

    def __init__(self, make_call: PageCall[T], page_size: int = MAX_PAGE_SIZE) -> None:
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}")
        self._make_call = make_call
        self.page_size = page_size
        self.offset = 0
        self.done = False

    def call(self) -> Call[list[T]]:
        """The call for the next page."""
        return self._make_call(self.page_size, self.offset)

    def take(self, page: list[T]) -> list[T]:
        """Record the answer to :meth:`call` and return it; a short page ends the list."""
        self.done = len(page) < self.page_size
        self.offset += len(page)
        return page


def iter_pages(
    client: SendPulseClient, make_call: PageCall[T], page_size: int = MAX_PAGE_SIZE
) -> Iterator[list[T]]:
    """Yield non-empty pages until a short page ends the list (see :class:`Pager`)."""
    pager = Pager(make_call, page_size)
    while not pager.done:
        if page := pager.take(client.run(pager.call())):
            yield page


def iter_items(
    client: SendPulseClient, make_call: PageCall[T], page_size: int = MAX_PAGE_SIZE
) -> Iterator[T]:
    """Yield items one by one across pages."""
    for page in iter_pages(client, make_call, page_size):
        yield from page


async def aiter_pages(
    client: AsyncSendPulseClient, make_call: PageCall[T], page_size: int = MAX_PAGE_SIZE
) -> AsyncIterator[list[T]]:
    """Async :func:`iter_pages`."""
    pager = Pager(make_call, page_size)
    while not pager.done:
        if page := pager.take(await client.run(pager.call())):
            yield page


async def aiter_items(
    client: AsyncSendPulseClient, make_call: PageCall[T], page_size: int = MAX_PAGE_SIZE
) -> AsyncIterator[T]:
    """Async :func:`iter_items`."""
    async for page in aiter_pages(client, make_call, page_size):
        for item in page:
            yield item
