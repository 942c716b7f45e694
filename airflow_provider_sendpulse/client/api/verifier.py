"""Email verification: a mailing list (start, progress, results) or a single address."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from airflow_provider_sendpulse.client.api.call import Call
from airflow_provider_sendpulse.client.api.read import as_dict, nothing
from airflow_provider_sendpulse.client.errors import SendPulseError

VERIFICATION_STATUSES = {0: "unverified", 1: "valid", 2: "unconfirmed", 3: "invalid"}
"""SendPulse's verification result codes and the names the provider reports them by."""
MAX_RESULTS_PAGE = 100
"""Addresses asked for per ``GET /verifier-service/check`` page."""


@dataclass(frozen=True)
class VerificationProgress:
    """How far a list's verification is: ``processed`` of ``total`` addresses."""

    total: int
    processed: int

    @property
    def done(self) -> bool:
        return self.total > 0 and self.processed >= self.total

    @classmethod
    def from_api(cls, body: Any) -> VerificationProgress:
        data = as_dict(as_dict(body).get("data"))
        try:
            return cls(int(data["total"]), int(data["processed"]))
        except (KeyError, TypeError, ValueError):
            raise SendPulseError("verification progress answer has no total/processed") from None


@dataclass(frozen=True)
class VerifiedAddress:
    """One address of a verified list and its result code (see :data:`VERIFICATION_STATUSES`)."""

    email: str
    status: int


@dataclass(frozen=True)
class ListVerificationPage:
    """A list's verification counts per result, and one page of its addresses."""

    counts: Mapping[str, int]
    addresses: list[VerifiedAddress] = field(default_factory=list)
    total_addresses: int = 0

    @classmethod
    def from_api(cls, body: Any) -> ListVerificationPage:
        data = as_dict(body)
        raw_counts = data.get("data") if isinstance(data.get("data"), Mapping) else {}
        counts = {
            name: int(raw_counts.get(str(code)) or 0)  # type: ignore[union-attr]
            for code, name in VERIFICATION_STATUSES.items()
        }
        addresses = [
            VerifiedAddress(str(item["email_address"]), int(item.get("status") or 0))
            for item in data.get("email_addresses") or []
            if isinstance(item, Mapping) and item.get("email_address")
        ]
        return cls(counts, addresses, int(data.get("email_addresses_total") or len(addresses)))


def verify_list(list_id: int) -> Call[None]:
    """``POST /verifier-service/send-list-to-verify``: start verifying a mailing list (safe to repeat:
    SendPulse refuses a second start while one runs)."""
    return Call("POST", "/verifier-service/send-list-to-verify", None, {"id": int(list_id)}, nothing)


def verification_progress(list_id: int) -> Call[VerificationProgress]:
    """``GET /verifier-service/get-progress``: addresses checked so far."""
    params = {"id": int(list_id)}
    return Call("GET", "/verifier-service/get-progress", params, None, VerificationProgress.from_api)


def verification_results(
    list_id: int, start: int = 0, count: int = MAX_RESULTS_PAGE
) -> Call[ListVerificationPage]:
    """``GET /verifier-service/check``: counts per result and addresses ``start`` .. ``start+count``."""
    if not 1 <= count <= MAX_RESULTS_PAGE or start < 0:
        raise ValueError(f"count must be 1..{MAX_RESULTS_PAGE} and start not negative")
    params = {"id": int(list_id), "start": start, "count": count}
    return Call("GET", "/verifier-service/check", params, None, ListVerificationPage.from_api)


def verified_addresses(list_id: int, limit: int, offset: int) -> Call[list[VerifiedAddress]]:
    """One page of a verified list's addresses with their results (for paging with ``limit``/``offset``)."""
    page = verification_results(list_id, offset, limit)
    return Call(page.method, page.path, page.params, None, _addresses)


def _addresses(body: Any) -> list[VerifiedAddress]:
    return ListVerificationPage.from_api(body).addresses


def verify_email(email: str) -> Call[None]:
    """``POST /verifier-service/send-single-to-verify``: queue one address for checking."""
    return Call("POST", "/verifier-service/send-single-to-verify", None, {"email": email}, nothing)


def email_verification(email: str) -> Call[dict[str, Any]]:
    """``GET /verifier-service/get-single-result``: the checks of one address (``status`` and flags)."""
    return Call("GET", "/verifier-service/get-single-result", {"email": email}, None, _single_checks)


def _single_checks(body: Any) -> dict[str, Any]:
    data = as_dict(as_dict(body).get("data"))
    return dict(as_dict(data.get("checks")))
