"""Iterate limit/offset pages one at a time, never holding a whole list."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, TypeVar

from airflow_provider_sendpulse.client.api import MAX_PAGE_SIZE, Call

if TYPE_CHECKING:
    from airflow_provider_sendpulse.client.async_client import AsyncSendPulseClient
    from airflow_provider_sendpulse.client.sync_client import SendPulseClient

T = TypeVar("T")

PageCall = Callable[[int, int], Call[list[T]]]
"""``make_call(limit, offset)``: builds the call for one page."""


def _check(page_size: int) -> None:
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}")


def iter_pages(
    client: SendPulseClient, make_call: PageCall[T], page_size: int = MAX_PAGE_SIZE
) -> Iterator[list[T]]:
    """Yield non-empty pages until a short page ends the list.

    Items added or removed while iterating can shift offsets (SendPulse has no cursors): an item
    may be seen twice or missed, as with any offset pagination.
    """
    _check(page_size)
    offset = 0
    while True:
        page = client.run(make_call(page_size, offset))
        if page:
            yield page
        if len(page) < page_size:
            return
        offset += len(page)


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
    _check(page_size)
    offset = 0
    while True:
        page = await client.run(make_call(page_size, offset))
        if page:
            yield page
        if len(page) < page_size:
            return
        offset += len(page)


async def aiter_items(
    client: AsyncSendPulseClient, make_call: PageCall[T], page_size: int = MAX_PAGE_SIZE
) -> AsyncIterator[T]:
    """Async :func:`iter_items`."""
    async for page in aiter_pages(client, make_call, page_size):
        for item in page:
            yield item
