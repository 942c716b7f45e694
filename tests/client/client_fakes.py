"""Scripted HTTP answers for client unit tests (no network)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import requests
from requests.adapters import HTTPAdapter

Answer = tuple[int, Any] | tuple[int, Any, dict[str, str]] | Exception


class Script:
    """Answers in order; records (method, path, auth header) of every request."""

    def __init__(self, *answers: Answer) -> None:
        self.answers = list(answers)
        self.seen: list[tuple[str, str, str | None]] = []

    def next(self, method: str, path: str, auth: str | None) -> Answer:
        self.seen.append((method, path, auth))
        if not self.answers:
            raise AssertionError(f"unexpected request {method} {path}")
        return self.answers.pop(0)


class ScriptAdapter(HTTPAdapter):
    """A requests adapter answering from a :class:`Script`."""

    def __init__(self, script: Script) -> None:
        super().__init__()
        self.script = script

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        path = request.path_url.split("?")[0]
        answer = self.script.next(request.method or "", path, request.headers.get("Authorization"))
        if isinstance(answer, Exception):
            raise answer
        status, body, *rest = answer
        response = requests.Response()
        response.status_code = status
        response._content = body if isinstance(body, bytes) else json.dumps(body).encode()
        response.headers.update(rest[0] if rest else {})
        response.request = request
        response.url = request.url or ""
        return response


def requests_session(script: Script) -> requests.Session:
    session = requests.Session()
    session.mount("http://", ScriptAdapter(script))
    session.mount("https://", ScriptAdapter(script))
    return session


def httpx_client(script: Script) -> httpx.AsyncClient:
    def handle(request: httpx.Request) -> httpx.Response:
        answer = script.next(request.method, request.url.path, request.headers.get("Authorization"))
        if isinstance(answer, Exception):
            raise answer
        status, body, *rest = answer
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        return httpx.Response(status, content=content, headers=rest[0] if rest else {})

    return httpx.AsyncClient(transport=httpx.MockTransport(handle))


def counting_mint(prefix: str = "token") -> Callable[[], Any]:
    from airflow_provider_sendpulse.client.auth import MintedToken

    count = {"n": 0}

    def mint() -> MintedToken:
        count["n"] += 1
        return MintedToken(f"{prefix}-{count['n']}", 3600)

    mint.count = count  # type: ignore[attr-defined]
    return mint
