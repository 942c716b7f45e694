"""Network failures: one retry budget per call, errors that name the URL and the cause, plain-http policy.

Every endpoint here is real and on loopback: a closed port, a server that accepts and says nothing,
a TLS server with a self-signed certificate, the emulator spoken to in the wrong scheme.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import os
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from airflow_provider_sendpulse.client import (
    AsyncSendPulseClient,
    ClientConfig,
    SendPulseClient,
    SendPulseConnectionError,
    SendPulseTLSError,
    api,
)
from airflow_provider_sendpulse.client.auth import token_cache_for
from airflow_provider_sendpulse.client.transport import safe_url
from airflow_provider_sendpulse.emulator.config import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET

FAST = {"retry_initial_wait": 0.001, "retry_max_wait": 0.01, "max_requests_per_second": None}


def _config(url: str, **overrides: object) -> ClientConfig:
    settings: dict[str, object] = {
        "base_url": url,
        "client_id": DEFAULT_CLIENT_ID,
        "client_secret": DEFAULT_CLIENT_SECRET,
        "timeout": 2.0,
        **FAST,
    }
    settings.update(overrides)
    return ClientConfig(**settings)  # type: ignore[arg-type]


class CountingServer:
    """A TCP server on loopback that counts connections and closes each one without answering.

    ``hold`` keeps connections open instead (a server that never answers); ``handle`` does something
    with each connection before it is closed (a TLS handshake, say).
    """

    def __init__(self, hold: bool = False, handle: Callable[[socket.socket], None] | None = None) -> None:
        self.connections = 0
        self.hold = hold
        self.handle = handle
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._sock.settimeout(0.2)
        self.port: int = self._sock.getsockname()[1]
        self._stop = threading.Event()
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            if self.hold:
                self._held.append(conn)
                continue
            if self.handle is not None:
                with contextlib.suppress(OSError):  # ssl.SSLError included: the client hung up
                    self.handle(conn)
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self._sock.close()
        for conn in self._held:
            conn.close()


@pytest.fixture
def silent_server() -> Iterator[CountingServer]:
    server = CountingServer()
    yield server
    server.close()


@pytest.fixture
def hanging_server() -> Iterator[CountingServer]:
    server = CountingServer(hold=True)
    yield server
    server.close()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


# --- one retry budget ---------------------------------------------------------------------------


@pytest.mark.parametrize("max_retries", [0, 2, 5])
def test_a_dead_token_endpoint_costs_at_most_max_retries_plus_one_attempts(silent_server, max_retries):
    config = _config(f"http://127.0.0.1:{silent_server.port}", max_retries=max_retries)
    with SendPulseClient(config) as client, pytest.raises(SendPulseConnectionError):
        client.run(api.get_user_info())
    assert silent_server.connections == max_retries + 1


def test_the_async_client_has_the_same_budget(silent_server):
    config = _config(f"http://127.0.0.1:{silent_server.port}", max_retries=3)

    async def run() -> None:
        async with AsyncSendPulseClient(config) as client:
            await client.run(api.get_user_info())

    with pytest.raises(SendPulseConnectionError):
        asyncio.run(run())
    assert silent_server.connections == 4


def test_a_dead_api_endpoint_after_a_good_mint_has_the_same_budget(emulator, silent_server):
    # Mint at the emulator, then point the calls at the dead server with the same cached token.
    with SendPulseClient(_config(emulator.url, max_retries=2)) as client:
        client.run(api.get_user_info())
        client.core.config = _config(f"http://127.0.0.1:{silent_server.port}", max_retries=2)
        with pytest.raises(SendPulseConnectionError):
            client.run(api.get_user_info())
    assert silent_server.connections == 3


# --- errors name the URL and the cause ----------------------------------------------------------


def test_connection_refused_names_the_url_and_the_cause():
    port = _closed_port()
    with (
        SendPulseClient(_config(f"http://127.0.0.1:{port}", max_retries=0)) as client,
        pytest.raises(SendPulseConnectionError) as raised,
    ):
        client.run(api.get_user_info())
    message = str(raised.value)
    assert f"POST /oauth/access_token to http://127.0.0.1:{port}/oauth/access_token" in message
    assert "connection refused" in message
    assert DEFAULT_CLIENT_SECRET not in message
    assert raised.value.request_sent is False


def test_an_api_call_that_times_out_says_after_how_long(emulator, hanging_server):
    with SendPulseClient(_config(emulator.url, max_retries=0, timeout=0.3)) as client:
        client.run(api.get_user_info())
        client.transport.session.close()
        client.core.config = _config(f"http://127.0.0.1:{hanging_server.port}", max_retries=0, timeout=0.3)
        with pytest.raises(SendPulseConnectionError) as raised:
            client.run(api.get_balance())
    message = str(raised.value)
    assert (
        f"GET /balance to http://127.0.0.1:{hanging_server.port}/balance failed: timed out after 0.3 s"
        in message
    )


def test_an_unresolvable_name_is_said_in_words(monkeypatch):
    def no_such_host(*args: object, **kwargs: object) -> object:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    with (
        SendPulseClient(_config("https://api.sendpulse.example", max_retries=0)) as client,
        pytest.raises(SendPulseConnectionError, match="name not resolved"),
    ):
        client.run(api.get_user_info())


def test_the_async_client_names_the_url_and_the_cause_too():
    port = _closed_port()

    async def run() -> None:
        async with AsyncSendPulseClient(_config(f"http://127.0.0.1:{port}", api_key="k", max_retries=0)) as c:
            await c.run(api.get_user_info())

    with pytest.raises(SendPulseConnectionError) as raised:
        asyncio.run(run())
    assert f"GET /user/info to http://127.0.0.1:{port}/user/info failed: connection refused" in str(
        raised.value
    )


def test_a_host_without_a_scheme_gets_a_hint(emulator):
    # The emulator speaks plain http; "127.0.0.1:port" was taken as https.
    host = emulator.url.removeprefix("http://")
    config = _config(host, max_retries=3)
    assert config.scheme_assumed
    with SendPulseClient(config) as client, pytest.raises(SendPulseTLSError) as raised:
        client.run(api.get_user_info())
    message = str(raised.value)
    assert f"to https://{host}/oauth/access_token failed: TLS handshake failed" in message
    assert f"for plain http write http://{host}" in message
    mints = [r for r in emulator.requests() if r["path"] == "/oauth/access_token"]
    assert mints == []  # nothing reached the server as HTTP


def test_safe_url_drops_credentials_query_and_fragment():
    assert safe_url("https://user:pw@Example.com/a/b?secret=1#x") == "https://example.com:443/a/b"
    assert safe_url("http://[::1]:8089/x") == "http://[::1]:8089/x"


# --- certificates ---------------------------------------------------------------------------------


@pytest.fixture
def self_signed_server(tmp_path: Path) -> Iterator[CountingServer]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server = CountingServer(handle=lambda conn: context.wrap_socket(conn, server_side=True).close())
    yield server
    server.close()


def test_an_untrusted_certificate_is_never_retried(self_signed_server):
    config = _config(f"https://127.0.0.1:{self_signed_server.port}", max_retries=5)
    with SendPulseClient(config) as client, pytest.raises(SendPulseTLSError) as raised:
        client.run(api.get_user_info())
    assert "certificate verify failed" in str(raised.value)
    assert f"https://127.0.0.1:{self_signed_server.port}/oauth/access_token" in str(raised.value)
    assert self_signed_server.connections == 1


# --- plain http ----------------------------------------------------------------------------------


def test_plain_http_to_another_host_is_refused_before_any_request(monkeypatch):
    sent: list[object] = []
    monkeypatch.setattr(requests.Session, "send", lambda *a, **k: sent.append(a))
    with pytest.raises(ValueError, match="allow_insecure_http"):
        SendPulseClient(_config("http://sendpulse-proxy.internal:8080"))
    assert sent == []


def test_oauthlib_insecure_transport_is_never_set_for_the_process(emulator, monkeypatch):
    monkeypatch.delenv("OAUTHLIB_INSECURE_TRANSPORT", raising=False)
    with SendPulseClient(_config(emulator.url)) as client:
        assert client.run(api.get_user_info())["email"]

    async def run() -> None:
        async with AsyncSendPulseClient(_config(emulator.url, client_secret=DEFAULT_CLIENT_SECRET)) as c:
            await c.run(api.get_balance())

    asyncio.run(run())
    assert "OAUTHLIB_INSECURE_TRANSPORT" not in os.environ


# --- the token cache key ----------------------------------------------------------------------------


def test_the_token_cache_is_keyed_by_the_whole_credential():
    good = _config("https://api.sendpulse.com", client_secret="right")
    assert token_cache_for(good.credential) is token_cache_for(
        _config("https://api.sendpulse.com", client_secret="right").credential
    )
    assert good.credential != _config("https://api.sendpulse.com", client_secret="wrong").credential
    assert good.credential != _config("http://127.0.0.1:9", client_secret="right").credential
    assert "right" not in repr(good.credential)
    key = _config("https://api.sendpulse.com", api_key="k1", client_id=None, client_secret=None)
    assert key.credential != _config("https://api.sendpulse.com", api_key="k2").credential
