"""Malformed and unexpected API answers: only SendPulseError subclasses may escape the client.

Hypothesis generates answers (wrong types, missing keys, nulls, huge and non-finite numbers, HTML,
truncated or deeply nested JSON, odd headers) and feeds them to every endpoint's reader, to the
answer interpretation shared by both clients, to the token exchange, and through both transports.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from requests.adapters import HTTPAdapter

from airflow_provider_sendpulse.client import api
from airflow_provider_sendpulse.client.api import Call
from airflow_provider_sendpulse.client.async_client import AsyncSendPulseClient
from airflow_provider_sendpulse.client.auth import mint_client_credentials
from airflow_provider_sendpulse.client.core import ClientConfig, interpret
from airflow_provider_sendpulse.client.errors import (
    SendPulseAmbiguousCreateError,
    SendPulseAuthError,
    SendPulseError,
    error_from_response,
)
from airflow_provider_sendpulse.client.models import CampaignSpec, Contact
from airflow_provider_sendpulse.client.sync_client import SendPulseClient
from airflow_provider_sendpulse.client.transport import RawResponse, decode_body, parse_retry_after

BASE = "https://fuzz.invalid"

CALLS: dict[str, Call[Any]] = {
    "user_info": api.get_user_info(),
    "balance": api.get_balance("usd"),
    "raw": api.raw_call("GET", "/anything"),
    "create_list": api.create_mailing_list("List"),
    "get_list": api.get_mailing_list(1),
    "lists": api.list_mailing_lists(),
    "rename_list": api.rename_mailing_list(1, "New"),
    "delete_list": api.delete_mailing_list(1),
    "variables": api.list_variables(1),
    "count": api.count_contacts(1),
    "list_campaigns_of_list": api.list_mailing_list_campaigns(1),
    "add_contacts": api.add_contacts(1, [Contact("a@example.com")]),
    "remove": api.remove_contacts(1, ["a@example.com"]),
    "unsubscribe": api.unsubscribe_contacts(1, ["a@example.com"]),
    "update_vars": api.update_contact_variables(1, "a@example.com", {"name": "A"}),
    "contacts": api.list_contacts(1, order="asc", active=True),
    "contact": api.get_contact(1, "a@example.com"),
    "create_campaign": api.create_campaign(
        CampaignSpec(sender_name="S", sender_email="s@example.com", subject="Hi", list_ids=[1], body_html="x")
    ),
    "campaign": api.get_campaign(1),
    "campaigns": api.list_campaigns(status=[3]),
    "edit_campaign": api.edit_campaign(1, name="n"),
    "cancel_campaign": api.cancel_campaign(1),
    "countries": api.campaign_countries(1),
    "referrals": api.campaign_referrals(1),
    "senders": api.list_senders(),
    "templates": api.list_templates(),
    "template": api.get_template(1),
    "create_template": api.create_template("<p>x</p>", name="t"),
    "add_phones": api.add_phones(1, ["380501234567"]),
    "send_sms": api.send_sms("Shop", ["380501234567"], "hi"),
    "sms_campaign": api.create_sms_campaign("Shop", 1, "hi"),
    "get_sms": api.get_sms_campaign(1),
    "list_sms": api.list_sms_campaigns("2026-01-01 00:00:00", "2026-01-02 00:00:00"),
    "cancel_sms": api.cancel_sms_campaign(1),
    "sms_cost": api.sms_cost("Shop", "hi", phones=["380501234567"]),
}

FORBIDDEN = (KeyError, TypeError, ValueError, AttributeError, IndexError, OverflowError, RecursionError)

KEYS = st.sampled_from(
    [
        "id",
        "total",
        "real_id",
        "result",
        "success",
        "is_error",
        "error_code",
        "message",
        "error",
        "error_description",
        "data",
        "list",
        "items",
        "campaign_id",
        "status",
        "access_token",
        "expires_in",
        "token_type",
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.just(10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["", " ", "123", "-5", "²", "1e999", "nan", "9" * 5000, "<html>", "true"]),
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.one_of(KEYS, st.text(max_size=8)), inner),
    max_leaves=12,
)
STATUSES = st.sampled_from([200, 201, 204, 301, 400, 401, 403, 404, 409, 422, 429, 500, 502, 503, 504, 599])


ODD_BODIES: dict[str, bytes] = {
    "html": b"<html><body><h1>Whoops, looks like something went wrong.</h1></body></html>",
    "empty": b"",
    "blank": b"   ",
    "null": b"null",
    "deep_array": b"[" * 50_000 + b"]" * 50_000,
    "deep_object": b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    "huge_float": b'{"id": 1e999}',
    "nan": b'{"total": NaN}',
    "huge_int": b'{"total": 1' + b"0" * 5000 + b"}",
    "minus_infinity": b'{"id": -Infinity}',
    "binary": b"\xff\xfe\x00garbage",
    "result_false": b'{"result": false}',
    "string_id": b'[{"id": "x"}]',
}
"""Hand-picked bodies, named so that a failing example prints short."""


def _raw_bodies() -> st.SearchStrategy[bytes]:
    """Answer bodies as bytes: JSON (also invalid as Python floats), HTML, truncations, deep nesting."""
    as_json = JSON_VALUES.map(lambda v: json.dumps(v, allow_nan=True).encode())
    truncated = as_json.flatmap(lambda b: st.integers(0, max(len(b) - 1, 0)).map(lambda n: b[:n]))
    fixed = st.sampled_from(sorted(ODD_BODIES)).map(ODD_BODIES.__getitem__)
    return st.one_of(as_json, truncated, fixed, st.binary(max_size=64))


def _check(action: Callable[[], Any]) -> None:
    try:
        action()
    except SendPulseError:
        pass
    except FORBIDDEN as exc:  # pragma: no cover - the failure hypothesis would report
        raise AssertionError(f"{type(exc).__name__} escaped: {exc!r}") from exc


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("name", sorted(CALLS))
@FUZZ
@given(status=STATUSES, body=JSON_VALUES)
def test_interpret_any_decoded_answer(name: str, status: int, body: Any) -> None:
    call = CALLS[name]
    _check(lambda: interpret(call, RawResponse(status, body, True)))


@FUZZ
@given(name=st.sampled_from(sorted(CALLS)), status=STATUSES, content=_raw_bodies())
def test_interpret_any_raw_answer(name: str, status: int, content: bytes) -> None:
    def run() -> Any:
        body, is_json = decode_body(content)
        return interpret(CALLS[name], RawResponse(status, body, is_json))

    _check(run)


@FUZZ
@given(status=STATUSES, body=JSON_VALUES, header=st.one_of(st.none(), st.text(max_size=40)))
def test_error_mapping_and_retry_after(status: int, body: Any, header: str | None) -> None:
    def run() -> None:
        error = error_from_response(status, body, what="GET /x", retry_after=parse_retry_after(header))
        assert isinstance(error, SendPulseError)
        assert len(error.message) < 400

    _check(run)


@pytest.mark.parametrize("header", ["nan", "NaN", "inf", "-inf", "1e999", "-1", "Wed, 21 Oct 2015 07:28:00"])
def test_retry_after_is_a_finite_wait(header: str) -> None:
    value = parse_retry_after(header)
    assert value is None or 0.0 <= value < float("inf")


class _Canned(HTTPAdapter):
    def __init__(self, status: int, content: bytes, headers: dict[str, str]) -> None:
        super().__init__()
        self.answer = (status, content, headers)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        status, content, headers = self.answer
        response = requests.Response()
        response.status_code = status
        response._content = content
        response.headers.update(headers)
        response.request = request
        response.url = request.url or ""
        return response


def _session(status: int, content: bytes, headers: dict[str, str]) -> requests.Session:
    session = requests.Session()
    session.mount("https://", _Canned(status, content, headers))
    return session


HEADERS = st.one_of(
    st.just({}),
    st.sampled_from(["0", "nan", "inf", "1e999", "-3", "soon", "Wed, 21 Oct 2015 07:28:00 GMT"]).map(
        lambda v: {"Retry-After": v}
    ),
)
NO_WAIT = {"max_retries": 1, "retry_initial_wait": 0.0, "retry_max_wait": 0.0}


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(CALLS)), status=STATUSES, content=_raw_bodies(), headers=HEADERS)
def test_sync_client_end_to_end(name: str, status: int, content: bytes, headers: dict[str, str]) -> None:
    config = ClientConfig(base_url=BASE, api_key="k", max_requests_per_second=None, **NO_WAIT)
    client = SendPulseClient(config, session=_session(status, content, headers))
    _check(lambda: client.run(CALLS[name]))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(CALLS)), status=STATUSES, content=_raw_bodies(), headers=HEADERS)
def test_async_client_end_to_end(name: str, status: int, content: bytes, headers: dict[str, str]) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=content, headers=headers)

    async def run() -> Any:
        http = httpx.AsyncClient(transport=httpx.MockTransport(handle))
        config = ClientConfig(base_url=BASE, api_key="k", max_requests_per_second=None, **NO_WAIT)
        try:
            return await AsyncSendPulseClient(config, http_client=http).run(CALLS[name])
        finally:
            await http.aclose()

    _check(lambda: asyncio.run(run()))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(status=STATUSES, content=_raw_bodies(), headers=HEADERS)
def test_token_exchange_answers(status: int, content: bytes, headers: dict[str, str]) -> None:
    def factory() -> requests.Session:
        session = requests.Session()
        session.mount("https://", _Canned(status, content, {"Content-Type": "application/json", **headers}))
        return session

    def run() -> None:
        minted = mint_client_credentials(
            BASE + "/oauth/access_token", "id", "secret", timeout=1.0, session_factory=factory
        )
        assert minted.access_token
        assert minted.expires_in > 0

    _check(run)


def test_unreadable_success_answer_to_a_create_is_ambiguous() -> None:
    for content in (b'{"id": 12', b"<html>ok</html>"):
        body, is_json = decode_body(content)
        with pytest.raises(SendPulseAmbiguousCreateError, match="could not be read"):
            interpret(CALLS["send_sms"], RawResponse(200, body, is_json))
    with pytest.raises(SendPulseAmbiguousCreateError):
        interpret(CALLS["create_list"], RawResponse(200, {"id": "twelve"}, True))
    # Not a create: an ordinary error, which the task's retry may repeat.
    with pytest.raises(SendPulseError) as raised:
        interpret(CALLS["campaign"], RawResponse(200, None, False))
    assert type(raised.value) is SendPulseError


def test_odd_error_codes_and_deep_nesting() -> None:
    assert error_from_response(400, {"error_code": "²", "message": "x"}, what="GET /x").error_code is None
    assert error_from_response(400, {"error_code": "9" * 5000}, what="GET /x").error_code is None
    assert error_from_response(400, {"error_code": " -17 "}, what="GET /x").error_code == -17
    assert decode_body(ODD_BODIES["deep_array"]) == (None, False)


def test_token_answer_that_is_not_an_object() -> None:
    def factory() -> requests.Session:
        session = requests.Session()
        session.mount("https://", _Canned(200, b"null", {"Content-Type": "application/json"}))
        return session

    with pytest.raises(SendPulseAuthError, match="not a token"):
        mint_client_credentials(BASE + "/oauth/access_token", "id", "s", timeout=1.0, session_factory=factory)
