"""The drivers and the registry: one detection, two kinds of I/O; new types plug in by name."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from ev_fakes import AsyncFake, FakeSendPulse

from airflow_provider_sendpulse.client import api
from airflow_provider_sendpulse.client.errors import SendPulseNotFoundError
from airflow_provider_sendpulse.events import (
    EventSource,
    Poll,
    adrive,
    cursor_key,
    drive,
    event_types,
    get_event_source,
    register_event_source,
)
from airflow_provider_sendpulse.events.base import Cursor, Detection


async def test_sync_and_async_drivers_give_the_same_result() -> None:
    fake = FakeSendPulse()
    fake.add(3, ["a@example.com", "b@example.com"])
    source = get_event_source("new_subscriber", {"list_id": 3})
    cursor = source.beginning()
    sync = drive(fake, source.poll(cursor, 10))
    asynchronous = await adrive(AsyncFake(fake), source.poll(cursor, 10))
    assert sync == asynchronous
    assert len(sync.events) == 2


def test_errors_are_thrown_into_the_detection() -> None:
    def detection() -> Any:
        try:
            yield api.get_campaign(404)
        except SendPulseNotFoundError:
            return "handled"
        return "not raised"

    assert drive(FakeSendPulse(), detection()) == "handled"

    def unhandled() -> Any:
        yield api.get_campaign(404)

    with pytest.raises(SendPulseNotFoundError):
        drive(FakeSendPulse(), unhandled())


def test_a_new_event_type_plugs_in_without_touching_sensor_or_trigger() -> None:
    @register_event_source
    class Unsubscribes(EventSource):
        event_type = "test_unsubscribes"

        def __init__(self, params: Mapping[str, Any] | None = None) -> None:
            super().__init__(params)

        def baseline(self) -> Detection:
            return Poll([], self.new_cursor(n=0), baseline=True)
            yield  # pragma: no cover

        def beginning(self) -> Cursor:
            return self.new_cursor(n=0)

        def detect(self, cursor: Cursor, max_events: int) -> Detection:
            return Poll([self.event({"email": "x@example.com"})], self.new_cursor(n=1))
            yield  # pragma: no cover

    assert "test_unsubscribes" in event_types()
    source = get_event_source("test_unsubscribes")
    assert cursor_key("sp", source) == "sendpulse_cursor.sp.test_unsubscribes.account"
    assert cursor_key("sp", source, "crm") == "sendpulse_cursor.sp.test_unsubscribes.account.crm"
    result = drive(FakeSendPulse(), source.poll(source.beginning(), 5))
    assert result.events == [{"email": "x@example.com", "event": "test_unsubscribes"}]


def test_max_events_and_start_from_are_checked() -> None:
    source = get_event_source("new_campaign")
    with pytest.raises(ValueError, match="max_events"):
        drive(FakeSendPulse(), source.poll(None, 0))
    with pytest.raises(ValueError, match="start_from"):
        drive(FakeSendPulse(), source.poll(None, 5, "yesterday"))  # type: ignore[arg-type]
