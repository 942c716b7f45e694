"""Helpers shared by the CRM route modules."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..crm import CrmState
from .common import emulator_of

PREFIX = "/crm/v1"


@contextmanager
def locked_crm(request: Request) -> Iterator[CrmState]:
    """The CRM of the account this request reaches, with the emulator's state lock held."""
    state = emulator_of(request).state
    with state.lock:
        yield state.crm


def data(payload: Any) -> dict[str, Any]:
    """The CRM's answer envelope."""
    return {"data": payload}


def no_content() -> Response:
    """HTTP 204, as the CRM answers deletions."""
    return Response(status_code=204)


def created() -> Response:
    """HTTP 201 without a body, as the CRM answers links."""
    return Response(status_code=201)
