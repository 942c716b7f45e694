"""SendPulseEventTrigger over real HTTP against the emulator."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from tr_helpers import api_requests, until_polled

from airflow_provider_sendpulse.emulator.control import EmulatorControl
from airflow_provider_sendpulse.events import drive, get_event_source
from airflow_provider_sendpulse.hooks.sendpulse import SendPulseHook
from airflow_provider_sendpulse.triggers.events import SendPulseEventTrigger

CLASSPATH = "airflow_provider_sendpulse.triggers.events.SendPulseEventTrigger"


def make(conn: str, list_id: int, **kwargs: Any) -> SendPulseEventTrigger:
    kwargs.setdefault("poll_interval", 0.05)
    return SendPulseEventTrigger(
        event_type="new_subscriber", event_params={"list_id": list_id}, sendpulse_conn_id=conn, **kwargs
    )


async def next_event(run: AsyncIterator[Any], wait: float = 10.0) -> dict[str, Any]:
    event = await asyncio.wait_for(run.__anext__(), wait)
    payload: dict[str, Any] = event.payload
    return payload


async def stop(waiting: asyncio.Future[Any], run: AsyncIterator[Any]) -> None:
    """Cancel a pending ``next_event`` and close the trigger's generator."""
    waiting.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await waiting
    await run.aclose()  # type: ignore[attr-defined]


def test_serialize_round_trip_is_json_and_deterministic() -> None:
    trigger = SendPulseEventTrigger(
        event_type="new_subscriber",
        event_params={"list_id": "42"},
        cursor={"v": 1, "type": "new_subscriber", "offset": 3, "anchors": ["a@b.c"]},
        deadline=1_900_000_000.0,
        fail_on_error=True,
    )
    classpath, kwargs = trigger.serialize()
    assert classpath == CLASSPATH
    assert kwargs["event_params"] == {"list_id": 42}
    json.dumps(kwargs)  # JSON-simple: no tokens, clients or datetimes
    again = SendPulseEventTrigger(**kwargs)
    assert again.serialize() == (classpath, kwargs)
    assert SendPulseEventTrigger.hash(classpath, kwargs) == SendPulseEventTrigger.hash(*again.serialize())


def test_bad_arguments_fail_in_the_dag_file() -> None:
    with pytest.raises(ValueError, match="list_id"):
        SendPulseEventTrigger(event_type="new_subscriber")
    with pytest.raises(ValueError, match="min_events"):
        SendPulseEventTrigger(event_type="new_campaign", min_events=5, max_events=2)


async def test_fires_on_new_contacts_with_the_cursor_past_them(
    emulator: EmulatorControl, fast_conn: str
) -> None:
    list_id = emulator.create_list("news")
    emulator.seed_contacts(list_id, 1000, prefix="old")
    emulator.clear_requests()
    run = make(fast_conn, list_id).run()
    first = asyncio.ensure_future(next_event(run))
    # The first poll records the position (a count and a page); the third call is an idle poll's count.
    await until_polled(emulator, at_least=3)
    assert not first.done()
    await asyncio.to_thread(emulator.seed_contacts, list_id, 3, "new")
    payload = await first
    assert payload["status"] == "success"
    assert payload["count"] == 3
    assert [e["email"] for e in payload["events"]] == [f"new{n}@example.com" for n in range(1000, 1003)]
    assert payload["cursor"]["offset"] == 1003
    await run.aclose()


@pytest.mark.parametrize("size", [1_000, 100_000])
async def test_idle_poll_costs_two_requests(emulator: EmulatorControl, fast_conn: str, size: int) -> None:
    list_id = emulator.create_list("big")
    emulator.seed_contacts(list_id, size)
    source = get_event_source("new_subscriber", {"list_id": list_id})
    cursor = drive(SendPulseHook(fast_conn).get_conn(), source.poll(None, 100)).cursor
    emulator.clear_requests()
    run = make(fast_conn, list_id, cursor=cursor, poll_interval=3600).run()
    waiting = asyncio.ensure_future(next_event(run))
    for _ in range(100):
        await asyncio.sleep(0.05)
        if len(api_requests(emulator)) >= 2:
            break
    await asyncio.sleep(0.2)
    assert not waiting.done()
    await stop(waiting, run)
    assert [r["path"] for r in api_requests(emulator)] == [
        f"/addressbooks/{list_id}/emails/total",
        f"/addressbooks/{list_id}/emails",
    ]


async def test_deadline_gives_a_timeout_event(emulator: EmulatorControl, fast_conn: str) -> None:
    list_id = emulator.create_list("quiet")
    payload = await next_event(make(fast_conn, list_id, deadline=time.time() + 0.3).run())
    assert payload["status"] == "timeout"


async def test_missing_list_gives_an_error_event(emulator: EmulatorControl, fast_conn: str) -> None:
    payload = await next_event(make(fast_conn, 999_999, fail_on_error=True).run())
    assert payload["status"] == "error"
    assert "not found" in payload["message"].lower()


