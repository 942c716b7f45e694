"""The wire-format audit: every request the suite sends to an emulator, checked against SendPulse's rules.

Rules (see docs/emulator.md, "Wire conventions"):

- ``boolean as text``: no query value is the text ``true`` or ``false`` (SendPulse wants 1/0);
- ``repeated bare key``: no query key without brackets appears twice (PHP keeps only the last);
- ``JSON in a query parameter``: no query value (nor the whole query) is a JSON array or object;
- ``vendor OpenAPI``: the request (path, query, body) is valid against SendPulse's OpenAPI document with
  the repairs listed in docs/emulator.md; paths the documents do not describe are counted, not checked.

Entries come from the emulators' request logs (with bodies recorded); ``audit`` returns the violations.
In-process emulators are collected by ``tests/conftest.py``; a test whose emulator runs in another process
(started with ``--record-bodies``) hands that emulator's log to :func:`collect` before it ends.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qsl, unquote

import httpx
from by_path import load
from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound

AUDIT_URL = "http://emulator.audit"
TOKEN_PATH = "/oauth/access_token"
_ID_SEGMENT = re.compile(r"/(\d+|[^/]*@[^/]*|[^/]*%40[^/]*)(?=/|$)")
_BRACKETS = re.compile(r"\[[^\]]*\]")


PENDING: list[dict[str, Any]] = []
"""Request-log entries of the running test, audited when it ends (see tests/conftest.py)."""


def collect(entries: Iterable[Mapping[str, Any]]) -> None:
    """Queue request-log entries for the audit of the running test."""
    PENDING.extend(dict(entry) for entry in entries)


def _hook_openapi() -> ModuleType:
    return load("_sendpulse_hook_openapi", Path(__file__).resolve().parent / "hooks" / "hook_openapi.py")


def endpoint(method: str, path: str) -> str:
    """``METHOD /path/{id}``: a request's endpoint, ids and emails in the path replaced."""
    return f"{method} {_ID_SEGMENT.sub('/{id}', path)}"


def describe(entry: Mapping[str, Any]) -> str:
    """How a violation names its request: method, path and query (never the body)."""
    query = entry.get("query") or ""
    return f"{entry['method']} {entry['path']}{'?' + unquote(query) if query else ''}"


def _is_json_container(text: str) -> bool:
    stripped = text.strip()
    if not stripped.startswith(("{", "[")):
        return False
    try:
        return isinstance(json.loads(stripped), dict | list)
    except ValueError:
        return False


def query_problems(query: str) -> list[str]:
    """The query-string rules this raw (still encoded) query breaks."""
    if not query:
        return []
    problems: list[str] = []
    if _is_json_container(unquote(query)):
        return ["JSON in a query parameter: the whole query string is a JSON document"]
    pairs = parse_qsl(query, keep_blank_values=True)
    for key, value in pairs:
        if value.strip().lower() in ("true", "false"):
            problems.append(f"boolean as text: {key}={value} (send 1 or 0)")
        if _is_json_container(value):
            problems.append(f"JSON in a query parameter: {key} (send {key}[]=... items)")
    repeated = [k for k, n in Counter(k for k, _ in pairs if "[" not in k).items() if n > 1]
    problems.extend(f"repeated bare key: {k} (PHP keeps only the last; send {k}[]=...)" for k in repeated)
    return problems


def _openapi_query(query: str) -> str:
    """PHP's bracketed keys (``status[]``, ``phones[0]``) as the documents' form style (``status``).

    A documented repair: the vendor documents declare query arrays in OpenAPI's default form style,
    which on the wire is the repeated bare key PHP reads as its last value only.
    """
    pairs = parse_qsl(query, keep_blank_values=True)
    return str(httpx.QueryParams([(_BRACKETS.sub("", k), v) for k, v in pairs]))


