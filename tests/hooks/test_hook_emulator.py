"""SendPulseHook against the emulator: the whole API surface, OpenAPI conformance, secrets, streaming."""

from __future__ import annotations

import json
import logging

import pytest
from hook_openapi import RequestRecorder, validate_all

from airflow_provider_sendpulse.client import (
    BatchProgress,
    CampaignSpec,
    Contact,
    DoubleOptIn,
    SendPulseAuthError,
    SendPulseNotFoundError,
)
from airflow_provider_sendpulse.client.auth import token_cache_for
from airflow_provider_sendpulse.emulator.config import (
    DEFAULT_API_KEY,
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
)
from airflow_provider_sendpulse.hooks.sendpulse import DEFAULT_ADD_BATCH_SIZE, SendPulseHook

SENDER = "sender@example.com"


@pytest.fixture
def hook(sendpulse_conn: str) -> SendPulseHook:
    return SendPulseHook(sendpulse_conn)


def _token(hook: SendPulseHook) -> str:
    cached = token_cache_for(hook.get_conn().config.credential)._token
    assert cached is not None
    return cached.value


def test_test_connection(hook):
    ok, message = hook.test_connection()
    assert ok
    assert "owner@example.com" in message


def test_test_connection_reports_the_account_time_zone(emulator, monkeypatch):
    emulator.configure(timezone="Europe/Kyiv")
    for extra, expected in (
        ({"timezone": "Europe/Kyiv"}, "account time zone Europe/Kyiv"),
        ({}, "SendPulse reports the account time zone 'Europe/Kyiv' but the connection's 'timezone' extra"),
    ):
        extras = {"api_key": DEFAULT_API_KEY, **extra}
        conn = {"conn_type": "sendpulse", "host": emulator.url, "extra": extras}
        monkeypatch.setenv("AIRFLOW_CONN_SENDPULSE_ZONE", json.dumps(conn))
        ok, message = SendPulseHook("sendpulse_zone").test_connection()
        assert ok
        assert expected in message


def test_test_connection_with_bad_secret(emulator, monkeypatch):
    conn = {
        "conn_type": "sendpulse",
        "host": emulator.url,
        "login": DEFAULT_CLIENT_ID,
        "password": "nope-123",
    }
    monkeypatch.setenv("AIRFLOW_CONN_SENDPULSE_BAD", json.dumps(conn))
    ok, message = SendPulseHook("sendpulse_bad").test_connection()
    assert not ok
    assert "HTTP 401" in message
    assert "nope-123" not in message


def test_a_wrong_secret_after_a_good_one_fails_in_the_same_process(emulator, monkeypatch):
    conn = {"conn_type": "sendpulse", "host": emulator.url, "login": DEFAULT_CLIENT_ID}
    monkeypatch.setenv(
        "AIRFLOW_CONN_SENDPULSE_EDITED", json.dumps({**conn, "password": DEFAULT_CLIENT_SECRET})
    )
    assert SendPulseHook("sendpulse_edited").test_connection()[0]
    assert SendPulseHook("sendpulse_edited").get_user_info()["email"]  # a token is now cached

    monkeypatch.setenv("AIRFLOW_CONN_SENDPULSE_EDITED", json.dumps({**conn, "password": "wrong-secret"}))
    ok, message = SendPulseHook("sendpulse_edited").test_connection()
    assert not ok
    assert "Check the API ID and API Secret" in message
    assert "wrong-secret" not in message
    # Not only the Test button: any hook with the wrong secret mints for itself and is refused.
    with pytest.raises(SendPulseAuthError):
        SendPulseHook("sendpulse_edited").get_user_info()


def test_test_connection_mints_afresh(hook, emulator):
    assert hook.get_user_info()["email"]
    emulator.clear_requests()
    assert hook.test_connection()[0]
    assert [r["path"] for r in emulator.requests()] == ["/oauth/access_token", "/user/info"]


def test_test_connection_with_bad_settings(emulator, monkeypatch):
    conn = {"conn_type": "sendpulse", "host": emulator.url, "login": "id", "extra": {"timeout": "soon"}}
    monkeypatch.setenv("AIRFLOW_CONN_SENDPULSE_BAD", json.dumps(conn))
    ok, message = SendPulseHook("sendpulse_bad").test_connection()
    assert not ok
    assert "timeout" in message


