"""chatbot_incoming_message in the trigger: every inbound message once across triggerer restarts, lost
batches and failing requests; and in an asset watcher."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from typing import Any

from airflow.sdk import DAG, Asset, AssetWatcher
from airflow.serialization import serialized_objects
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tr_helpers import DeferredSensor, until_polled

from airflow_provider_sendpulse.emulator.control import EmulatorControl
from airflow_provider_sendpulse.events import drive, get_event_source
from airflow_provider_sendpulse.hooks.sendpulse import SendPulseHook
from airflow_provider_sendpulse.triggers.events import SendPulseEventTrigger

TYPE = "chatbot_incoming_message"

steps = st.lists(
    st.one_of(
        st.tuples(st.just("write"), st.integers(1, 12)),  # contacts write this many messages
        st.tuples(st.just("take"), st.just(0)),  # deliver the next batch and commit its cursor
        st.tuples(st.just("crash"), st.just(0)),  # take a batch, die before committing it
        st.tuples(st.just("restart"), st.just(0)),  # triggerer restart: same kwargs again
        st.tuples(st.just("fault"), st.integers(1, 3)),  # the next message reads answer HTTP 500
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=steps, max_events=st.integers(1, 8))
def test_every_inbound_message_is_delivered_once(
    emulator: EmulatorControl, fast_conn: str, plan: list[tuple[str, int]], max_events: int
) -> None:
    bot = emulator.add_bot("telegram")
    contacts = emulator.add_chat_contacts(bot, count=6, write="before")
    source = get_event_source(TYPE, {"bot_id": bot})
    cursor = drive(SendPulseHook(fast_conn).get_conn(), source.poll(None, max_events)).cursor
    runner = DeferredSensor(
        "message_id",
        event_type=TYPE,
        event_params={"bot_id": bot},
        sendpulse_conn_id=fast_conn,
        cursor=cursor,
        poll_interval=0.02,
        max_events=max_events,
        max_errors=1_000,
    )
    written: list[str] = []

    async def scenario() -> None:
        for index, (step, n) in enumerate(plan):
            if step == "write":
                for k in range(n):
                    contact = contacts[(index + k) % len(contacts)]
                    written.append(await asyncio.to_thread(emulator.contact_writes, contact, f"s{index}-{k}"))
            elif step == "take":
                await runner.take()
            elif step == "crash":
                await runner.next_batch(0.4)
                runner.restart()
            elif step == "fault":
                await asyncio.to_thread(
                    emulator.add_fault, path="/telegram/chats/messages", status=500, times=n
                )
            else:
                runner.restart()
        for _ in range(200):
            if not await runner.take(1.0) and len(runner.delivered) >= len(written):
                break

    asyncio.run(scenario())
    emulator.clear_faults()
    assert sorted(runner.delivered) == sorted(written)
    assert len(runner.delivered) == len(set(runner.delivered))


def test_an_asset_watcher_on_a_telegram_bot_serializes() -> None:
    trigger = SendPulseEventTrigger(
        event_type=TYPE, event_params={"channel": "telegram", "bot_id": "abc"}, poll_interval=60
    )
    asset = Asset(
        name="telegram_inbox",
        uri="sendpulse://chatbots/telegram/abc/incoming",
        watchers=[AssetWatcher(name="telegram_inbox_watch", trigger=trigger)],
    )
    with DAG(dag_id="on_telegram_message", schedule=[asset], start_date=datetime(2026, 1, 1)) as dag:
        pass
    serializer = getattr(serialized_objects, "DagSerialization", None) or serialized_objects.SerializedDAG
    text = json.dumps(serializer.to_dict(dag))
    assert '"event_type": "chatbot_incoming_message"' in text
    assert '"bot_id": "abc"' in text


def test_watcher_trigger_fires_with_the_message_and_keeps_polling(
    emulator: EmulatorControl, fast_conn: str
) -> None:
    bot = emulator.add_bot("telegram")
    (ann,) = emulator.add_chat_contacts(bot, ["Ann"], write="hi")

    async def scenario() -> list[dict[str, Any]]:
        trigger = SendPulseEventTrigger(
            event_type=TYPE,
            event_params={"channel": "telegram"},
            sendpulse_conn_id=fast_conn,
            poll_interval=0.05,
            fail_on_error=False,
        )
        emulator.clear_requests()
        run = trigger.run()
        first = asyncio.ensure_future(run.__anext__())
        # The baseline poll reads the dialogs and the chat's messages; the third call is an idle poll's.
        await until_polled(emulator, at_least=3)
        assert not first.done()
        await asyncio.to_thread(emulator.contact_writes, ann, "please call me")
        event = await asyncio.wait_for(first, 5)
        await run.aclose()
        return list(event.payload["events"])

    events = asyncio.run(scenario())
    assert [(e["contact_id"], e["text"]) for e in events] == [(ann, "please call me")]
