"""SendPulse REST API client, free of Airflow: endpoints in :mod:`.api`, sync and async clients."""

from __future__ import annotations

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
