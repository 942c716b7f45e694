"""Campaign and SMS event sources over real HTTP: the emulator's answers parse as detection expects."""

from __future__ import annotations

import asyncio
from typing import Any

from tr_helpers import until_polled

from airflow_provider_sendpulse.client import api
from airflow_provider_sendpulse.client.models import CampaignSpec
from airflow_provider_sendpulse.emulator.control import EmulatorControl
from airflow_provider_sendpulse.events import drive, get_event_source
from airflow_provider_sendpulse.hooks.sendpulse import SendPulseHook
from airflow_provider_sendpulse.triggers.events import SendPulseEventTrigger


def campaign(hook: SendPulseHook, list_id: int, **extra: Any) -> int:
    spec = CampaignSpec(
        sender_name="Shop",
        sender_email="sender@example.com",
        subject="Hi",
        list_ids=[list_id],
        body_html="<p>Hi</p>",
        **extra,
    )
    return int(hook.run(api.create_campaign(spec))["id"])


def test_new_campaign_and_campaign_sent(emulator: EmulatorControl, fast_conn: str) -> None:
    emulator.configure(campaign_step_seconds=10)
    hook = SendPulseHook(fast_conn)
    client = hook.get_conn()
    list_id = emulator.create_list("buyers")
    emulator.seed_contacts(list_id, 5)
    old = campaign(hook, list_id)
    new_source = get_event_source("new_campaign")
    sent_source = get_event_source("campaign_sent")
    new_cursor = drive(client, new_source.poll(None, 10)).cursor
    sent_cursor = drive(client, sent_source.poll(None, 10)).cursor
    assert sent_cursor["pending"] == [old]

    fresh = campaign(hook, list_id, name="second")
    found = drive(client, new_source.poll(new_cursor, 10))
    assert [e["id"] for e in found.events] == [fresh]
    assert found.events[0]["name"] == "second"

    assert drive(client, sent_source.poll(sent_cursor, 10)).events == []
    emulator.advance_clock(120)
    sent = drive(client, sent_source.poll(sent_cursor, 10))
    assert [e["id"] for e in sent.events] == [old, fresh]
    assert {e["status"] for e in sent.events} == {3}


def test_new_sms_campaign(emulator: EmulatorControl, fast_conn: str) -> None:
    hook = SendPulseHook(fast_conn)
    client = hook.get_conn()
    source = get_event_source("new_sms_campaign")
    hook.send_sms("Shop", ["380931234567"], "old one", emulate=True)
    cursor = drive(client, source.poll(None, 10)).cursor
    first = hook.send_sms("Shop", ["380931234568"], "hello", emulate=True)["campaign_id"]
    second = hook.send_sms("Shop", ["380931234569"], "again", emulate=True)["campaign_id"]
    found = drive(client, source.poll(cursor, 10))
    assert [e["id"] for e in found.events] == [first, second]
    assert drive(client, source.poll(found.cursor, 10)).events == []


async def test_trigger_on_campaign_events(emulator: EmulatorControl, fast_conn: str) -> None:
    hook = SendPulseHook(fast_conn)
    list_id = emulator.create_list("buyers")
    emulator.seed_contacts(list_id, 5)
    trigger = SendPulseEventTrigger(
        event_type="new_campaign", sendpulse_conn_id=fast_conn, poll_interval=0.05
    )
    emulator.clear_requests()
    run = trigger.run()
    waiting = asyncio.ensure_future(run.__anext__())
    await until_polled(emulator)  # the first poll records the position
    cid = await asyncio.to_thread(campaign, hook, list_id)
    event = await asyncio.wait_for(waiting, 10)
    assert [e["id"] for e in event.payload["events"]] == [cid]
    await run.aclose()
