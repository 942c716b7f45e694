"""What both clients share: configuration, request building, answer reading, auth and limits.

Nothing here does I/O except through the mint callable handed to the token cache.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from airflow_provider_sendpulse import (
    DEFAULT_BASE_URL,
    DEFAULT_MAX_REQUESTS_PER_SECOND,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    DEFAULT_TIMEZONE,
    __version__,
)
from airflow_provider_sendpulse.client.api import TOKEN_PATH, Call
from airflow_provider_sendpulse.client.errors import (
    SendPulseAmbiguousCreateError,
    SendPulseError,
    error_from_response,
)
from airflow_provider_sendpulse.client.ratelimit import Limiter, rate_limiter_for
from airflow_provider_sendpulse.client.retry import RetryPolicy
from airflow_provider_sendpulse.client.wire import account_zone, encode_query, render_dates

if TYPE_CHECKING:
    # auth and transport import requests and oauthlib: loaded when a client is built, not with ClientConfig.
    from airflow_provider_sendpulse.client.auth import Auth, MintedToken, TokenCache
    from airflow_provider_sendpulse.client.transport import RawResponse, Request

log = logging.getLogger(__name__)

T = TypeVar("T")

USER_AGENT = f"airflow-provider-sendpulse/{__version__}"

SecretCallback = Callable[[str], None]
"""Called with every new bearer token a client starts using (the hook registers it for masking)."""


_DIGEST_KEY = os.urandom(32)
"""Keys the credential digests: they identify a credential in this process only."""


def normalize_base_url(value: str | None) -> str:
    """``api.sendpulse.com``, ``https://api.sendpulse.com/`` -> ``https://api.sendpulse.com``."""
    value = (value or "").strip()
    if not value:
        return DEFAULT_BASE_URL
    if "://" not in value:
        value = "https://" + value
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"not an http(s) base URL: {value!r}")
    if parts.username is not None or parts.password is not None:
        raise ValueError(
            "the base URL must not carry a user name or password; put the credentials in their fields"
        )
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path.rstrip('/')}"


def is_loopback(url: str) -> bool:
    """Whether ``url`` points at this machine (``localhost``, 127.0.0.0/8, ``::1``)."""
    host = (urlsplit(url).hostname or "").rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def scheme_hint(base_url: str) -> str:
    """The hint for a host given without a scheme, which was taken as https."""
    plain = "http://" + base_url.split("://", 1)[1]
    return f"no scheme was given, so https was assumed; for plain http write {plain}"


