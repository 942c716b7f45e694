"""`EmulatorControl`: a small synchronous client of the emulator's admin API."""

from __future__ import annotations

from typing import Any

import httpx

from .chatbot_control import ChatbotControl
from .config import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from .crm_control import CrmControl
from .services_control import ServicesControl


def airflow_connection(base_url: str, **extra: Any) -> dict[str, Any]:
    """An Airflow ``sendpulse`` connection to the emulator with its default credentials.

    JSON-dump it into ``AIRFLOW_CONN_<ID>`` to point DAGs at the emulator; ``extra`` adds connection
    extras (``timeout``, ``max_requests_per_second``, ``max_retries``, ``timezone``, ...).
    """
    connection: dict[str, Any] = {
        "conn_type": "sendpulse",
        "host": base_url,
        "login": DEFAULT_CLIENT_ID,
        "password": DEFAULT_CLIENT_SECRET,
    }
    if extra:
        connection["extra"] = extra
    return connection


class EmulatorControl(CrmControl, ChatbotControl, ServicesControl):
    """Steer a running emulator through `/_emulator/*`."""

    def __init__(self, base_url: str, timeout: float = 30.0) -> None:
        self.url = base_url.rstrip("/")
        self._http = httpx.Client(base_url=self.url + "/_emulator", timeout=timeout)

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._http.close()

    def __enter__(self) -> EmulatorControl:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _call(self, method: str, path: str, json: Any = None, params: dict[str, Any] | None = None) -> Any:
        response = self._http.request(method, path, json=json, params=params)
        response.raise_for_status()
        return response.json()

    def state(self, contacts_cap: int = 10_000) -> dict[str, Any]:
        """Lists with contacts, campaigns with statuses, SMS campaigns, senders, templates, settings."""
        result: dict[str, Any] = self._call("GET", "/state", params={"contacts_cap": contacts_cap})
        return result

    def requests(self) -> list[dict[str, Any]]:
        """Requests received: `{"method", "path", "query", "status", "time", "account"}`, oldest first."""
        result: list[dict[str, Any]] = self._call("GET", "/requests")
        return result

    def clear_requests(self) -> None:
        """Forget the received requests."""
        self._call("DELETE", "/requests")

    def reset(self) -> None:
        """Empty account, start-up settings, no faults, empty request log, clock at wall time."""
        self._call("POST", "/reset")

    def expire_tokens(self) -> int:
        """Invalidate every minted token; returns how many there were."""
        return int(self._call("POST", "/expire-tokens")["expired"])

    def issued_tokens(self) -> list[str]:
        """Every access token minted since the last reset, expired ones included."""
        return [str(t) for t in self._call("GET", "/tokens")["tokens"]]

    def advance_clock(self, seconds: float) -> float:
        """Move emulator time forward; returns the new emulator time (epoch seconds)."""
        return float(self._call("POST", "/clock", json={"advance": seconds})["now"])

    def now(self) -> float:
        """Emulator time (epoch seconds)."""
        return float(self._call("GET", "/clock")["now"])

    def add_fault(
        self,
        *,
        method: str = "*",
        path: str = "**",
        times: int | None = 1,
        status: int | None = None,
        error_code: int | None = None,
        message: str | None = None,
        delay: float = 0.0,
        drop: bool = False,
        body: str | None = None,
        content_type: str = "text/html; charset=UTF-8",
        after: bool = False,
        probability: float | None = None,
        seed: int | None = None,
    ) -> dict[str, Any]:
        """Inject a fault (see `airflow_provider_sendpulse.emulator.faults`).

        `after=True` lets the route act first, then drops, replaces or delays its answer; `probability`
        (with `seed`) hits only that share of matching requests.
        """
        spec = {
            "method": method,
            "path": path,
            "times": times,
            "status": status,
            "error_code": error_code,
            "message": message,
            "delay": delay,
            "drop": drop,
            "body": body,
            "content_type": content_type,
            "after": after,
            "probability": probability,
            "seed": seed,
        }
        result: dict[str, Any] = self._call("POST", "/faults", json=spec)["fault"]
        return result

    def faults(self) -> list[dict[str, Any]]:
        """Active fault rules."""
        result: list[dict[str, Any]] = self._call("GET", "/faults")
        return result

    def clear_faults(self) -> None:
        """Remove every fault rule."""
        self._call("DELETE", "/faults")

    def configure(
        self,
        *,
        rate_limit: int | None = None,
        token_ttl: int | None = None,
        campaign_step_seconds: float | None = None,
        campaign_limits: bool | None = None,
        timezone: str | None = None,
    ) -> dict[str, Any]:
        """Change runtime settings (None leaves one unchanged; `rate_limit=0` switches the limit off).

        `timezone` is the account's IANA time zone: dates the API reads and writes are in it.
        """
        changes = {
            "rate_limit": rate_limit,
            "token_ttl": token_ttl,
            "campaign_step_seconds": campaign_step_seconds,
            "campaign_limits": campaign_limits,
            "timezone": timezone,
        }
        result: dict[str, Any] = self._call(
            "POST", "/config", json={k: v for k, v in changes.items() if v is not None}
        )
        return result

    def config(self) -> dict[str, Any]:
        """Runtime settings."""
        result: dict[str, Any] = self._call("GET", "/config")
        return result

    def create_list(self, name: str) -> int:
        """Create a mailing list directly; returns its id."""
        return int(self._call("POST", "/lists", json={"name": name})["id"])

    def seed_contacts(
        self, list_id: int, count: int, prefix: str = "user", variables: dict[str, Any] | None = None
    ) -> int:
        """Append `count` active contacts `<prefix><n>@example.com` fast; returns the list's new size."""
        spec = {"list_id": list_id, "count": count, "prefix": prefix, "variables": variables}
        return int(self._call("POST", "/seed", json=spec)["total"])

    def add_contacts(self, list_id: int, contacts: list[dict[str, Any]]) -> int:
        """Add active contacts ``[{"email": ..., "variables": {...}}]``, each with its own variables.

        Returns the list's new size. Unlike ``seed_contacts``, the addresses and variables are yours,
        e.g. ``{"email": "ann@example.com", "variables": {"name": "Ann", "Phone": "380501234567"}}``.
        """
        spec = {"list_id": list_id, "contacts": contacts}
        return int(self._call("POST", "/contacts", json=spec)["total"])
