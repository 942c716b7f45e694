"""SendPulse's wire conventions: PHP-style query strings and dates in the account's time zone."""

from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import unquote_plus

import httpx
import pytest
import requests

from airflow_provider_sendpulse.client import api
from airflow_provider_sendpulse.client.core import ClientConfig, ClientCore
from airflow_provider_sendpulse.client.wire import account_time, account_zone, encode_query

KYIV = account_zone("Europe/Kyiv")


def test_query_booleans_are_one_and_zero():
    assert encode_query({"active": True, "not_active": False}) == (("active", "1"), ("not_active", "0"))


def test_query_arrays_are_bracketed_and_mappings_nested():
    assert encode_query({"status": [3, 23], "route": {"UA": "national"}, "skip": None}) == (
        ("status[]", "3"),
        ("status[]", "23"),
        ("route[UA]", "national"),
    )


def test_query_refuses_values_with_no_query_form():
    with pytest.raises(ValueError, match="query parameter 'x': nested lists"):
        encode_query({"x": [[1]]})
    with pytest.raises(ValueError, match="query parameter 'when': a bytes cannot"):
        encode_query({"when": b"x"})


def test_unknown_time_zone_names_the_setting():
    with pytest.raises(ValueError, match="timezone 'Mars/Olympus' is not a known time zone"):
        ClientConfig(api_key="k", timezone="Mars/Olympus")
    assert ClientConfig(api_key="k", timezone=" ").timezone == "UTC"


def test_account_time_converts_aware_and_keeps_naive():
    winter = datetime(2030, 1, 2, 8, 0, tzinfo=UTC)
    assert account_time(winter, KYIV) == "2030-01-02 10:00:00"
    summer = datetime(2030, 7, 2, 8, 0, tzinfo=timezone(timedelta(hours=-4)))
    assert account_time(summer, KYIV) == "2030-07-02 15:00:00"
    assert account_time(datetime(2030, 1, 2, 8, 0), KYIV) == "2030-01-02 08:00:00"


def _request(call: api.Call[object], zone: str = "Europe/Kyiv") -> tuple[str, object]:
    core = ClientCore(ClientConfig(base_url="https://sp.test", api_key="k", timezone=zone))
    request = core.request(call, "token")
    url = httpx.URL(request.url, params=request.params)
    return unquote_plus(url.query.decode()), request.json


def test_every_date_goes_out_in_the_account_zone():
    noon_utc = datetime(2030, 1, 2, 12, 0, tzinfo=UTC)
    query, _ = _request(api.list_sms_campaigns("2030-01-02 00:00:00", noon_utc))
    assert query == "dateFrom=2030-01-02 00:00:00&dateTo=2030-01-02 14:00:00"
    _, body = _request(api.send_sms("Shop", ["380501234567"], "hi", date=noon_utc))
    assert isinstance(body, dict)
    assert body["date"] == "2030-01-02 14:00:00"
    _, body = _request(api.edit_campaign(1, send_date="2030-01-02T12:00:00+00:00"))
    assert body == {"send_date": "2030-01-02 14:00:00"}
    _, body = _request(api.edit_campaign(1, send_date=noon_utc), zone="UTC")
    assert body == {"send_date": "2030-01-02 12:00:00"}


def test_the_issue_calls_on_the_wire():
    assert _request(api.list_contacts(1, active=True))[0] == "limit=100&offset=0&active=1"
    assert _request(api.list_campaigns(status=[3, 23]))[0] == (
        "limit=100&offset=0&order=desc&status[]=3&status[]=23"
    )
    query, _ = _request(api.sms_cost("Shop", "hi", phones=["380501112233", "+380671112233"]))
    assert query == "sender=Shop&body=hi&phones[]=380501112233&phones[]=380671112233"


def test_both_transports_send_the_same_query():
    core = ClientCore(ClientConfig(base_url="https://sp.test", api_key="k"))
    request = core.request(api.list_campaigns(status=[3, 23]), "token")
    sent_by_httpx = httpx.Request("GET", request.url, params=request.params).url.query.decode()
    prepared = requests.Request("GET", request.url, params=request.params).prepare()
    assert prepared.url is not None
    assert prepared.url.split("?", 1)[1] == sent_by_httpx
