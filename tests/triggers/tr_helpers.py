"""Helpers shared by the trigger tests."""

from __future__ import annotations

import asyncio
from typing import Any

from airflow_provider_sendpulse.emulator.control import EmulatorControl
from airflow_provider_sendpulse.events import Cursor
from airflow_provider_sendpulse.triggers.events import SendPulseEventTrigger

TOKEN_PATH = "/oauth/access_token"


def api_requests(emulator: EmulatorControl) -> list[dict[str, object]]:
    """The emulator's request log without token mints."""
    return [r for r in emulator.requests() if r["path"] != TOKEN_PATH]


async def until_polled(emulator: EmulatorControl, at_least: int = 1) -> None:
    """Wait until the emulator has answered ``at_least`` API calls (say, a trigger's first poll).

    A trigger's first poll loads the HTTP client and mints a token: on a busy machine that takes longer
    than any fixed sleep a test could afford.
    """
    async with asyncio.timeout(20):
        # The emulator runs elsewhere: there is no event to await, only its log to read.
        while len(await asyncio.to_thread(api_requests, emulator)) < at_least:  # noqa: ASYNC110
            await asyncio.sleep(0.05)


class DeferredSensor:
    """One deferred sensor: a trigger rebuilt from its serialized kwargs on restarts, committing each
    batch's cursor like the sensor does; ``delivered`` collects each event's ``id_key`` (the whole event when
    ``id_key`` is None)."""

    def __init__(self, id_key: str | None, **trigger_kwargs: Any) -> None:
        self.id_key = id_key
        self.kwargs: dict[str, Any] = SendPulseEventTrigger(**trigger_kwargs).serialize()[1]
        self.run: Any = None
        self.delivered: list[Any] = []

    def restart(self, cursor: Cursor | None = None) -> None:
        """A triggerer restart (same kwargs), or a new deferral from ``cursor``."""
        kwargs = dict(self.kwargs, cursor=cursor) if cursor is not None else self.kwargs
        self.kwargs = SendPulseEventTrigger(**kwargs).serialize()[1]
        self.run = None

    async def next_batch(self, wait: float) -> dict[str, Any] | None:
        """The next success payload, or None when none came within ``wait`` seconds."""
        if self.run is None:
            self.run = SendPulseEventTrigger(**self.kwargs).run()
        try:
            event = await asyncio.wait_for(self.run.__anext__(), wait)
        except TimeoutError:
            self.run = None  # the cancelled generator is finished; a new one starts from the kwargs
            return None
        payload: dict[str, Any] = event.payload
        assert payload["status"] == "success", payload
        return payload

    async def take(self, wait: float = 0.4) -> bool:
        """Deliver the next batch and commit its cursor; False when none came."""
        payload = await self.next_batch(wait)
        if payload is None:
            return False
        events = payload["events"]
        self.delivered += events if self.id_key is None else [e[self.id_key] for e in events]
        self.restart(payload["cursor"])
        return True
