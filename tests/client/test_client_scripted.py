"""Client behaviour against scripted answers: retries, 401 handling, ambiguous creates."""

import httpx
import pytest
import requests
import urllib3
from client_fakes import Script, counting_mint, httpx_client, requests_session

from airflow_provider_sendpulse.client import (
    AsyncSendPulseClient,
    ClientConfig,
    SendPulseAmbiguousCreateError,
    SendPulseAuthError,
    SendPulseClient,
    SendPulseConnectionError,
    SendPulseRateLimitError,
    SendPulseValidationError,
    api,
)
from airflow_provider_sendpulse.client.auth import ClientCredentialsAuth, TokenCache

FAST = {"retry_initial_wait": 0.001, "retry_max_wait": 0.01, "max_requests_per_second": None}


def keyed(script, **overrides):
    config = ClientConfig(base_url="https://sp.test", api_key="key", **{**FAST, **overrides})
    return SendPulseClient(config, session=requests_session(script))


def minted(script, **overrides):
    config = ClientConfig(
        base_url="https://sp.test", client_id="id", client_secret="secret", **{**FAST, **overrides}
    )
    client = SendPulseClient(config, session=requests_session(script))
    mint = counting_mint()
    client.core.auth = ClientCredentialsAuth(TokenCache(), mint)
    return client, mint


def async_minted(script, **overrides):
    config = ClientConfig(
        base_url="https://sp.test", client_id="id", client_secret="secret", **{**FAST, **overrides}
    )
    client = AsyncSendPulseClient(config, http_client=httpx_client(script))
    mint = counting_mint()
    client.core.auth = ClientCredentialsAuth(TokenCache(), mint)
    return client, mint


def test_retries_recoverable_failures_then_succeeds():
    script = Script(
        (429, {"message": "slow"}),
        (200, {"is_error": True, "error_code": 2020202020}),
        (503, b"<html>Whoops</html>"),
        requests.ConnectionError("reset"),
        requests.ReadTimeout("slow"),
        (200, {"total": 5}),
    )
    assert keyed(script).run(api.count_contacts(1)) == 5
    assert len(script.seen) == 6


def test_422_is_not_retried():
    script = Script((422, {"error_code": 422, "message": "limit may not be greater than 100"}))
    with pytest.raises(SendPulseValidationError, match="may not be greater"):
        keyed(script).run(api.get_user_info())
    assert len(script.seen) == 1


def test_retries_are_bounded():
    script = Script(*[(503, {})] * 3)
    with pytest.raises(Exception, match="HTTP 503"):
        keyed(script, max_retries=2).run(api.get_user_info())
    assert len(script.seen) == 3


def test_rate_limit_error_after_exhausting_retries_keeps_its_class():
    script = Script((429, {}), (429, {}))
    with pytest.raises(SendPulseRateLimitError):
        keyed(script, max_retries=1).run(api.get_user_info())


@pytest.mark.parametrize(
    "failure",
    [(503, {}), (500, {}), requests.ReadTimeout("slow"), requests.ConnectionError("Connection aborted")],
)
def test_ambiguous_create_is_not_replayed(failure):
    script = Script(failure)
    with pytest.raises(SendPulseAmbiguousCreateError) as info:
        keyed(script).run(api.send_sms("Me", ["380501234567"], "hi"))
    assert len(script.seen) == 1
    assert info.value.path == "/sms/send"


def test_create_is_retried_when_it_certainly_did_not_happen():
    refused = requests.ConnectionError(
        urllib3.exceptions.MaxRetryError(
            None,
            "/",
            urllib3.exceptions.NewConnectionError(None, "refused"),  # type: ignore[arg-type]
        )
    )
    script = Script((429, {}), refused, requests.ConnectTimeout("t"), (200, {"id": 9, "status": 13}))
    assert keyed(script).run(api.create_mailing_list("x")) == 9
    assert len(script.seen) == 4


