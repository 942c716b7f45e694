"""Helpers shared by the trigger tests."""

from __future__ import annotations

import asyncio

from airflow_provider_sendpulse.emulator.control import EmulatorControl

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