async def test_transient_errors_are_retried_within_the_budget(
    emulator: EmulatorControl, fast_conn: str
) -> None:
    list_id = emulator.create_list("flaky")
    emulator.seed_contacts(list_id, 5)
    emulator.add_fault(method="GET", path=f"/addressbooks/{list_id}/emails/total", times=2, status=503)
    payload = await next_event(make(fast_conn, list_id, start_from="beginning", fail_on_error=True).run())
    assert payload["status"] == "success"
    assert payload["count"] == 5


async def test_transient_errors_beyond_the_budget_give_an_error_event(
    emulator: EmulatorControl, fast_conn: str
) -> None:
    list_id = emulator.create_list("down")
    emulator.add_fault(method="GET", path=f"/addressbooks/{list_id}/emails/total", times=10, status=503)
    trigger = make(fast_conn, list_id, fail_on_error=True, max_errors=2)
    payload = await next_event(trigger.run())
    assert payload["status"] == "error"
    assert "503" in payload["message"]


async def test_min_events_waits_for_enough(emulator: EmulatorControl, fast_conn: str) -> None:
    list_id = emulator.create_list("min")
    source = get_event_source("new_subscriber", {"list_id": list_id})
    run = make(fast_conn, list_id, cursor=source.beginning(), min_events=3).run()
    waiting = asyncio.ensure_future(next_event(run))
    await asyncio.to_thread(emulator.seed_contacts, list_id, 2, "a")
    await asyncio.sleep(0.4)
    assert not waiting.done()
    await asyncio.to_thread(emulator.seed_contacts, list_id, 1, "b")
    assert (await waiting)["count"] == 3
    await run.aclose()


async def test_watcher_fires_once_per_batch_never_on_unchanged_state(
    emulator: EmulatorControl, fast_conn: str
) -> None:
    list_id = emulator.create_list("watched")
    emulator.clear_requests()
    run = make(fast_conn, list_id).run()
    first = asyncio.ensure_future(next_event(run))
    await until_polled(emulator)  # the first poll records the position
    await asyncio.to_thread(emulator.seed_contacts, list_id, 2, "x")
    assert (await first)["count"] == 2
    second = asyncio.ensure_future(next_event(run))
    await asyncio.sleep(0.5)
    assert not second.done(), "fired again on an unchanged list"
    await asyncio.to_thread(emulator.seed_contacts, list_id, 1, "y")
    assert [e["email"] for e in (await second)["events"]] == ["y2@example.com"]
    await run.aclose()


class FakeAssetStore:
    """Stands in for Airflow 3.3's ``asset_state_store`` (one watched asset)."""

    def __init__(self) -> None:
        self.data: dict[str, Any] = {}
        self.written = asyncio.Event()

    async def aget(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    async def aset(self, key: str, value: Any) -> None:
        self.data[key] = value
        self.written.set()

    async def until(self, condition: Any) -> None:
        """Wait until ``condition()`` holds after some write (a loaded machine may be slow)."""
        async with asyncio.timeout(10):
            while True:
                self.written.clear()
                if condition():
                    return
                await self.written.wait()


async def test_watermark_survives_a_triggerer_restart(
    emulator: EmulatorControl, fast_conn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("airflow_provider_sendpulse.triggers.events.COMMIT_DELAY", 0.0)
    list_id = emulator.create_list("restart")
    store = FakeAssetStore()
    trigger = make(fast_conn, list_id)
    trigger.asset_state_store = store  # type: ignore[assignment]
    run = trigger.run()
    first = asyncio.ensure_future(next_event(run))
    await store.until(lambda: len(store.data) == 1)  # the first position is stored at once
    baseline = dict(store.data)
    await asyncio.to_thread(emulator.seed_contacts, list_id, 2, "p")
    assert (await first)["count"] == 2
    second = asyncio.ensure_future(next_event(run))
    await store.until(lambda: store.data != baseline)  # the cursor past the batch is stored
    await stop(second, run)  # the triggerer goes away after the batch was handed over

    await asyncio.to_thread(emulator.seed_contacts, list_id, 1, "q")
    reborn = SendPulseEventTrigger(**trigger.serialize()[1])
    reborn.asset_state_store = store  # type: ignore[assignment]
    payload = await next_event(reborn.run())
    assert [e["email"] for e in payload["events"]] == ["q2@example.com"]


def test_a_fired_event_is_logged_as_ids_and_counts_only() -> None:
    from airflow_provider_sendpulse.waiting.polling import trigger_event

    payload = {
        "status": "success",
        "event_type": "new_subscribers",
        "event_params": {"list_id": 7},
        "events": [{"email": "ann@example.com"}, {"email": "bob@example.com"}],
        "count": 2,
        "cursor": {"position": "2026-12-01 10:00:00", "ids": ["bob@example.com"]},
    }
    event = trigger_event(payload)
    assert event.payload == payload  # downstream tasks still get everything
    text = repr(event)
    assert text == str(event)
    assert text == (
        "TriggerEvent<status='success', event_type='new_subscribers', event_params=<1 item>, "
        "events=<2 items>, count=2>"
    )
