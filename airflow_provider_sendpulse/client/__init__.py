"""SendPulse REST API client, free of Airflow: endpoints in :mod:`.api`, sync and async clients.

The names below load on first use (PEP 562), so importing :mod:`.api` or :mod:`.errors` through this
package does not import ``requests``, ``oauthlib`` or ``httpx``: a DAG file that only
declares tasks never pays for the HTTP stack.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from airflow_provider_sendpulse._lazy import lazy_exports

if TYPE_CHECKING:
    from airflow_provider_sendpulse.client import api
    from airflow_provider_sendpulse.client.api import Call
    from airflow_provider_sendpulse.client.async_client import AsyncSendPulseClient
    from airflow_provider_sendpulse.client.core import ClientConfig, normalize_base_url
    from airflow_provider_sendpulse.client.errors import (
        SendPulseAmbiguousCreateError,
        SendPulseAuthError,
        SendPulseConnectionError,
        SendPulseError,
        SendPulseNotFoundError,
        SendPulseRateLimitError,
        SendPulseServerError,
        SendPulseTLSError,
        SendPulseValidationError,
    )
    from airflow_provider_sendpulse.client.models import (
        AddSummary,
        BatchProgress,
        CampaignSpec,
        Contact,
        DoubleOptIn,
    )
    from airflow_provider_sendpulse.client.pagination import aiter_items, aiter_pages, iter_items, iter_pages
    from airflow_provider_sendpulse.client.sync_client import SendPulseClient

_EXPORTS = {
    "AddSummary": "models",
    "AsyncSendPulseClient": "async_client",
    "BatchProgress": "models",
    "Call": "api",
    "CampaignSpec": "models",
    "ClientConfig": "core",
    "Contact": "models",
    "DoubleOptIn": "models",
    "SendPulseAmbiguousCreateError": "errors",
    "SendPulseAuthError": "errors",
    "SendPulseClient": "sync_client",
    "SendPulseConnectionError": "errors",
    "SendPulseError": "errors",
    "SendPulseNotFoundError": "errors",
    "SendPulseRateLimitError": "errors",
    "SendPulseServerError": "errors",
    "SendPulseTLSError": "errors",
    "SendPulseValidationError": "errors",
    "aiter_items": "pagination",
    "aiter_pages": "pagination",
    "iter_items": "pagination",
    "iter_pages": "pagination",
    "normalize_base_url": "core",
}

__all__ = [
    "AddSummary",
    "AsyncSendPulseClient",
    "BatchProgress",
    "Call",
    "CampaignSpec",
    "ClientConfig",
    "Contact",
    "DoubleOptIn",
    "SendPulseAmbiguousCreateError",
    "SendPulseAuthError",
    "SendPulseClient",
    "SendPulseConnectionError",
    "SendPulseError",
    "SendPulseNotFoundError",
    "SendPulseRateLimitError",
    "SendPulseServerError",
    "SendPulseTLSError",
    "SendPulseValidationError",
    "aiter_items",
    "aiter_pages",
    "api",
    "iter_items",
    "iter_pages",
    "normalize_base_url",
]

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
