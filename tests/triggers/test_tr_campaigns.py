"""SendPulseCampaignTrigger against the emulator's campaign life cycle."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from airflow_provider_sendpulse.client import api
from airflow_provider_sendpulse.client.models import CampaignSpec
from airflow_provider_sendpulse.emulator.control import EmulatorControl
from airflow_provider_sendpulse.hooks.sendpulse import SendPulseHook
from airflow_provider_sendpulse.triggers.campaigns import SendPulseCampaignTrigger


def create_campaign(conn: str, list_id: int, **extra: Any) -> int:
    spec = CampaignSpec(
        sender_name="Shop",
        sender_email="sender@example.com",
        subject="Hello",
        list_ids=[list_id],
        body_html="<p>Hi</p>",
        **extra,
    )
    return int(SendPulseHook(conn).run(api.create_campaign(spec))["id"])


async def first_event(trigger: SendPulseCampaignTrigger, wait: float = 15.0) -> dict[str, Any]:
    event = await asyncio.wait_for(trigger.run().__anext__(), wait)
    payload: dict[str, Any] = event.payload
    return payload


def test_serialize_round_trip() -> None:
    trigger = SendPulseCampaignTrigger(campaign_id="17", poll_interval=30, deadline=1_900_000_000)  # type: ignore[arg-type]
    classpath, kwargs = trigger.serialize()
    assert classpath == "airflow_provider_sendpulse.triggers.campaigns.SendPulseCampaignTrigger"
    assert kwargs["campaign_id"] == 17
    json.dumps(kwargs)
    assert SendPulseCampaignTrigger(**kwargs).serialize() == (classpath, kwargs)


async def test_waits_until_sent_and_returns_statistics(emulator: EmulatorControl, fast_conn: str) -> None:
    emulator.configure(campaign_step_seconds=0.3)
    list_id = emulator.create_list("buyers")
    emulator.seed_contacts(list_id, 20)
    cid = create_campaign(fast_conn, list_id)
    trigger = SendPulseCampaignTrigger(campaign_id=cid, sendpulse_conn_id=fast_conn, poll_interval=0.1)
    event = await asyncio.wait_for(trigger.run().__anext__(), 30)
    payload = event.payload
    assert payload["status"] == "sent"
    assert payload["campaign_status"] == 3
    assert payload["campaign"]["statistics"]
    # No HTML body in the event (it is stored and logged), and a log line of ids and counts only.
    assert "body" not in payload["campaign"]["message"]
    assert payload["campaign"]["message"]["subject"]
    text = repr(event)
    assert text == str(event)
    assert f"campaign_id={cid}" in text
    assert "campaign=<" in text
    assert "<html" not in text.lower()
    assert "statistics" not in text
    assert len([r for r in emulator.requests() if r["path"] == f"/campaigns/{cid}"]) >= 2


async def test_canceled_campaign_is_a_failure(emulator: EmulatorControl, fast_conn: str) -> None:
    emulator.configure(campaign_step_seconds=30)
    list_id = emulator.create_list("buyers")
    emulator.seed_contacts(list_id, 5)
    cid = create_campaign(fast_conn, list_id, send_date="2099-01-01 00:00:00")
    SendPulseHook(fast_conn).run(api.cancel_campaign(cid))
    payload = await first_event(SendPulseCampaignTrigger(campaign_id=cid, sendpulse_conn_id=fast_conn))
    assert payload["status"] == "failed"
    assert payload["campaign_status"] == 16
    assert "canceled" in payload["message"]


async def test_no_active_addresses_is_a_failure(emulator: EmulatorControl, fast_conn: str) -> None:
    emulator.configure(campaign_step_seconds=0.1)
    list_id = emulator.create_list("empty")
    cid = create_campaign(fast_conn, list_id)
    payload = await first_event(
        SendPulseCampaignTrigger(campaign_id=cid, sendpulse_conn_id=fast_conn, poll_interval=0.1)
    )
    assert payload["status"] == "failed"
    assert payload["campaign_status"] == 12


async def test_deadline_and_errors(emulator: EmulatorControl, fast_conn: str) -> None:
    emulator.configure(campaign_step_seconds=60)
    list_id = emulator.create_list("slow")
    emulator.seed_contacts(list_id, 5)
    cid = create_campaign(fast_conn, list_id)
    slow = SendPulseCampaignTrigger(
        campaign_id=cid, sendpulse_conn_id=fast_conn, poll_interval=0.1, deadline=time.time() + 0.5
    )
    assert (await first_event(slow))["status"] == "timeout"
    missing = await first_event(SendPulseCampaignTrigger(campaign_id=123, sendpulse_conn_id=fast_conn))
    assert missing["status"] == "error"