def test_static_api_key_from_extras(emulator, monkeypatch):
    conn = {
        "conn_type": "sendpulse",
        "host": emulator.url,
        "extra": {"api_key": DEFAULT_API_KEY},
    }
    monkeypatch.setenv("AIRFLOW_CONN_SENDPULSE_KEY", json.dumps(conn))
    assert SendPulseHook("sendpulse_key").test_connection()[0]
    assert not [r for r in emulator.requests() if r["path"] == "/oauth/access_token"]


def test_every_request_matches_the_vendor_openapi(hook, emulator):
    recorder = RequestRecorder()
    recorder.attach_session(hook.get_conn().transport.session)

    list_id = hook.create_mailing_list("Spec")
    assert hook.get_mailing_list(list_id)["name"] == "Spec"
    assert hook.find_mailing_list("Spec")["id"] == list_id
    assert hook.find_mailing_list("absent") is None
    hook.rename_mailing_list(list_id, "Spec 2")
    summary = hook.add_contacts(
        list_id,
        [Contact("a@example.com", {"name": "Ann"}), "b@example.com", {"email": "c@example.com", "age": 3}],
    )
    assert summary.contacts == 3
    hook.add_contacts(list_id, ["d@example.com"], double_opt_in=DoubleOptIn(SENDER))
    assert hook.count_contacts(list_id) == 4
    assert {v["name"] for v in hook.get_list_variables(list_id)} >= {"name"}
    assert len(list(hook.iter_contacts(list_id, order="desc", active=True))) >= 3
    assert hook.get_contact(list_id, "a@example.com")["email"] == "a@example.com"
    hook.update_contact_variables(list_id, "a@example.com", {"name": "Anna", "age": 30})
    assert hook.unsubscribe_contacts(list_id, ["b@example.com"]) == 1
    assert hook.remove_contacts(list_id, (e for e in ["c@example.com"])) == 1
    assert hook.list_senders()
    templates = hook.list_templates("sendpulse")
    assert hook.get_template(templates[0]["id"])
    template_id = hook.create_template("<p>T</p>", name="T")
    assert hook.get_template(template_id)
    spec = CampaignSpec(
        "Shop", SENDER, "Hi", list_ids=[list_id], body_html="<p>x</p>", name="Spec campaign", track_opens=True
    )
    campaign = hook.create_campaign(spec)
    assert hook.get_campaign(campaign["id"])["id"] == campaign["id"]
    assert hook.find_campaign("Spec campaign")["id"] == campaign["id"]
    assert list(hook.iter_campaigns(status=[13, 14, 2, 3]))
    stats = hook.get_campaign_stats(campaign["id"])
    assert set(stats) == {"campaign", "countries", "referrals"}
    scheduled = hook.create_campaign(
        CampaignSpec(
            "Shop",
            SENDER,
            "Later",
            list_ids=[hook.create_mailing_list("Other")],
            template_id=template_id,
            send_date="2099-01-01 10:00:00",
            name="Later",
        )
    )
    hook.cancel_campaign(scheduled["id"])
    draft = hook.create_campaign(
        CampaignSpec("Shop", SENDER, "Draft", list_ids=[list_id], body_html="<p>d</p>", name="D", draft=True)
    )
    hook.edit_campaign(draft["id"], name="D2", subject="Draft!")
    assert hook.add_phones(list_id, ["380501234567", "+380501234568"])["counters"]
    sms = hook.send_sms("Shop", ["380501234567"], "hello")
    sms_campaign = hook.create_sms_campaign("Shop", list_id, "hello list", date="2099-01-01 10:00:00")
    assert hook.get_sms_campaign(sms_campaign["campaign_id"])
    assert hook.list_sms_campaigns("2000-01-01 00:00:00", "2100-01-01 00:00:00")
    hook.cancel_sms_campaign(sms_campaign["campaign_id"])
    assert "campaign_id" in sms
    assert hook.sms_cost("Shop", "hi", list_id=list_id)
    assert hook.sms_cost("Shop", "hi", phones=["380501234567"])
    assert hook.get_balance()
    assert hook.get_user_info()["email"]
    assert isinstance(hook.call("GET", "/addressbooks", params={"limit": 5, "offset": 0}), list)
    assert hook.get_user_info()["email"]

    counts = validate_all(recorder.requests, emulator.url)
    assert counts["bulk-email.yml"] >= 30
    assert counts["sms.yml"] >= 7
    assert counts["by hand"] == 2  # the two /user/info calls (minting uses its own session)


