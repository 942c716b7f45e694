"""SendPulseEventSensor with chatbot_incoming_message against the emulator."""

from __future__ import annotations

import json
from typing import Any

from airflow.providers.common.compat.sdk import PokeReturnValue
from se_helpers import make_context

from airflow_provider_sendpulse.emulator.control import EmulatorControl
from airflow_provider_sendpulse.sensors.events import SendPulseEventSensor


def test_poke_mode_delivers_each_incoming_message_once(
    emulator: EmulatorControl, sendpulse_conn: str, variables: dict[str, Any]
) -> None:
    bot = emulator.add_bot("whatsapp")
    ann, bob = emulator.add_chat_contacts(bot, ["Ann", "Bob"], ["380501112233", "380501112234"], write="hi")
    sensor = SendPulseEventSensor(
        task_id="inbox",
        event_type="chatbot_incoming_message",
        event_params={"bot_id": bot},
        deferrable=False,
        mode="reschedule",
    )
    assert sensor.poke(make_context()) is False  # records the position
    emulator.contact_writes(bob, "Is my parcel on its way?")
    emulator.contact_writes(ann, "Thanks!")
    done = sensor.poke(make_context())
    assert isinstance(done, PokeReturnValue)
    assert [(e["contact_id"], e["text"]) for e in done.xcom_value] == [
        (bob, "Is my parcel on its way?"),
        (ann, "Thanks!"),
    ]
    assert sensor.poke(make_context("manual__2")) is False  # the next run: nothing new
    stored = json.dumps(list(variables.values()), default=str)
    for private in ("parcel", "Ann", "380501112233"):
        assert private not in stored
