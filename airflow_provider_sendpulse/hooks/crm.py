"""CRM work over a client: paged iterators, typed reads, and names resolved to ids.

:class:`SendPulseCrm` runs on the sync client (``SendPulseHook().crm``); :class:`AsyncSendPulseCrm` on the
async one (``AsyncSendPulseCrm(await hook.get_async_client())``, for triggers). Both page through
``limit``/``offset`` with the one :class:`~..client.pagination.Pager`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from airflow_provider_sendpulse.client import api
from airflow_provider_sendpulse.client.api import DealFilter
from airflow_provider_sendpulse.client.crm_models import CrmContact, Deal
from airflow_provider_sendpulse.client.errors import SendPulseNotFoundError
from airflow_provider_sendpulse.client.pagination import PageCall, aiter_items, iter_items

if TYPE_CHECKING:
    from airflow_provider_sendpulse.client.async_client import AsyncSendPulseClient
    from airflow_provider_sendpulse.client.sync_client import SendPulseClient


def contact_pages(
    filters: Mapping[str, Any] | None = None, sort_by: str | None = "id", direction: str = "asc"
) -> PageCall[dict[str, Any]]:
    """The page call of a contact walk (sorted by id unless told otherwise, so paging is stable)."""
    return lambda limit, offset: api.list_crm_contacts(
        limit, offset, filters=filters, sort_by=sort_by, direction=direction
    )


def deal_pages(
    filters: Sequence[DealFilter] = (),
    sort_by: str | None = "id",
    direction: str = "asc",
    pipeline_ids: Sequence[int] | None = None,
) -> PageCall[dict[str, Any]]:
    """The page call of a deal walk (sorted by id unless told otherwise, so paging is stable)."""
    return lambda limit, offset: api.list_deals(
        limit, offset, filters=filters, sort_by=sort_by, direction=direction, pipeline_ids=pipeline_ids
    )


def pick_step(
    pipelines: list[dict[str, Any]], pipeline: int | str, step: int | str | None
) -> tuple[int, int]:
    """``(pipeline_id, step_id)`` for a pipeline and a step each given by id or exact name.

    Without ``step`` the pipeline's first step. ValueError naming what was not found and what exists.
    """
    chosen = _pick(pipelines, pipeline, "pipeline")
    steps = sorted(chosen.get("steps") or [], key=lambda s: int(s.get("order") or 0))
    if not steps:
        raise ValueError(f"pipeline {chosen.get('name')!r} has no steps")
    if step is None:
        return int(chosen["id"]), int(steps[0]["id"])
    return int(chosen["id"]), int(_pick(steps, step, f"step of pipeline {chosen.get('name')!r}")["id"])


def _pick(items: list[dict[str, Any]], wanted: int | str, what: str) -> dict[str, Any]:
    text = str(wanted).strip()
    for item in items:
        if str(item.get("id")) == text or item.get("name") == wanted:
            return item
    known = ", ".join(f"{i.get('name')!r} ({i.get('id')})" for i in items[:20]) or "none"
    raise ValueError(f"no {what} with id or name {wanted!r}; known: {known}")


class SendPulseCrm:
    """CRM reads and lookups on a sync client."""

    def __init__(self, client: SendPulseClient) -> None:
        self.client = client

    def iter_contacts(
        self, filters: Mapping[str, Any] | None = None, sort_by: str | None = "id", direction: str = "asc"
    ) -> Iterator[CrmContact]:
        """Every contact matching ``filters`` (see :func:`~..client.api.crm.list_crm_contacts`), typed."""
        for item in iter_items(self.client, contact_pages(filters, sort_by, direction)):
            yield CrmContact.from_api(item)

    def iter_deals(
        self,
        filters: Sequence[DealFilter] = (),
        sort_by: str | None = "id",
        direction: str = "asc",
        pipeline_ids: Sequence[int] | None = None,
    ) -> Iterator[Deal]:
        """Every deal matching ``filters`` (``filter[]`` entries), typed."""
        for item in iter_items(self.client, deal_pages(filters, sort_by, direction, pipeline_ids)):
            yield Deal.from_api(item)

    def get_contact(self, contact_id: int) -> CrmContact:
        """One contact."""
        return CrmContact.from_api(self.client.run(api.get_crm_contact(contact_id)))

    def get_deal(self, deal_id: int) -> Deal:
        """One deal."""
        return Deal.from_api(self.client.run(api.get_deal(deal_id)))

    def deal_contacts(self, deal_id: int) -> list[CrmContact]:
        """The contacts linked to a deal."""
        return [CrmContact.from_api(c) for c in self.client.run(api.list_deal_contacts(deal_id))]

    def find_deal(self, pipeline_id: int, name: str) -> Deal | None:
        """The oldest deal named exactly ``name`` in the pipeline, deleted ones left out (one request)."""
        return self._oldest_live_deal(pipeline_id, DealFilter("name", "eq", name), "name", name)

    def find_deal_by_source(self, pipeline_id: int, source_id: int) -> Deal | None:
        """The oldest deal of the pipeline whose external ``sourceId`` is ``source_id``, deleted ones left out
        (one request: ``filter[]`` on ``sourceId``)."""
        wanted = int(source_id)
        return self._oldest_live_deal(pipeline_id, DealFilter("sourceId", "eq", wanted), "sourceId", wanted)

    def _oldest_live_deal(self, pipeline_id: int, match: DealFilter, key: str, value: Any) -> Deal | None:
        page = api.list_deals(filters=[match], pipeline_ids=[pipeline_id], sort_by="id")
        for item in self.client.run(page):
            if item.get(key) == value and item.get("status") != api.crm.DEAL_DELETED:
                return Deal.from_api(item)
        return None

    def pipelines(self) -> list[dict[str, Any]]:
        """Pipelines with their steps."""
        return self.client.run(api.list_pipelines())

    def users(self) -> list[dict[str, Any]]:
        """Team members (``responsibleId`` candidates)."""
        return self.client.run(api.list_crm_users())

    def resolve_step(self, pipeline: int | str, step: int | str | None = None) -> tuple[int, int]:
        """``(pipeline_id, step_id)`` from ids or names (see :func:`pick_step`)."""
        return pick_step(self.pipelines(), pipeline, step)

    def find_contact(
        self, *, email: str | None = None, phone: str | None = None, external_id: str | None = None
    ) -> CrmContact | None:
        """The contact with this external id, else this exact email, else this phone; None when none."""
        if external_id:
            try:
                return CrmContact.from_api(self.client.run(api.get_crm_contact_by_external_id(external_id)))
            except SendPulseNotFoundError:
                pass
        if email:
            found = self.client.run(api.find_crm_contacts_by_email(email))
            if found:
                return CrmContact.from_api(min(found, key=lambda c: int(c["id"])))
        if phone:
            digits = "".join(ch for ch in phone if ch.isdigit())
            for item in self.client.run(api.list_crm_contacts(filters={"phone": digits}, sort_by="id")):
                if digits in {"".join(ch for ch in p if ch.isdigit()) for p in _phones(item)}:
                    return CrmContact.from_api(item)
        return None


def _phones(item: Mapping[str, Any]) -> list[str]:
    return [str(p.get("phone")) for p in item.get("phones") or () if isinstance(p, Mapping)]


class AsyncSendPulseCrm:
    """CRM reads on an async client (for triggers and event-loop code)."""

    def __init__(self, client: AsyncSendPulseClient) -> None:
        self.client = client

    async def iter_contacts(
        self, filters: Mapping[str, Any] | None = None, sort_by: str | None = "id", direction: str = "asc"
    ) -> AsyncIterator[CrmContact]:
        """Async :meth:`SendPulseCrm.iter_contacts`."""
        async for item in aiter_items(self.client, contact_pages(filters, sort_by, direction)):
            yield CrmContact.from_api(item)

    async def iter_deals(
        self,
        filters: Sequence[DealFilter] = (),
        sort_by: str | None = "id",
        direction: str = "asc",
        pipeline_ids: Sequence[int] | None = None,
    ) -> AsyncIterator[Deal]:
        """Async :meth:`SendPulseCrm.iter_deals`."""
        async for item in aiter_items(self.client, deal_pages(filters, sort_by, direction, pipeline_ids)):
            yield Deal.from_api(item)

    async def get_deal(self, deal_id: int) -> Deal:
        """One deal."""
        return Deal.from_api(await self.client.run(api.get_deal(deal_id)))

    async def get_contact(self, contact_id: int) -> CrmContact:
        """One contact."""
        return CrmContact.from_api(await self.client.run(api.get_crm_contact(contact_id)))