async def test_async_client_requests_match_the_vendor_openapi(hook, emulator):
    list_id = emulator.create_list("Async")
    emulator.seed_contacts(list_id, 120)
    recorder = RequestRecorder()
    from airflow_provider_sendpulse.client import aiter_items, api

    async with await hook.get_async_client() as client:
        recorder.attach_httpx(await client.transport.http_client())
        total = await client.run(api.count_contacts(list_id))
        emails = [
            c["email"] async for c in aiter_items(client, lambda n, o: api.list_contacts(list_id, n, o))
        ]
        campaigns = await client.run(api.list_campaigns(status=[3]))
    assert total == len(emails) == 120
    assert campaigns == []
    counts = validate_all(recorder.requests, emulator.url)
    assert counts["bulk-email.yml"] == 4


async def test_async_client_reads_the_connection_without_blocking(hook):
    client = await hook.get_async_client()
    try:
        assert client.config.client_id == DEFAULT_CLIENT_ID
        assert (await client.run(__import__("airflow_provider_sendpulse").client.api.get_user_info()))["id"]
    finally:
        await client.aclose()


def test_add_contacts_streams_in_batches(hook, emulator):
    list_id = hook.create_mailing_list("Stream")
    produced = 0
    progress: list[BatchProgress] = []

    def source():
        nonlocal produced
        for i in range(2_345):
            produced += 1
            yield {"email": f"user{i}@example.com", "variables": {"n": i}}

    def on_batch(update: BatchProgress) -> None:
        # The source is read one batch ahead at most: never the whole input.
        assert produced <= update.contacts_sent + 1
        progress.append(update)

    summary = hook.add_contacts(list_id, source(), batch_size=1000, on_batch=on_batch)
    assert summary.contacts == 2_345
    assert summary.batches == 3
    assert [p.batch_size for p in progress] == [1000, 1000, 345]
    assert progress[-1].contacts_sent == 2_345
    assert hook.count_contacts(list_id) == 2_345
    assert summary.to_dict()["batch_size"] == 1000
    assert DEFAULT_ADD_BATCH_SIZE >= 100


def test_get_stats_of_a_campaign_that_does_not_exist(hook):
    with pytest.raises(SendPulseNotFoundError):
        hook.get_campaign_stats(999_999)


@pytest.mark.wire_exempt  # limit=1000 is refused on purpose
def test_no_secret_in_logs_or_errors(emulator, sendpulse_conn, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    hook = SendPulseHook(sendpulse_conn)
    emulator.add_fault(method="GET", path="/user/info", times=2, status=503)
    hook.get_user_info()
    token = _token(hook)
    emulator.expire_tokens()
    hook.get_balance()
    new_token = _token(hook)
    emulator.add_fault(method="POST", path="/sms/send", times=1, drop=True)
    errors = []
    for action in (
        lambda: hook.send_sms("Shop", ["380501234567"], "hi"),
        lambda: hook.get_mailing_list(424242),
        lambda: hook.call("GET", "/addressbooks", params={"limit": 1000}),
    ):
        try:
            action()
        except Exception as exc:
            errors.append(f"{exc!s} {exc!r} {exc.__cause__!r}")
    out, err = capsys.readouterr()
    everything = "\n".join([caplog.text, out, err, *errors, repr(hook.get_conn())])
    assert "HTTP 503" in caplog.text or "503" in everything
    assert len(errors) == 3
    for secret in (token, new_token, DEFAULT_CLIENT_SECRET):
        assert secret not in everything


def test_tokens_are_registered_with_the_secret_masker(hook):
    from airflow.providers.common.compat.sdk import redact

    hook.get_user_info()
    token = _token(hook)
    assert token not in str(redact(f"Authorization: Bearer {token}"))
