"""The synchronous SendPulse client (requests)."""

from __future__ import annotations

import time
from types import TracebackType
from typing import Any, TypeVar

import requests

from airflow_provider_sendpulse.client import api
from airflow_provider_sendpulse.client.api import Call
from airflow_provider_sendpulse.client.attempts import Plan, attempts
from airflow_provider_sendpulse.client.auth import TokenCache
from airflow_provider_sendpulse.client.core import ClientBase, ClientConfig, ClientCore, SecretCallback
from airflow_provider_sendpulse.client.errors import SendPulseError
from airflow_provider_sendpulse.client.transport import SyncTransport

T = TypeVar("T")


class SendPulseClient(ClientBase):
    """Run :mod:`~airflow_provider_sendpulse.client.api` calls with retries, rate limit and token care.

    Safe to share between threads. Tokens and the rate limit are shared with every other client
    of the same account in the process.

    :param config: account and behaviour settings.
    :param on_new_secret: called with each new bearer token before it is first used.
    :param session: a ``requests.Session`` to send API calls with (one is created if omitted).
    :param token_cache: a private token cache instead of the process-wide one of the credential
        (a fresh cache makes the first call mint, which is how a connection test checks the secret).
    """

    def __init__(
        self,
        config: ClientConfig,
        *,
        on_new_secret: SecretCallback | None = None,
        session: requests.Session | None = None,
        token_cache: TokenCache | None = None,
    ) -> None:
        self.core = ClientCore(config, on_new_secret, token_cache)
        self.transport = SyncTransport(config.timeout, session, config.connection_hint)

    def run(self, call: Call[T]) -> T:
        """Send ``call`` and return its parsed answer; raises :class:`SendPulseError` on failure."""
        plan = Plan(attempts(self.core, call))
        while not plan.done:
            try:
                plan.send(plan.perform(time.sleep, self.transport.send, self._token))
            except SendPulseError as exc:
                plan.throw(exc)
        return plan.result

    def call(
        self, method: str, path: str, params: dict[str, Any] | None = None, json: Any | None = None
    ) -> Any:
        """Call any endpoint and return the decoded JSON answer (the escape hatch)."""
        return self.run(api.raw_call(method, path, params, json))

    def _token(self) -> str:
        token = self.core.auth.token()
        if self.core.new_secret(token):
            self.core.report_secret(token)
        return token

    def close(self) -> None:
        """Release pooled connections (the shared token stays cached)."""
        self.transport.close()

    def __enter__(self) -> SendPulseClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
