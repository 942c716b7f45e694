"""Tokens: minted with oauthlib, cached per credential per process, renewed early, single-flight.

SendPulse has no refresh token: renewing means minting again with the API ID and secret
(OAuth2 client credentials). A static API key needs no minting at all.

The token request is built and read by oauthlib but sent with a plain ``requests`` session:
requests-oauthlib would refuse a loopback ``http://`` emulator unless ``OAUTHLIB_INSECURE_TRANSPORT``
were set for the whole process. Which URLs may be plain http is decided once, in
:class:`~airflow_provider_sendpulse.client.core.ClientConfig`.
"""

from __future__ import annotations

import asyncio
import json
import math
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit

import requests
from oauthlib.oauth2 import BackendApplicationClient, OAuth2Error

from airflow_provider_sendpulse.client.errors import SendPulseAuthError, error_from_response
from airflow_provider_sendpulse.client.transport import (
    connection_error_from_requests,
    decode_body,
    parse_retry_after,
)

MAX_RENEWAL_LEAD = 300.0
"""Renew at most this many seconds before expiry (5 minutes of a one-hour token)."""

RENEWAL_FRACTION = 0.1
"""Renew when this fraction of a token's lifetime is left."""

DEFAULT_EXPIRES_IN = 3600.0
MAX_EXPIRES_IN = 10 * 365 * 86400
"""Longer lifetimes in a token answer are taken as nonsense (the default applies)."""


def renewal_lead(expires_in: float) -> float:
    """Seconds before expiry at which a token counts as stale: 10% of its lifetime, at most 5 min."""
    return min(max(expires_in, 0.0) * RENEWAL_FRACTION, MAX_RENEWAL_LEAD)


@dataclass(frozen=True)
class MintedToken:
    """A token fresh from the token endpoint."""

    access_token: str = field(repr=False)
    expires_in: float


@dataclass(frozen=True)
class CachedToken:
    """A token and, on the cache's clock, when to renew it and when it expires."""

    value: str = field(repr=False)
    renew_at: float
    expires_at: float


Mint = Callable[[], MintedToken]


