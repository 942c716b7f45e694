"""``deferrable`` defaults to ``[operators] default_deferrable``, as in Airflow's own providers."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

PROBE = """
import json
from airflow_provider_sendpulse.operators.campaigns import SendPulseCreateCampaignOperator
from airflow_provider_sendpulse.sensors.campaigns import SendPulseCampaignSensor
from airflow_provider_sendpulse.sensors.events import SendPulseEventSensor

print(json.dumps([
    SendPulseEventSensor(task_id="e", event_type="new_campaign").deferrable,
    SendPulseCampaignSensor(task_id="c", campaign_id=1).deferrable,
    SendPulseCreateCampaignOperator(
        task_id="o", sender_name="S", sender_email="s@example.com", subject="Hi", body_html="<p>x</p>",
        list_ids=[1], wait_for_completion=True,
    ).deferrable,
]))
"""


@pytest.mark.parametrize("configured", [None, "True", "False"])
def test_deferrable_follows_the_configuration(configured: str | None) -> None:
    env = {k: v for k, v in os.environ.items() if k != "AIRFLOW__OPERATORS__DEFAULT_DEFERRABLE"}
    if configured is not None:
        env["AIRFLOW__OPERATORS__DEFAULT_DEFERRABLE"] = configured
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True, timeout=120
    )
    expected = configured == "True"
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [expected] * 3