def test_401_remints_once_and_retries():
    script = Script((401, {"message": "Unauthorized!"}), (200, {"total": 1}))
    client, mint = minted(script)
    assert client.run(api.count_contacts(1)) == 1
    assert mint.count["n"] == 2
    assert [s[2] for s in script.seen] == ["Bearer token-1", "Bearer token-2"]


def test_second_401_raises_auth_error():
    script = Script((401, {}), (401, {}))
    client, mint = minted(script)
    with pytest.raises(SendPulseAuthError, match="freshly issued"):
        client.run(api.get_user_info())
    assert mint.count["n"] == 2
    assert len(script.seen) == 2


def test_401_with_static_key_is_final():
    script = Script((401, {"message": "Unauthorized!"}))
    with pytest.raises(SendPulseAuthError):
        keyed(script).run(api.get_user_info())
    assert script.seen == [("GET", "/user/info", "Bearer key")]


def test_401_on_a_create_remints_and_sends_once_more():
    script = Script((401, {}), (200, {"result": True, "campaign_id": 3}))
    client, _ = minted(script)
    assert client.run(api.send_sms("Me", ["1"], "hi")) == {"campaign_id": 3}


def test_new_tokens_are_reported_once():
    script = Script((200, {}), (200, {}), (401, {}), (200, {}))
    client, _ = minted(script)
    seen: list[str] = []
    client.core._on_new_secret = seen.append
    for _ in range(3):
        client.run(api.get_user_info())
    assert seen == ["token-1", "token-2"]


def test_escape_hatch():
    script = Script((200, [{"id": 1}]))
    assert keyed(script).call("GET", "/addressbooks", params={"limit": 1}) == [{"id": 1}]


async def test_async_retries_and_401():
    script = Script(
        (503, {}),
        httpx.ReadError("reset"),
        (401, {}),
        (200, {"is_error": True, "error_code": 2020202020}),
        (200, {"total": 2}),
    )
    client, mint = async_minted(script)
    async with client:
        assert await client.run(api.count_contacts(1)) == 2
    assert mint.count["n"] == 2
    assert len(script.seen) == 5


@pytest.mark.parametrize(
    "failure", [(502, {}), httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("dropped")]
)
async def test_async_ambiguous_create(failure):
    script = Script(failure)
    client, _ = async_minted(script)
    async with client:
        with pytest.raises(SendPulseAmbiguousCreateError):
            await client.run(api.create_sms_campaign("Me", 1, "hi"))
    assert len(script.seen) == 1


async def test_async_connect_error_is_retried_for_creates():
    script = Script(httpx.ConnectError("refused"), (200, {"result": True, "campaign_id": 1}))
    client, _ = async_minted(script)
    async with client:
        assert await client.run(api.create_sms_campaign("Me", 1, "hi")) == {"campaign_id": 1}


async def test_async_connection_error_surfaces_after_retries():
    script = Script(httpx.ConnectError("refused"), httpx.ConnectError("refused"))
    client, _ = async_minted(script, max_retries=1)
    async with client:
        with pytest.raises(SendPulseConnectionError, match="connection failed"):
            await client.run(api.get_user_info())


async def test_async_new_tokens_are_reported_off_the_loop():
    import threading

    script = Script((200, {}), (401, {}), (200, {}))
    client, _ = async_minted(script)
    reports: list[tuple[str, bool]] = []
    loop_thread = threading.current_thread()

    def report(token: str) -> None:
        reports.append((token, threading.current_thread() is loop_thread))

    client.core._on_new_secret = report
    async with client:
        await client.run(api.get_user_info())
        await client.run(api.get_user_info())
    assert reports == [("token-1", False), ("token-2", False)]


async def test_a_shared_http_client_is_not_closed():
    script = Script((200, {}))
    shared = httpx_client(script)
    config = ClientConfig(base_url="https://sp.test", api_key="key", **FAST)
    async with AsyncSendPulseClient(config, http_client=shared) as client:
        await client.run(api.get_user_info())
    assert not shared.is_closed
    await shared.aclose()
