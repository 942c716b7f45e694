"""The wire-format audit can fail: its rules, and a deliberately broken query encoder caught in the act."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from typing import Any

import pytest
from wire_audit import WireAudit, endpoint, query_problems

from airflow_provider_sendpulse.client import core
from airflow_provider_sendpulse.emulator.control import EmulatorControl
from airflow_provider_sendpulse.hooks.sendpulse import SendPulseHook


def test_query_rules():
    assert query_problems("limit=100&offset=0&active=1&status%5B%5D=3&status%5B%5D=23") == []
    assert query_problems("active=true") == ["boolean as text: active=true (send 1 or 0)"]
    assert query_problems("status=3&status=23") == [
        "repeated bare key: status (PHP keeps only the last; send status[]=...)"
    ]
    assert query_problems("phones=%5B%22380501112233%22%5D") == [
        "JSON in a query parameter: phones (send phones[]=... items)"
    ]
    assert query_problems("%7B%22limit%22%3A0%7D") == [
        "JSON in a query parameter: the whole query string is a JSON document"
    ]


def test_endpoints_are_counted_without_ids():
    assert (
        endpoint("GET", "/addressbooks/1000001/emails/a%40example.com")
        == "GET /addressbooks/{id}/emails/{id}"
    )


def _broken_encoder(params: Mapping[str, Any] | None) -> tuple[tuple[str, str], ...] | None:
    """What a naive client sends: booleans as text, repeated keys, JSON arrays in one parameter."""
    if params is None:
        return None
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        if isinstance(value, bool):
            pairs.append((key, str(value).lower()))
        elif isinstance(value, list) and key == "phones":
            pairs.append((key, json.dumps(value)))
        elif isinstance(value, list):
            pairs.extend((key, str(item)) for item in value)
        elif value is not None:
            pairs.append((key, str(value)))
    return tuple(pairs)


@pytest.mark.wire_exempt  # sends broken requests on purpose and audits them itself
def test_the_audit_fails_on_a_broken_encoder(
    emulator: EmulatorControl, sendpulse_conn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    hook = SendPulseHook(sendpulse_conn)
    list_id = hook.create_mailing_list("Audit")
    monkeypatch.setattr(core, "encode_query", _broken_encoder)
    for call in (
        lambda: list(hook.iter_contacts(list_id, active=True)),
        lambda: list(hook.iter_campaigns(status=[3, 23])),
        lambda: hook.sms_cost("Shop", "hi", phones=["380501112233", "380671112233"]),
        lambda: hook.call("POST", "/addressbooks", json={"bookName": 5}),
    ):
        with contextlib.suppress(Exception):  # the emulator may refuse: the audit is what is tested
            call()
    problems = WireAudit().audit(emulator.requests())
    joined = "\n".join(problems)
    assert f"GET /addressbooks/{list_id}/emails?limit=100&offset=0&active=true: boolean as text" in joined
    assert (
        "GET /campaigns?limit=100&offset=0&order=desc&status=3&status=23: repeated bare key: status" in joined
    )
    assert '"380671112233"]: JSON in a query parameter: phones (send phones[]=... items)' in joined
    refused = "POST /addressbooks: vendor OpenAPI: InvalidRequestBody: bookName: 5 is not of type 'string'"
    assert refused in joined
    assert len(problems) == 4
