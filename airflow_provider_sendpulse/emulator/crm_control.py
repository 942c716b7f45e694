"""`CrmControl`: the CRM part of `EmulatorControl` (seed the CRM, act as a user of the web app)."""

from __future__ import annotations

from typing import Any


class CrmControl:
    """Calls to `/_emulator/crm/*`; mixed into `EmulatorControl`, which provides `_call`."""

    def _call(self, method: str, path: str, json: Any = None, params: dict[str, Any] | None = None) -> Any:
        raise NotImplementedError

    def crm_state(self, cap: int = 1_000) -> dict[str, Any]:
        """Team, pipelines (with step ids), deal and contact counts, the newest `cap` deals and contacts."""
        result: dict[str, Any] = self._call("GET", "/crm", params={"cap": cap})
        return result

    def add_team_member(self, firstname: str, lastname: str = "", email: str = "member@example.com") -> int:
        """Add a confirmed team member (the account owner exists from the start); returns its id."""
        body = {"firstname": firstname, "lastname": lastname, "email": email}
        return int(self._call("POST", "/crm/users", json=body)["id"])

    def add_pipeline(self, name: str, steps: list[str]) -> dict[str, Any]:
        """Add a pipeline with steps in order; returns it as `GET /pipelines` shows it (`steps[n]["id"]`)."""
        result: dict[str, Any] = self._call("POST", "/crm/pipelines", json={"name": name, "steps": steps})
        return result

    def add_deal_attribute(self, pipeline_id: int, name: str, type: int = 0) -> int:
        """Define a deal attribute of a pipeline (type 0 text ... 5 multi-select); returns its id."""
        body = {"name": name, "type": type}
        return int(self._call("POST", f"/crm/pipelines/{pipeline_id}/attributes", json=body)["id"])

    def add_crm_contacts(self, contacts: list[dict[str, Any]], created: float | None = None) -> list[int]:
        """Add contacts; each may have first_name, last_name, responsible_id, emails, phones, tags,
        external_id, attributes (name -> value) and created (epoch seconds, not in the future)."""
        body = {"contacts": contacts, "created": _whole(created)}
        return [int(i) for i in self._call("POST", "/crm/contacts", json=body)["ids"]]

    def seed_crm_contacts(
        self, count: int, prefix: str = "contact", created: float | None = None
    ) -> list[int]:
        """Add `count` contacts `<prefix><n>` with email `<prefix><n>@example.com`; returns their ids."""
        body = {"count": count, "prefix": prefix, "created": _whole(created)}
        return [int(i) for i in self._call("POST", "/crm/contacts", json=body)["ids"]]

    def add_deals(self, deals: list[dict[str, Any]], created: float | None = None) -> list[int]:
        """Add deals; each needs pipeline_id and step_id and may have name, price, currency,
        responsible_id, contacts (ids), source_id, attributes (name -> value; defined when new) and
        created (epoch seconds)."""
        body = {"deals": deals, "created": _whole(created)}
        return [int(i) for i in self._call("POST", "/crm/deals", json=body)["ids"]]

    def seed_deals(
        self,
        count: int,
        pipeline_id: int,
        step_id: int,
        prefix: str = "Deal",
        price: float = 0,
        created: float | None = None,
    ) -> list[int]:
        """Add `count` active deals `<prefix> <n>` in one step fast; returns their ids."""
        body = {
            "count": count,
            "pipeline_id": pipeline_id,
            "step_id": step_id,
            "prefix": prefix,
            "price": price,
            "created": _whole(created),
        }
        return [int(i) for i in self._call("POST", "/crm/deals", json=body)["ids"]]

    def update_deal(self, deal_id: int, **changes: Any) -> dict[str, Any]:
        """Change a deal as a web-app user: any of pipeline_id, step_id, status, name, price,
        responsible_id, and user_id (who acts, default the owner). Bumps updatedAt, records history."""
        result: dict[str, Any] = self._call("POST", f"/crm/deals/{deal_id}", json=changes)
        return result

    def move_deal(self, deal_id: int, step_id: int, pipeline_id: int | None = None) -> dict[str, Any]:
        """Move a deal to a step (of another pipeline when `pipeline_id` is given)."""
        changes: dict[str, Any] = {"step_id": step_id}
        if pipeline_id is not None:
            changes["pipeline_id"] = pipeline_id
        return self.update_deal(deal_id, **changes)

    def win_deal(self, deal_id: int) -> dict[str, Any]:
        """Mark a deal won (status 3)."""
        return self.update_deal(deal_id, status=3)

    def lose_deal(self, deal_id: int) -> dict[str, Any]:
        """Mark a deal lost (status 2)."""
        return self.update_deal(deal_id, status=2)

    def update_crm_contact(self, contact_id: int, **changes: Any) -> dict[str, Any]:
        """Change a contact as a web-app user: any of first_name, last_name, responsible_id, external_id."""
        result: dict[str, Any] = self._call("POST", f"/crm/contacts/{contact_id}", json=changes)
        return result


def _whole(seconds: float | None) -> int | None:
    return None if seconds is None else int(seconds)
