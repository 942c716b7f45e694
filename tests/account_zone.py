"""The account time zone the test emulators run in: UTC, or Europe/Kyiv in the suite's second pass."""

from __future__ import annotations

import os
from typing import Any

from airflow_provider_sendpulse.emulator.control import airflow_connection

EMULATOR_TIMEZONE = os.environ.get("SENDPULSE_EMULATOR_TIMEZONE", "UTC")
"""Set SENDPULSE_EMULATOR_TIMEZONE to run the emulators (and the connections to them) in another zone."""


def emulator_connection(base_url: str, **extra: Any) -> dict[str, Any]:
    """An Airflow connection to a test emulator, its ``timezone`` extra matching the emulator's account."""
    return airflow_connection(base_url, timezone=EMULATOR_TIMEZONE, **extra)
