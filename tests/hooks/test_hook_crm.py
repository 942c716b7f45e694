"""CRM endpoints through the hook and the async client, over real HTTP to the emulator."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from airflow_provider_sendpulse.client import api
from airflow_provider_sendpulse.client.api import DealFilter
from airflow_provider_sendpulse.client.crm_models import Deal
from airflow_provider_sendpulse.client.errors import SendPulseValidationError
from airflow_provider_sendpulse.hooks.crm import AsyncSendPulseCrm, pick_step
from airflow_provider_sendpulse.hooks.sendpulse import SendPulseHook


@pytest.fixture
def hook(sendpulse_conn: str) -> SendPulseHook:
    return SendPulseHook(sendpulse_conn)


@pytest.fixture
def funnel(emulator):
    pipeline = emulator.add_pipeline("Sales", ["New", "Offer", "Closing"])
    return int(pipeline["id"]), [int(s["id"]) for s in pipeline["steps"]]


def test_contact_lifecycle(hook, emulator):
    owner = hook.crm.users()[0]["id"]
    created = hook.run(api.create_crm_contact(owner, "Ada", "Lovelace", external_id="wh-1"))
    contact_id = int(created["id"])
    hook.run(api.add_crm_contact_emails(contact_id, ["ada@example.com"], main="ada@example.com"))
    hook.run(api.add_crm_contact_phone(contact_id, "380501234567"))
    hook.run(api.update_crm_contact(contact_id, owner, first_name="Augusta"))
    hook.run(api.add_crm_contact_comment(contact_id, "met at the fair"))

    found = hook.crm.find_contact(external_id="wh-1")
    assert found is not None
    assert found.id == contact_id
    assert found.first_name == "Augusta"
    assert found.emails == ["ada@example.com"]
    assert found.phones == ["380501234567"]
    by_email = hook.crm.find_contact(email="ada@example.com")
    assert by_email is not None
    assert by_email.id == contact_id
    by_phone = hook.crm.find_contact(phone="+380 50 123 45 67")
    assert by_phone is not None
    assert by_phone.id == contact_id
    assert hook.crm.find_contact(email="nobody@example.com", external_id="nope") is None


def test_contact_attributes(hook, emulator):
    emulator.add_crm_contacts([{"first_name": "Bo", "attributes": {"City": "Kyiv"}}])
    attributes = hook.run(api.list_crm_contact_attributes())
    city = next(a for a in attributes if a["name"] == "City")
    contact = next(hook.crm.iter_contacts())
    hook.run(api.set_crm_contact_attributes(contact.id, {city["id"]: "Lviv"}))
    assert hook.crm.get_contact(contact.id).attributes == {"City": "Lviv"}


def test_iter_contacts_pages_and_filters_by_day(hook, emulator):
    emulator.seed_crm_contacts(230)
    today = datetime.fromtimestamp(emulator.now(), UTC).date()
    contacts = list(hook.crm.iter_contacts({"from": today}))
    assert len(contacts) == 230
    assert len({c.id for c in contacts}) == 230
    assert list(hook.crm.iter_contacts({"to": today - timedelta(days=1)})) == []


def test_contact_day_filter_refuses_a_time():
    with pytest.raises(ValueError, match=r"updateFrom.*YYYY-MM-DD"):
        api.list_crm_contacts(filters={"updateFrom": "2026-01-01 10:00"})


def test_deal_lifecycle(hook, emulator, funnel):
    pipeline_id, steps = funnel
    contact_id = emulator.seed_crm_contacts(1)[0]
    deal = Deal.from_api(
        hook.run(api.create_deal(pipeline_id, steps[0], name="Big", price=100, contact_ids=[contact_id]))
    )
    assert (deal.pipeline_id, deal.step_id, deal.status) == (pipeline_id, steps[0], api.crm.DEAL_ACTIVE)
    emulator.advance_clock(5)
    moved = Deal.from_api(hook.run(api.change_deal_pipeline(deal.id, pipeline_id, steps[1])))
    assert moved.step_id == steps[1]
    emulator.advance_clock(5)
    won = Deal.from_api(
        hook.run(
            api.update_deal(
                deal.id, pipeline_id=pipeline_id, step_id=steps[2], status=3, name="Big", price=120
            )
        )
    )
    assert won.won
    assert won.price == 120
    hook.run(api.add_deal_comment(deal.id, "signed"))
    assert [c["eventData"]["text"] for c in hook.run(api.list_deal_comments(deal.id))] == ["signed"]
    assert [c["id"] for c in hook.run(api.list_deal_contacts(deal.id))] == [contact_id]
    assert moved.updated_at is not None
    assert won.updated_at is not None
    history = hook.run(api.deal_history(deal.id, deal.created_at or won.updated_at, won.updated_at))
    changed = [d["field"] for entry in history for d in entry["eventData"]]
    assert "stepId" in changed
    assert "status" in changed


def test_iter_deals_with_filters(hook, emulator, funnel):
    pipeline_id, steps = funnel
    start = emulator.now()
    emulator.seed_deals(150, pipeline_id, steps[0])
    emulator.advance_clock(10)
    later = emulator.seed_deals(3, pipeline_id, steps[1], prefix="Late")
    since = datetime.fromtimestamp(start + 5, UTC)
    recent = list(hook.crm.iter_deals([DealFilter("createdAt", "gte", since)], sort_by="createdAt"))
    assert [d.id for d in recent] == later
    assert len(list(hook.crm.iter_deals([DealFilter("stepId", "eq", steps[0])]))) == 150


def test_deal_filter_refuses_an_unknown_expression():
    with pytest.raises(ValueError, match="expression must be one of"):
        DealFilter("price", "bigger", 1)


def test_update_deal_needs_a_known_status():
    with pytest.raises(ValueError, match="status must be"):
        api.update_deal(1, pipeline_id=1, step_id=1, status=7, name="x", price=0)


def test_create_deal_in_a_foreign_step_is_refused(hook, emulator, funnel):
    pipeline_id, _ = funnel
    other = emulator.add_pipeline("Other", ["A"])
    with pytest.raises(SendPulseValidationError, match="stepId"):
        hook.run(api.create_deal(pipeline_id, int(other["steps"][0]["id"])))


def test_find_deal_by_source_skips_deleted_deals_and_other_pipelines(hook, emulator, funnel):
    pipeline_id, steps = funnel
    other = emulator.add_pipeline("Other", ["A"])
    deleted, live, elsewhere = emulator.add_deals(
        [
            {"pipeline_id": pipeline_id, "step_id": steps[0], "name": "Old", "source_id": 77},
            {"pipeline_id": pipeline_id, "step_id": steps[1], "name": "Live", "source_id": 77},
            {"pipeline_id": other["id"], "step_id": other["steps"][0]["id"], "source_id": 78},
        ]
    )
    emulator.update_deal(deleted, status=0)
    found = hook.crm.find_deal_by_source(pipeline_id, 77)
    assert found is not None
    assert (found.id, found.name, found.source_id) == (live, "Live", 77)
    assert hook.crm.find_deal_by_source(pipeline_id, 78) is None
    other_found = hook.crm.find_deal_by_source(int(other["id"]), 78)
    assert other_found is not None
    assert other_found.id == elsewhere


def test_resolve_step_by_names_and_ids(hook, funnel):
    pipeline_id, steps = funnel
    assert hook.crm.resolve_step("Sales", "Offer") == (pipeline_id, steps[1])
    assert hook.crm.resolve_step(pipeline_id) == (pipeline_id, steps[0])
    assert hook.crm.resolve_step(str(pipeline_id), steps[2]) == (pipeline_id, steps[2])
    with pytest.raises(ValueError, match="no step of pipeline 'Sales' with id or name 'Lost'; known: 'New'"):
        pick_step(hook.crm.pipelines(), "Sales", "Lost")
    with pytest.raises(ValueError, match="no pipeline with id or name 'Nope'"):
        hook.crm.resolve_step("Nope")
    assert [s["id"] for s in hook.run(api.list_pipeline_steps(pipeline_id))] == steps


def test_async_crm_iterates_deals(hook, emulator, funnel):
    pipeline_id, steps = funnel
    ids = emulator.seed_deals(120, pipeline_id, steps[0])

    async def read() -> list[int]:
        async with await hook.get_async_client() as client:
            crm = AsyncSendPulseCrm(client)
            found = [d.id async for d in crm.iter_deals()]
            one = await crm.get_deal(ids[0])
            assert one.id == ids[0]
            return found

    assert asyncio.run(read()) == ids