SPEC_BY_PREFIX = (
    ("/sms/", "sms.yml"),
    ("/smtp/", "smtp.yml"),
    ("/events/", "a360.yml"),
    ("/verifier-service/", "verifier.yml"),
)
"""Which vendor document describes a path (the rest are in bulk-email.yml)."""


@dataclass
class WireAudit:
    """Checks request-log entries and keeps the counts for the closing summary."""

    requests: int = 0
    endpoints: set[str] = field(default_factory=set)
    validated: int = 0
    undocumented: set[str] = field(default_factory=set)

    def audit(self, entries: Iterable[Mapping[str, Any]]) -> list[str]:
        """Violations of ``entries``, each naming the request and the rule."""
        problems: list[str] = []
        for entry in entries:
            self.requests += 1
            self.endpoints.add(endpoint(entry["method"], entry["path"]))
            found = query_problems(entry.get("query") or "")
            spec_problem = self._against_openapi(entry)
            if spec_problem:
                found.append(spec_problem)
            problems.extend(f"{describe(entry)}: {p}" for p in found)
        return problems

    def _against_openapi(self, entry: Mapping[str, Any]) -> str | None:
        path = entry["path"]
        body = entry.get("body")
        if path == TOKEN_PATH:
            return None  # its body (the credentials) is never recorded; tests/hooks check its form
        if body is None:
            return None  # not recorded (an emulator started without body recording)
        hook_openapi = _hook_openapi()
        if path in hook_openapi.UNDOCUMENTED:
            self.undocumented.add(endpoint(entry["method"], path))
            return None
        query = _openapi_query(entry.get("query") or "")
        headers = {"authorization": "Bearer audit"}
        if body:
            headers["content-type"] = entry.get("content_type") or "application/json"
        request = httpx.Request(
            entry["method"],
            f"{AUDIT_URL}{path}{'?' + query if query else ''}",
            headers=headers,
            content=body.encode(),
        )
        name, server = _document(path)
        openapi = hook_openapi.openapi_for(name, server)
        try:
            openapi.validate_request(hook_openapi._adapter().HttpxOpenAPIRequest(request))
        except (PathNotFound, OperationNotFound):
            self.undocumented.add(endpoint(entry["method"], path))
            return None
        except Exception as exc:
            return f"vendor OpenAPI: {type(exc).__name__}: {_reason(exc)}"
        self.validated += 1
        return None

    def summary(self) -> str:
        """One line for the end of the run."""
        return (
            f"wire-format audit: {self.requests} requests to {len(self.endpoints)} distinct endpoints "
            "checked; "
            f"{self.validated} validated against the vendor OpenAPI, "
            f"{len(self.undocumented)} endpoints not in the vendor documents"
        )


#: Path prefixes served from their own vendor document (the document's server URL ends with the prefix).
PREFIXED_DOCUMENTS = {
    "/chatbots/": "chatbots.yml",
    "/telegram/": "telegram.yml",
    "/whatsapp/": "whatsapp.yml",
    "/crm/v1/": "crm.yml",
}


def _document(path: str) -> tuple[str, str]:
    """The vendor document describing ``path`` and the server URL to validate it against."""
    for prefix, name in PREFIXED_DOCUMENTS.items():
        if path.startswith(prefix):
            return name, AUDIT_URL + prefix.rstrip("/")
    return next((n for prefix, n in SPEC_BY_PREFIX if path.startswith(prefix)), "bulk-email.yml"), AUDIT_URL


def _reason(exc: Exception) -> str:
    """Where and why the document refuses the request, cut short: bodies hold personal data."""
    details = getattr(exc, "schema_errors", None) or getattr(exc.__cause__, "schema_errors", None)
    if details:
        return "; ".join(f"{_place(d)}: {_short(str(d.message))}" for d in details)
    cause = exc.__cause__
    return _short(f"{exc} ({cause})" if cause else str(exc))


def _place(detail: Any) -> str:
    return "/".join(str(p) for p in detail.absolute_path) or "body"


def _short(text: str, limit: int = 100) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