@dataclass(frozen=True)
class ClientConfig:
    """How to reach one SendPulse account.

    Give ``api_key`` (static key) or both ``client_id`` and ``client_secret`` (API ID and secret).
    ``max_requests_per_second`` of None or 0 turns the client-side limit off. Plain ``http://`` is
    refused for hosts other than loopback unless ``allow_insecure_http`` is set: the API secret and
    tokens would cross the network unencrypted. ``scheme_assumed`` records that the base URL was
    given without a scheme (network errors then carry a hint).
    ``timezone`` is the account's IANA time zone: SendPulse's dates are in it, so every date sent is
    converted to it. ``rate_limit_store`` is where the account's rate limit is shared: empty or
    ``host`` for the processes of this host (a state file), ``process`` for none, or a Redis URL for
    every process on every host (needs the ``redis`` package). ``token_cache_dir`` is a folder
    where the processes of one host share tokens (opt-in; see :mod:`~.token_file`).
    """

    base_url: str = DEFAULT_BASE_URL
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    api_key: str | None = field(default=None, repr=False)
    timeout: float = DEFAULT_TIMEOUT
    max_requests_per_second: float | None = DEFAULT_MAX_REQUESTS_PER_SECOND
    max_retries: int = DEFAULT_MAX_RETRIES
    retry_initial_wait: float = 0.5
    retry_max_wait: float = 30.0
    allow_insecure_http: bool = False
    scheme_assumed: bool = False
    timezone: str = DEFAULT_TIMEZONE
    rate_limit_store: str | None = field(default=None, repr=False)
    token_cache_dir: str | None = None

    def __post_init__(self) -> None:
        if self.base_url and "://" not in self.base_url.strip():
            object.__setattr__(self, "scheme_assumed", True)
        object.__setattr__(self, "base_url", normalize_base_url(self.base_url))
        if self.base_url.startswith("http://") and not (
            self.allow_insecure_http or is_loopback(self.base_url)
        ):
            raise ValueError(
                f"base URL {self.base_url} is plain http to a host that is not this machine: the API "
                "secret would cross the network unencrypted. Use https://, or set the connection extra "
                '"allow_insecure_http": true if the network path is trusted'
            )
        object.__setattr__(self, "timezone", account_zone(self.timezone).key)
        if not self.api_key and not (self.client_id and self.client_secret):
            raise ValueError("SendPulse needs an API key, or both an API ID and an API secret")
        if self.timeout <= 0:
            raise ValueError("timeout must be positive")
        if self.max_retries < 0:
            raise ValueError("max_retries must not be negative")

    @property
    def account(self) -> tuple[str, str]:
        """``(base URL, account id)``: the key of the shared rate limiter (tokens: :attr:`credential`)."""
        if self.client_id:
            return self.base_url, self.client_id
        digest = hashlib.sha256((self.api_key or "").encode()).hexdigest()[:16]
        return self.base_url, f"key:{digest}"

    @property
    def credential(self) -> tuple[str, str]:
        """``(base URL, keyed digest of the whole credential)``: the key of the shared token cache.

        It covers the secret, so a changed secret never reuses a token minted with the old one, and
        knowing an API ID alone gives no access to another connection's token.
        """
        if self.api_key:
            material = f"key\0{self.api_key}"
        else:
            material = f"id\0{self.client_id}\0{self.client_secret}"
        digest = hmac.new(_DIGEST_KEY, material.encode(), hashlib.sha256).hexdigest()
        return self.base_url, digest

    @property
    def connection_hint(self) -> str:
        """Appended to network errors: how to say plain http when the scheme was left out."""
        return scheme_hint(self.base_url) if self.scheme_assumed else ""

    @property
    def token_url(self) -> str:
        """Where tokens are minted."""
        return self.base_url + TOKEN_PATH

    @property
    def zone(self) -> ZoneInfo:
        """The account's time zone."""
        return account_zone(self.timezone)

    @property
    def retry_policy(self) -> RetryPolicy:
        """The retry policy for this account's calls and mints."""
        return RetryPolicy(self.max_retries, self.retry_initial_wait, self.retry_max_wait)


def reports_failure(body: Any) -> bool:
    """Whether an HTTP-200 answer says the call failed (``is_error``, ``result``/``success`` false)."""
    if not isinstance(body, dict):
        return False
    return body.get("is_error") is True or body.get("result") is False or body.get("success") is False


def interpret(call: Call[T], raw: RawResponse) -> T:
    """Read an answer: raise the matching :class:`SendPulseError`, or parse the payload."""
    what = call.describe()
    if not 200 <= raw.status < 300 or reports_failure(raw.body):
        raise error_from_response(raw.status, raw.body, what=what, retry_after=raw.retry_after)
    try:
        if not raw.is_json:
            raise SendPulseError(f"SendPulse {what} answered with something that is not JSON", raw.status)
        return call.parse(raw.body)
    except SendPulseError as exc:
        if not call.is_create:
            raise
        # A success status with an unreadable answer: the object may exist, so never create it blindly again.
        raise SendPulseAmbiguousCreateError(
            f"SendPulse {what} answered HTTP {raw.status} but the answer could not be read "
            f"({exc.message}); it was not repeated to avoid a duplicate: look the object up before trying "
            "again",
            method=call.method,
            path=call.path,
            status=raw.status,
        ) from None


RATE_LIMIT_SCOPES = ("host", "process")
"""``rate_limit_store`` values that are not a Redis URL: share with the host's processes, or not at all."""


