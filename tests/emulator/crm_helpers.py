"""Helpers for the CRM tests: spec checking and a seeded pipeline."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx

from airflow_provider_sendpulse.emulator.control import EmulatorControl

from .openapi_adapter import HttpxOpenAPIRequest, HttpxOpenAPIResponse, openapi_for, validate

CRM = "/crm/v1"
Check = Callable[[httpx.Response], httpx.Response]


def crm_checker(emulator: EmulatorControl) -> Check:
    """Validate a CRM request and its answer against crm.yml (patched as docs/emulator.md lists)."""
    openapi = openapi_for("crm.yml", emulator.url + CRM)

    def check(response: httpx.Response) -> httpx.Response:
        validate(openapi, response)
        return response

    return check


def crm_answer_checker(emulator: EmulatorControl) -> Check:
    """Validate only the answer against crm.yml (for requests the spec itself rejects)."""
    openapi = openapi_for("crm.yml", emulator.url + CRM)

    def check(response: httpx.Response) -> httpx.Response:
        request = HttpxOpenAPIRequest(response.request)
        openapi.validate_response(request, HttpxOpenAPIResponse(response))
        return response

    return check


@dataclass
class Funnel:
    """A seeded pipeline: its id and its step ids in order."""

    id: int
    steps: list[int]


def add_funnel(emulator: EmulatorControl, name: str = "Sales", steps: int = 3) -> Funnel:
    """A pipeline with `steps` steps named Step 1..n."""
    pipeline = emulator.add_pipeline(name, [f"Step {n}" for n in range(1, steps + 1)])
    return Funnel(int(pipeline["id"]), [int(s["id"]) for s in pipeline["steps"]])


def owner_id(api: httpx.Client) -> int:
    """The account owner's team member id."""
    return int(api.get(f"{CRM}/users").json()["data"][0]["id"])


def error_of(response: httpx.Response) -> dict[str, object]:
    """The `data` of a CRM error answer."""
    body = response.json()
    assert set(body) == {"data"}, body
    data: dict[str, object] = body["data"]
    assert data["code"] == response.status_code
    return data
