"""SendPulseCampaignSensor and campaign_result against the emulator's campaign life cycle."""

from __future__ import annotations

from typing import Any

import pytest
from airflow.providers.common.compat.sdk import (
    AirflowException,
    AirflowFailException,
    AirflowSensorTimeout,
    AirflowSkipException,
    TaskDeferred,
)
from se_helpers import make_context

from airflow_provider_sendpulse.client import api
from airflow_provider_sendpulse.client.models import CampaignSpec
from airflow_provider_sendpulse.emulator.control import EmulatorControl
from airflow_provider_sendpulse.hooks.sendpulse import SendPulseHook
from airflow_provider_sendpulse.sensors.campaigns import SendPulseCampaignSensor
from airflow_provider_sendpulse.triggers.campaigns import SendPulseCampaignTrigger
from airflow_provider_sendpulse.waiting.campaigns import campaign_result


def create_campaign(emulator: EmulatorControl, contacts: int = 10, **extra: Any) -> int:
    list_id = emulator.create_list("buyers")
    if contacts:
        emulator.seed_contacts(list_id, contacts)
    spec = CampaignSpec(
        sender_name="Shop",
        sender_email="sender@example.com",
        subject="Hi",
        list_ids=[list_id],
        body_html="<p>Hi</p>",
        **extra,
    )
    return int(SendPulseHook().run(api.create_campaign(spec))["id"])


def test_defers_on_the_campaign_trigger_then_returns_status_and_statistics(
    emulator: EmulatorControl, sendpulse_conn: str
) -> None:
    emulator.configure(campaign_step_seconds=60)
    cid = create_campaign(emulator)
    sensor = SendPulseCampaignSensor(task_id="wait", campaign_id=cid, deferrable=True, timeout=900)
    with pytest.raises(TaskDeferred) as deferred:
        sensor.execute(make_context())
    trigger = deferred.value.trigger
    assert isinstance(trigger, SendPulseCampaignTrigger)
    assert trigger.serialize()[1]["campaign_id"] == cid
    emulator.advance_clock(600)
    campaign = SendPulseHook().run(api.get_campaign(cid))
    result = sensor.execute_complete(
        make_context(), {"status": "sent", "campaign_id": cid, "campaign_status": 3, "campaign": campaign}
    )
    assert result["status"] == 3
    assert result["status_name"] == "sent"
    assert result["statistics"]


def test_already_sent_returns_at_once(emulator: EmulatorControl, sendpulse_conn: str) -> None:
    emulator.configure(campaign_step_seconds=1)
    cid = create_campaign(emulator)
    emulator.advance_clock(60)
    result = SendPulseCampaignSensor(task_id="wait", campaign_id=str(cid)).execute(make_context())
    assert result["campaign_id"] == cid
    assert result["status"] == 3


def test_canceled_campaign_fails_clearly_or_skips_with_soft_fail(
    emulator: EmulatorControl, sendpulse_conn: str
) -> None:
    cid = create_campaign(emulator, send_date="2099-01-01 00:00:00")
    SendPulseHook().run(api.cancel_campaign(cid))
    with pytest.raises(AirflowFailException, match="canceled by user"):
        SendPulseCampaignSensor(task_id="wait", campaign_id=cid, deferrable=True).execute(make_context())
    with pytest.raises(AirflowSkipException):
        SendPulseCampaignSensor(task_id="wait", campaign_id=cid, deferrable=True, soft_fail=True).execute(
            make_context()
        )
    poking = SendPulseCampaignSensor(task_id="wait", campaign_id=cid, deferrable=False, soft_fail=True)
    with pytest.raises(AirflowSkipException):
        poking.execute(make_context())


def test_poke_mode_waits_then_succeeds(emulator: EmulatorControl, sendpulse_conn: str) -> None:
    emulator.configure(campaign_step_seconds=0.3)
    cid = create_campaign(emulator)
    sensor = SendPulseCampaignSensor(
        task_id="wait", campaign_id=cid, deferrable=False, poke_interval=0.2, timeout=30
    )
    assert sensor.execute(make_context())["status"] == 3


def test_campaign_result_outcomes() -> None:
    with pytest.raises(AirflowFailException, match="no active addresses"):
        campaign_result(
            {
                "status": "failed",
                "campaign_id": 5,
                "campaign_status": 12,
                "status_name": "no active addresses",
            }
        )
    with pytest.raises(AirflowSensorTimeout):
        campaign_result({"status": "timeout", "campaign_id": 5})
    with pytest.raises(AirflowException, match="boom"):
        campaign_result({"status": "error", "campaign_id": 5, "message": "boom"})
    with pytest.raises(ValueError, match="campaign_id"):
        SendPulseCampaignSensor(task_id="w", campaign_id="abc").poke(make_context())


def test_one_hook_per_task_not_per_poke(emulator: EmulatorControl, sendpulse_conn: str) -> None:
    emulator.configure(campaign_step_seconds=60)
    cid = create_campaign(emulator)
    sensor = SendPulseCampaignSensor(task_id="wait", campaign_id=cid, deferrable=False)
    assert sensor.poke(make_context()) is False
    hook = sensor.hook
    assert sensor.poke(make_context()) is False
    assert sensor.hook is hook