def account_limiter(config: ClientConfig) -> Limiter | None:
    """The limiter of the account: through Redis when ``rate_limit_store`` is a URL, else shared by the
    processes of this host (``process``: this process's own)."""
    rate = config.max_requests_per_second
    if not rate:
        return None
    store = config.rate_limit_store or "host"
    if store not in RATE_LIMIT_SCOPES:
        from airflow_provider_sendpulse.client.shared_ratelimit import shared_rate_limiter_for

        return shared_rate_limiter_for(store, config.account, rate)
    return rate_limiter_for(config.account, rate, host=store == "host")


class ClientCore:
    """Configuration, auth, rate limit and request building shared by the two clients."""

    def __init__(
        self,
        config: ClientConfig,
        on_new_secret: SecretCallback | None = None,
        token_cache: TokenCache | None = None,
    ) -> None:
        self.config = config
        if config.base_url.startswith("http://") and not is_loopback(config.base_url):
            log.warning(
                "SendPulse base URL %s is plain http: credentials cross the network unencrypted",
                config.base_url,
            )
        self.policy = config.retry_policy
        self.limiter: Limiter | None = account_limiter(config)
        from airflow_provider_sendpulse.client.auth import StaticKeyAuth, token_cache_for

        self.auth: Auth
        if config.api_key:
            self.auth = StaticKeyAuth(config.api_key)
        else:
            cache = token_cache if token_cache is not None else token_cache_for(config.credential)
            self.auth = self._credentials_auth(cache)
        self._on_new_secret = on_new_secret
        self._reported: set[str] = set()
        self._reported_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"ClientCore({self.config!r})"

    def _credentials_auth(self, cache: TokenCache) -> Auth:
        """Tokens for an API ID and secret: minted here, or shared through the host token file."""
        from airflow_provider_sendpulse.client.auth import ClientCredentialsAuth

        config = self.config
        if not config.token_cache_dir:
            return ClientCredentialsAuth(cache, self._mint)
        from airflow_provider_sendpulse.client.token_file import host_token_file

        file = host_token_file(
            config.token_cache_dir, config.base_url, config.client_id or "", config.client_secret or ""
        )
        return ClientCredentialsAuth(cache, lambda: file.get(self._mint), on_refused=file.invalidate)

    def _mint(self) -> MintedToken:
        from airflow_provider_sendpulse.client.auth import mint_client_credentials

        # Runs in a thread (the caller's, or a worker thread for async clients): sync I/O is fine.
        # One request, no retry of its own: a failed mint fails the attempt of the call that needed
        # the token, and that call's retry policy decides (one budget, never retries inside retries).
        config = self.config
        if self.limiter is not None:
            self.limiter.acquire()
        started = time.monotonic()
        minted = mint_client_credentials(
            config.token_url,
            config.client_id or "",
            config.client_secret or "",
            timeout=config.timeout,
            hint=config.connection_hint,
        )
        elapsed = time.monotonic() - started
        log.info("Minted a SendPulse token in %.2f s (valid %.0f s)", elapsed, minted.expires_in)
        return minted

    def new_secret(self, token: str) -> bool:
        """Whether ``token`` has not been reported to ``on_new_secret`` yet (and mark it reported)."""
        if self._on_new_secret is None:
            return False
        with self._reported_lock:
            if token in self._reported:
                return False
            self._reported.add(token)
            return True

    def report_secret(self, token: str) -> None:
        """Hand a new token to the ``on_new_secret`` callback."""
        if self._on_new_secret is not None:
            self._on_new_secret(token)

    def request(self, call: Call[Any], token: str) -> Request:
        """The HTTP request for ``call`` carrying ``token``: dates in the account zone, PHP-style query."""
        from airflow_provider_sendpulse.client.transport import Request

        zone = self.config.zone
        return Request(
            call.method,
            self.config.base_url + call.path,
            encode_query(render_dates(call.params, zone)),
            render_dates(call.json, zone),
            {
                "Authorization": f"Bearer {token}",
                "Accept": "application/json",
                "User-Agent": USER_AGENT,
            },
        )


class ClientBase:
    """What the sync and async clients share besides :func:`~.attempts.attempts`: settings and repr."""

    core: ClientCore

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.core.config!r})"

    @property
    def config(self) -> ClientConfig:
        """The client's settings."""
        return self.core.config
