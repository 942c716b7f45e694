"""An in-memory stand-in that answers the client's ``Call`` objects, for detection unit tests."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC
from typing import Any

from airflow_provider_sendpulse.client.api import Call
from airflow_provider_sendpulse.client.errors import SendPulseNotFoundError
from airflow_provider_sendpulse.client.wire import render_dates


class FakeSendPulse:
    """Lists in insertion order, campaigns by id, SMS campaigns with creation dates."""

    def __init__(self) -> None:
        self.lists: dict[int, list[dict[str, Any]]] = {}
        self.campaigns: dict[int, dict[str, Any]] = {}
        self.sms: list[dict[str, Any]] = []
        self.calls: list[Call[Any]] = []
        self._next_campaign = 100

    # --- state helpers ------------------------------------------------------------------

    def add(self, list_id: int, emails: Iterable[str]) -> None:
        members = self.lists.setdefault(list_id, [])
        present = {m["email"] for m in members}
        for email in emails:
            if email not in present:
                members.append({"email": email, "status": 1, "status_explain": "Active", "variables": {}})
                present.add(email)

    def remove(self, list_id: int, emails: Iterable[str]) -> None:
        gone = set(emails)
        self.lists[list_id] = [m for m in self.lists.get(list_id, []) if m["email"] not in gone]

    def emails(self, list_id: int) -> list[str]:
        return [m["email"] for m in self.lists.get(list_id, [])]

    def new_campaign(self, status: int = 13) -> int:
        self._next_campaign += 1
        cid = self._next_campaign
        self.campaigns[cid] = {"id": cid, "name": f"c{cid}", "status": status}
        return cid

    def take_calls(self) -> list[Call[Any]]:
        calls, self.calls = self.calls, []
        return calls

    # --- the API ------------------------------------------------------------------------

    def run(self, call: Call[Any]) -> Any:
        self.calls.append(call)
        return call.parse(self._answer(call))

    def _answer(self, call: Call[Any]) -> Any:
        params = call.params or {}
        if m := re.fullmatch(r"/addressbooks/(\d+)/emails/total", call.path):
            return {"total": len(self.lists.get(int(m[1]), []))}
        if m := re.fullmatch(r"/addressbooks/(\d+)/emails", call.path):
            members = list(self.lists.get(int(m[1]), []))
            if params.get("order") == "desc":
                members.reverse()
            offset, limit = int(params["offset"]), int(params["limit"])
            assert 1 <= limit <= 100
            return [dict(x) for x in members[offset : offset + limit]]
        if call.path == "/campaigns":
            items = sorted(
                self.campaigns.values(), key=lambda c: c["id"], reverse=params.get("order") == "desc"
            )
            offset, limit = int(params["offset"]), int(params["limit"])
            return [dict(x) for x in items[offset : offset + limit]]
        if m := re.fullmatch(r"/campaigns/(\d+)", call.path):
            if int(m[1]) not in self.campaigns:
                raise SendPulseNotFoundError("Campaign not found", 404, 802)
            return dict(self.campaigns[int(m[1])])
        if call.path == "/sms/campaigns/list":
            # Dates as the client sends them (an account in UTC here).
            dates = render_dates(params, UTC)
            since, until = dates["dateFrom"], dates["dateTo"]
            return {
                "result": True,
                "data": [dict(c) for c in self.sms if since <= c["date_created"] <= until],
            }
        raise AssertionError(f"unexpected call {call.describe()}")


class AsyncFake:
    """The async face of a :class:`FakeSendPulse`."""

    def __init__(self, fake: FakeSendPulse) -> None:
        self.fake = fake

    async def run(self, call: Call[Any]) -> Any:
        return self.fake.run(call)
