"""Helpers shared by the trigger tests."""

from __future__ import annotations

from airflow_provider_sendpulse.emulator.control import EmulatorControl

TOKEN_PATH = "/oauth/access_token"


def api_requests(emulator: EmulatorControl) -> list[dict[str, object]]:
    """The emulator's request log without token mints."""
    return [r for r in emulator.requests() if r["path"] != TOKEN_PATH]