class TokenCache:
    """The token of one account, shared by every client of that account in the process.

    At most one mint runs at a time (a thread lock); coroutines of one event loop queue on a
    per-loop ``asyncio.Lock`` and mint in a worker thread, so the loop never blocks and several
    loops (or threads) still share one mint.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._token: CachedToken | None = None
        self._mint_lock = threading.Lock()
        self._loop_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )
        self._loop_locks_guard = threading.Lock()
        self.mint_count = 0

    def __repr__(self) -> str:
        return f"TokenCache(has_token={self._token is not None}, mints={self.mint_count})"

    def fresh(self) -> str | None:
        """The cached token if it is not due for renewal, else None."""
        token = self._token
        if token is not None and self._clock() < token.renew_at:
            return token.value
        return None

    def get(self, mint: Mint) -> str:
        """A fresh token, minting one (once, whoever asks concurrently) if needed."""
        value = self.fresh()
        if value is not None:
            return value
        with self._mint_lock:
            value = self.fresh()
            if value is not None:
                return value
            started = self._clock()
            minted = mint()
            self.mint_count += 1
            # Count the lifetime from before the request went out, so it can only err early.
            lifetime = minted.expires_in if minted.expires_in > 0 else DEFAULT_EXPIRES_IN
            self._token = CachedToken(
                minted.access_token,
                renew_at=started + lifetime - renewal_lead(lifetime),
                expires_at=started + lifetime,
            )
            return minted.access_token

    async def aget(self, mint: Mint) -> str:
        """Async :meth:`get`: never blocks the event loop."""
        value = self.fresh()
        if value is not None:
            return value
        async with self._loop_lock():
            value = self.fresh()
            if value is not None:
                return value
            return await asyncio.to_thread(self.get, mint)

    def _loop_lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        with self._loop_locks_guard:
            lock = self._loop_locks.get(loop)
            if lock is None:
                lock = self._loop_locks[loop] = asyncio.Lock()
            return lock

    def invalidate(self, value: str) -> None:
        """Drop the cached token if it is ``value`` (a newer one minted meanwhile is kept)."""
        with self._mint_lock:
            if self._token is not None and self._token.value == value:
                self._token = None

    def clear(self) -> None:
        """Drop the cached token unconditionally."""
        with self._mint_lock:
            self._token = None


_caches: dict[tuple[str, str], TokenCache] = {}
_caches_lock = threading.Lock()


def token_cache_for(credential: tuple[str, str]) -> TokenCache:
    """The process-wide token cache of a credential ``(base URL, digest of the whole credential)``.

    Keying by the secret too means a changed secret never rides on a token minted with the old one.
    """
    with _caches_lock:
        cache = _caches.get(credential)
        if cache is None:
            cache = _caches[credential] = TokenCache()
        return cache


def reset_token_caches() -> None:
    """Forget every cached token (for tests)."""
    with _caches_lock:
        _caches.clear()


TOKEN_HEADERS = {
    "Accept": "application/json",
    "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8",
}


def mint_client_credentials(
    token_url: str,
    client_id: str,
    client_secret: str,
    *,
    timeout: float,
    hint: str = "",
    session_factory: Callable[[], requests.Session] = requests.Session,
) -> MintedToken:
    """Mint a token with the OAuth2 client-credentials grant (one HTTP request, no retry).

    Failures raise the same errors as API calls (rate limit, server, connection, auth), with no
    credential in the message; ``hint`` is appended to network errors. The caller has already
    vetted ``token_url`` (https, or plain http where the configuration allows it).
    """
    what = f"POST {urlsplit(token_url).path}"
    client = BackendApplicationClient(client_id=client_id)
    body = client.prepare_request_body(
        client_id=client_id, client_secret=client_secret, include_client_id=True
    )
    session = session_factory()
    try:
        response = session.post(token_url, data=body, headers=TOKEN_HEADERS, timeout=timeout)
        content = response.content
    except requests.RequestException as exc:
        raise connection_error_from_requests(exc, what, token_url, timeout, hint) from None
    finally:
        session.close()
    if response.status_code != 200:
        error_body, _ = decode_body(content)
        raise error_from_response(
            response.status_code,
            error_body,
            what=what,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )
    try:
        token: dict[str, Any] = dict(client.parse_request_body_response(_clean_token_answer(content, what)))
    except OAuth2Error as exc:
        raise SendPulseAuthError(f"SendPulse {what} failed: {exc.error}", exc.status_code) from None
    access_token = token.get("access_token")
    if not isinstance(access_token, str) or not access_token:
        raise SendPulseAuthError(f"SendPulse {what} answered without an access token")
    try:
        expires_in = float(token.get("expires_in") or DEFAULT_EXPIRES_IN)
    except (TypeError, ValueError):
        expires_in = DEFAULT_EXPIRES_IN
    return MintedToken(access_token, expires_in)


def _clean_token_answer(content: bytes, what: str) -> str:
    """Keep the token, its type and a sane lifetime, so oauthlib never trips over an odd answer."""
    body, _ = decode_body(content)
    if not isinstance(body, dict):
        raise SendPulseAuthError(f"SendPulse {what} answered with something that is not a token", 200)
    clean: dict[str, Any] = {}
    if isinstance(body.get("access_token"), str):
        clean["access_token"] = body["access_token"]
    if isinstance(body.get("token_type"), str):
        clean["token_type"] = body["token_type"]
    expires_in = body.get("expires_in")
    if isinstance(expires_in, bool) or not isinstance(expires_in, int | float):
        expires_in = None
    if expires_in is not None and math.isfinite(expires_in) and 0 < expires_in <= MAX_EXPIRES_IN:
        clean["expires_in"] = int(expires_in)
    return json.dumps(clean)


class Auth(Protocol):
    """Where a client gets its bearer token."""

    refreshable: bool

    def token(self) -> str:
        """The bearer token to send now."""
        ...

    async def atoken(self) -> str:
        """The bearer token to send now, without blocking the event loop."""
        ...

    def invalidate(self, value: str) -> None:
        """Forget ``value`` after SendPulse refused it."""
        ...


class StaticKeyAuth:
    """A long-lived API key, sent as the bearer token; nothing to mint or renew."""

    refreshable = False

    def __init__(self, api_key: str) -> None:
        self._api_key = api_key

    def __repr__(self) -> str:
        return "StaticKeyAuth(***)"

    def token(self) -> str:
        """The key."""
        return self._api_key

    async def atoken(self) -> str:
        """The key."""
        return self._api_key

    def invalidate(self, value: str) -> None:
        """Nothing to forget: a refused key stays refused."""


class ClientCredentialsAuth:
    """Tokens from a shared :class:`TokenCache`, minted by ``mint`` when due.

    ``on_refused`` is also told about a refused token (the host token file forgets it too).
    """

    refreshable = True

    def __init__(
        self, cache: TokenCache, mint: Mint, on_refused: Callable[[str], None] | None = None
    ) -> None:
        self.cache = cache
        self._mint = mint
        self._on_refused = on_refused

    def __repr__(self) -> str:
        return f"ClientCredentialsAuth({self.cache!r})"

    def token(self) -> str:
        """A fresh token (minting in this thread if due)."""
        return self.cache.get(self._mint)

    async def atoken(self) -> str:
        """A fresh token (minting in a worker thread if due)."""
        return await self.cache.aget(self._mint)

    def invalidate(self, value: str) -> None:
        """Forget a refused token so the next :meth:`token` mints."""
        self.cache.invalidate(value)
        if self._on_refused is not None:
            self._on_refused(value)
