"""The clients against the emulator over real HTTP on loopback."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from airflow_provider_sendpulse.client import (
    AsyncSendPulseClient,
    CampaignSpec,
    ClientConfig,
    SendPulseAmbiguousCreateError,
    SendPulseAuthError,
    SendPulseClient,
    SendPulseValidationError,
    api,
)
from airflow_provider_sendpulse.client.auth import TokenCache, token_cache_for
from airflow_provider_sendpulse.emulator.config import (
    DEFAULT_API_KEY,
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
)

TOKEN_PATH = "/oauth/access_token"
SENDER = "sender@example.com"


def config(url: str, **overrides) -> ClientConfig:
    settings = {
        "base_url": url,
        "client_id": DEFAULT_CLIENT_ID,
        "client_secret": DEFAULT_CLIENT_SECRET,
        "max_requests_per_second": None,
        "retry_initial_wait": 0.01,
        "retry_max_wait": 0.2,
        "timeout": 5.0,
    }
    settings.update(overrides)
    return ClientConfig(**settings)


def mints(emulator) -> int:
    return sum(1 for r in emulator.requests() if r["path"] == TOKEN_PATH)


def api_requests(emulator, path: str | None = None) -> list[dict]:
    return [r for r in emulator.requests() if r["path"] != TOKEN_PATH and path in (None, r["path"])]


def test_expired_token_mid_run_remints_once(emulator):
    with SendPulseClient(config(emulator.url)) as client:
        client.run(api.get_user_info())
        assert emulator.expire_tokens() == 1
        assert client.run(api.get_balance())["currency"]
        client.run(api.get_user_info())
    assert mints(emulator) == 2
    statuses = [r["status"] for r in api_requests(emulator)]
    assert statuses == [200, 401, 200, 200]


def test_token_is_renewed_before_it_expires(emulator):
    emulator.configure(token_ttl=60)  # renewal lead 6 s: renewed from 54 s on
    now = [1000.0]
    cache = TokenCache(clock=lambda: now[0])
    with SendPulseClient(config(emulator.url), token_cache=cache) as client:
        client.run(api.get_user_info())
        now[0] += 53.0
        client.run(api.get_user_info())
        assert mints(emulator) == 1
        now[0] += 2.0
        client.run(api.get_user_info())
        client.run(api.get_user_info())
    assert mints(emulator) == 2
    assert all(r["status"] == 200 for r in emulator.requests())


def test_cold_start_50_coroutines_and_8_threads_share_one_mint(emulator):
    cfg = config(emulator.url)
    start = threading.Barrier(9)
    errors: list[BaseException] = []

    def thread_worker() -> None:
        try:
            with SendPulseClient(cfg) as client:
                start.wait()
                client.run(api.get_user_info())
        except BaseException as exc:
            errors.append(exc)

    async def coroutines() -> None:
        async with AsyncSendPulseClient(cfg) as client:
            start.wait()
            await asyncio.gather(*(client.run(api.get_user_info()) for _ in range(50)))

    threads = [threading.Thread(target=thread_worker) for _ in range(8)]
    for t in threads:
        t.start()
    asyncio.run(coroutines())
    for t in threads:
        t.join()
    assert not errors
    assert mints(emulator) == 1
    assert len(api_requests(emulator, "/user/info")) == 58


def test_static_api_key_never_mints(emulator):
    with SendPulseClient(config(emulator.url, api_key=DEFAULT_API_KEY, client_id=None)) as client:
        client.run(api.get_user_info())
    assert mints(emulator) == 0


def test_bad_secret_is_a_clear_auth_error(emulator):
    with (
        SendPulseClient(config(emulator.url, client_secret="wrong-secret-value")) as client,
        pytest.raises(SendPulseAuthError) as info,
    ):
        client.run(api.get_user_info())
    assert "wrong-secret-value" not in str(info.value)
    assert info.value.status == 401
    assert mints(emulator) == 1


@pytest.mark.parametrize(
    "fault",
    [
        {"status": 429},
        {"status": 400, "error_code": 2020202020, "message": "Too many requests"},
        {"status": 503},
        {"drop": True},
        {"status": 500, "body": "<html>Whoops, looks like something went wrong.</html>"},
    ],
    ids=["429", "2020202020", "503", "drop", "html-500"],
)
def test_injected_failures_are_recovered(emulator, fault):
    with SendPulseClient(config(emulator.url)) as client:
        list_id = client.run(api.create_mailing_list("Faults"))
        emulator.add_fault(method="GET", path="/addressbooks/*/emails/total", times=2, **fault)
        assert client.run(api.count_contacts(list_id)) == 0
    assert len(api_requests(emulator, f"/addressbooks/{list_id}/emails/total")) == 3


async def test_injected_failures_are_recovered_async(emulator):
    emulator.add_fault(method="GET", path="/user/info", times=1, status=429)
    emulator.add_fault(method="GET", path="/user/info", times=1, drop=True)
    emulator.add_fault(method="GET", path="/user/info", times=1, status=503)
    async with AsyncSendPulseClient(config(emulator.url)) as client:
        info = await client.run(api.get_user_info())
    assert info["email"]
    assert len(api_requests(emulator, "/user/info")) == 4


@pytest.mark.wire_exempt  # limit=500 is refused on purpose
def test_422_is_not_retried(emulator):
    with (
        SendPulseClient(config(emulator.url)) as client,
        pytest.raises(SendPulseValidationError, match="100"),
    ):
        client.call("GET", "/addressbooks", params={"limit": 500})
    logged = api_requests(emulator, "/addressbooks")
    assert [r["status"] for r in logged] == [422]


def _max_per_window(times: list[float], window: float = 1.0) -> int:
    times = sorted(times)
    best = j = 0
    for i, t in enumerate(times):
        while times[j] <= t - window:
            j += 1
        best = max(best, i - j + 1)
    return best


@pytest.mark.slow
def test_burst_of_200_calls_never_exceeds_the_rate(emulator):
    rate = 25
    emulator.configure(rate_limit=rate)  # the emulator would answer 429 to any excess
    cfg = config(emulator.url, max_requests_per_second=rate, max_retries=0)
    SendPulseClient(cfg).run(api.get_user_info())  # mint first; the rate covers it too
    emulator.clear_requests()
    errors: list[BaseException] = []

    def thread_worker() -> None:
        with SendPulseClient(cfg) as client:
            for _ in range(15):
                try:
                    client.run(api.get_user_info())
                except BaseException as exc:
                    errors.append(exc)

    async def coroutines() -> None:
        async with AsyncSendPulseClient(cfg) as client:
            await asyncio.gather(*(client.run(api.get_user_info()) for _ in range(80)))

    threads = [threading.Thread(target=thread_worker) for _ in range(8)]
    started = time.monotonic()
    for t in threads:
        t.start()
    asyncio.run(coroutines())
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    assert not errors
    logged = emulator.requests()
    assert len(logged) == 200
    assert all(r["status"] == 200 for r in logged)
    assert _max_per_window([r["time"] for r in logged]) <= rate
    assert elapsed >= 200 / rate - 1.5


def test_timed_out_create_is_not_replayed(emulator):
    emulator.add_fault(method="POST", path="/campaigns", times=1, delay=1.5)
    spec = CampaignSpec(
        "Shop", SENDER, "Hello", list_ids=[emulator.create_list("L")], body_html="<p>x</p>", name="once"
    )
    with SendPulseClient(config(emulator.url, timeout=0.5)) as client:
        with pytest.raises(SendPulseAmbiguousCreateError) as info:
            client.run(api.create_campaign(spec))
        assert info.value.path == "/campaigns"
        time.sleep(1.3)  # let the stalled request finish on the server
        assert len(api_requests(emulator, "/campaigns")) == 1


@pytest.mark.parametrize("fault", [{"drop": True}, {"status": 502}], ids=["drop", "502"])
def test_ambiguous_sms_send_is_not_replayed(emulator, fault):
    emulator.add_fault(method="POST", path="/sms/send", times=1, **fault)
    with SendPulseClient(config(emulator.url)) as client, pytest.raises(SendPulseAmbiguousCreateError):
        client.run(api.send_sms("Shop", ["380501234567"], "hi"))
    assert len(api_requests(emulator, "/sms/send")) == 1


def test_rate_limited_create_is_retried(emulator):
    emulator.add_fault(method="POST", path="/addressbooks", times=1, status=429)
    with SendPulseClient(config(emulator.url)) as client:
        assert client.run(api.create_mailing_list("After 429")) > 0
    assert [r["status"] for r in api_requests(emulator, "/addressbooks")] == [429, 200]


def test_clients_of_one_account_share_the_token(emulator):
    cfg = config(emulator.url)
    with SendPulseClient(cfg) as a, SendPulseClient(cfg) as b:
        a.run(api.get_user_info())
        b.run(api.get_user_info())
    assert mints(emulator) == 1
    assert token_cache_for(cfg.credential).mint_count == 1


async def test_async_pagination_and_sync_pagination_agree(emulator):
    from airflow_provider_sendpulse.client import aiter_items, iter_items

    list_id = emulator.create_list("Paged")
    emulator.seed_contacts(list_id, 250)
    cfg = config(emulator.url)

    def page(limit: int, offset: int):
        return api.list_contacts(list_id, limit, offset)

    async with AsyncSendPulseClient(cfg) as aclient:
        async_emails = [c["email"] async for c in aiter_items(aclient, page)]
    with SendPulseClient(cfg) as client:
        sync_emails = [c["email"] for c in iter_items(client, page)]
    assert len(sync_emails) == 250
    assert async_emails == sync_emails
    offsets = [r["query"] for r in api_requests(emulator, f"/addressbooks/{list_id}/emails")]
    assert len(offsets) == 6


def test_a_second_401_after_reminting_is_an_auth_error(emulator):
    emulator.add_fault(method="GET", path="/user/info", times=2, status=401, message="Unauthorized!")
    with SendPulseClient(config(emulator.url)) as client, pytest.raises(SendPulseAuthError, match="freshly"):
        client.run(api.get_user_info())
    assert mints(emulator) == 2
    assert [r["status"] for r in api_requests(emulator, "/user/info")] == [401, 401]


def test_event_loops_in_several_threads_share_one_mint(emulator):
    cfg = config(emulator.url)

    async def calls() -> None:
        async with AsyncSendPulseClient(cfg) as client:
            await asyncio.gather(*(client.run(api.get_balance()) for _ in range(10)))

    threads = [threading.Thread(target=asyncio.run, args=(calls(),)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert mints(emulator) == 1
    assert len(api_requests(emulator, "/balance")) == 40


def test_replayed_delete_whose_answer_was_lost_settles_on_not_found(emulator):
    list_id = emulator.create_list("to delete")
    emulator.add_fault(method="DELETE", path=f"/addressbooks/{list_id}", drop=True, after=True)
    with SendPulseClient(config(emulator.url)) as client:
        assert client.run(api.delete_mailing_list(list_id)) is None
    deletes = api_requests(emulator, f"/addressbooks/{list_id}")
    assert [r["status"] for r in deletes] == [None, 404]
    assert all(item["id"] != list_id for item in emulator.state()["lists"])


async def test_replayed_unsubscribe_settles_async(emulator):
    list_id = emulator.create_list("leaving")
    emulator.seed_contacts(list_id, 3, prefix="leaver")
    emulator.add_fault(method="POST", path="/addressbooks/*/emails/unsubscribe", drop=True, after=True)
    async with AsyncSendPulseClient(config(emulator.url)) as client:
        await client.run(api.unsubscribe_contacts(list_id, ["leaver1@example.com"]))
    statuses = [r["status"] for r in api_requests(emulator, f"/addressbooks/{list_id}/emails/unsubscribe")]
    assert statuses == [None, 422]


def test_delete_of_a_missing_list_still_fails_without_a_lost_answer(emulator):
    from airflow_provider_sendpulse.client import SendPulseNotFoundError

    with SendPulseClient(config(emulator.url)) as client, pytest.raises(SendPulseNotFoundError):
        client.run(api.delete_mailing_list(999_999))
