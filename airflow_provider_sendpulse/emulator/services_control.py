"""`ServicesControl`: the Automation 360, SMTP and verifier part of `EmulatorControl`."""

from __future__ import annotations

from typing import Any


class ServicesControl:
    """Calls to `/_emulator/{a360,smtp,verifier}`; mixed into `EmulatorControl`, which provides `_call`."""

    def _call(self, method: str, path: str, json: Any = None, params: dict[str, Any] | None = None) -> Any:
        raise NotImplementedError

    def add_automation_event(self, name: str) -> int:
        """Define an Automation 360 event (as in the web app); returns its id."""
        return int(self._call("POST", "/a360/events", json={"name": name})["id"])

    def automation_state(self, cap: int = 100) -> dict[str, Any]:
        """Events with their start counts, starts per day and the newest `cap` starts."""
        result: dict[str, Any] = self._call("GET", "/a360", params={"cap": cap})
        return result

    def configure_automation(self, *, daily_cap: int | None = None, used_today: int | None = None) -> None:
        """Change the daily cap of flow starts, or how many of today's are already used."""
        self._call("POST", "/a360", json={"daily_cap": daily_cap, "used_today": used_today})

    def smtp_state(self, cap: int = 100) -> dict[str, Any]:
        """SMTP activation, message and log counts, and the newest `cap` log records."""
        result: dict[str, Any] = self._call("GET", "/smtp", params={"cap": cap})
        return result

    def set_smtp_activated(self, activated: bool) -> None:
        """Activate the SMTP service, or deactivate it to get SendPulse's "No such SMTP user" refusal."""
        self._call("POST", "/smtp", json={"activated": activated})

    def verifier_state(self) -> dict[str, Any]:
        """Verified lists and how many single addresses were checked."""
        result: dict[str, Any] = self._call("GET", "/verifier")
        return result
