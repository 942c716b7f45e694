"""Account: who the token belongs to, balance, and the raw escape hatch."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airflow_provider_sendpulse.client.api.call import Call
from airflow_provider_sendpulse.client.api.read import (
    as_dict,
    as_is,
    path_segment,
)


def get_user_info() -> Call[dict[str, Any]]:
    """``GET /user/info``: the account behind the credentials (a cheap connection test)."""
    return Call("GET", "/user/info", None, None, as_dict)


def get_balance(currency: str | None = None) -> Call[dict[str, Any]]:
    """``GET /balance`` (or ``/balance/{currency}``): the account balance."""
    path = "/balance" if currency is None else f"/balance/{path_segment(currency.upper())}"
    return Call("GET", path, None, None, as_dict)


def raw_call(
    method: str, path: str, params: Mapping[str, Any] | None = None, json: Any | None = None
) -> Call[Any]:
    """Any endpoint, answered as decoded JSON (the escape hatch). Not treated as a create."""
    if not path.startswith("/"):
        path = "/" + path
    return Call(method.upper(), path, dict(params) if params else None, json, as_is)
