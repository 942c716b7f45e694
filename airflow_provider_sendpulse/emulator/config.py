"""Emulator settings, shared by the CLI, `run_emulator` and the admin API."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_CLIENT_ID = "sendpulse-emulator-id"
DEFAULT_CLIENT_SECRET = "sendpulse-emulator-secret"  # noqa: S105 - documented emulator default
DEFAULT_API_KEY = "sendpulse-emulator-api-key"
DEFAULT_RATE_LIMIT = 10
DEFAULT_TOKEN_TTL = 3600
DEFAULT_CAMPAIGN_STEP_SECONDS = 10.0
DEFAULT_SEED = 20240101
DEFAULT_TIMEZONE = "UTC"

#: Settings the admin API may change while the emulator runs.
RUNTIME_SETTINGS = ("rate_limit", "token_ttl", "campaign_step_seconds", "campaign_limits", "timezone")


@dataclass
class EmulatorConfig:
    """How an emulator instance behaves.

    `rate_limit` is requests per second per account (0 or None switches the limit off); `token_ttl` is the
    `expires_in` of minted tokens in seconds; `campaign_step_seconds` is how long a campaign stays in each
    status of 13 -> 14 -> 2 -> 3; `campaign_limits` switches the 791 and 711 rules on; `seed` makes
    generated statistics reproducible; `timezone` is the account's IANA time zone (its dates are in it);
    `record_bodies` keeps each request's body in the request log (for tests that check what clients send).
    """

    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = DEFAULT_CLIENT_SECRET
    api_key: str | None = DEFAULT_API_KEY
    rate_limit: int | None = DEFAULT_RATE_LIMIT
    token_ttl: int = DEFAULT_TOKEN_TTL
    campaign_step_seconds: float = DEFAULT_CAMPAIGN_STEP_SECONDS
    campaign_limits: bool = True
    seed: int = DEFAULT_SEED
    timezone: str = DEFAULT_TIMEZONE
    record_bodies: bool = False

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"timezone {self.timezone!r} is not an IANA time zone name") from None

    @property
    def zone(self) -> ZoneInfo:
        """The account's time zone: every date the emulator reads or writes is in it."""
        return ZoneInfo(self.timezone)

    def copy(self) -> EmulatorConfig:
        """An independent copy (reset restores the start-up settings from one)."""
        return dataclasses.replace(self)

    def runtime(self) -> dict[str, Any]:
        """The settings the admin API can change, as JSON."""
        return {name: getattr(self, name) for name in RUNTIME_SETTINGS}
