"""Apache Airflow provider for SendPulse."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

PACKAGE_NAME = "airflow-provider-sendpulse"
DEFAULT_CONN_ID = "sendpulse_default"
DEFAULT_BASE_URL = "https://api.sendpulse.com"
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_REQUESTS_PER_SECOND = 10.0
"""SendPulse's documented limit per account."""
DEFAULT_MAX_RETRIES = 5
DEFAULT_POLL_INTERVAL = 300.0
DEFAULT_CAMPAIGN_POLL_INTERVAL = 60.0
DEFAULT_TIMEZONE = "UTC"
"""The account time zone assumed when the connection names none."""
DEFAULT_ADD_BATCH_SIZE = 1000
"""Contacts per ``POST /addressbooks/{id}/emails`` call when streaming an upload."""


def get_provider_info() -> dict[str, Any]:
    """Describe the provider to Airflow's providers manager (the `apache_airflow_provider` entry point)."""
    return {
        "package-name": PACKAGE_NAME,
        "name": "SendPulse",
        "description": (
            "Mailing lists, contacts, email and SMS campaigns, chatbots and event sensors for SendPulse."
        ),
        "versions": [__version__],
        "integrations": [
            {
                "integration-name": "SendPulse",
                "external-doc-url": "https://sendpulse.com/integrations/api",
                "tags": ["service"],
            }
        ],
        "operators": [
            {
                "integration-name": "SendPulse",
                "python-modules": [
                    "airflow_provider_sendpulse.operators.mailing_lists",
                    "airflow_provider_sendpulse.operators.contacts",
                    "airflow_provider_sendpulse.operators.campaigns",
                    "airflow_provider_sendpulse.operators.sms",
                    "airflow_provider_sendpulse.operators.api",
                    "airflow_provider_sendpulse.operators.chatbots",
                    "airflow_provider_sendpulse.operators.automation",
                    "airflow_provider_sendpulse.operators.smtp",
                    "airflow_provider_sendpulse.operators.verifier",
                    "airflow_provider_sendpulse.operators.crm",
                ],
            }
        ],
        "sensors": [
            {
                "integration-name": "SendPulse",
                "python-modules": [
                    "airflow_provider_sendpulse.sensors.events",
                    "airflow_provider_sendpulse.sensors.campaigns",
                ],
            }
        ],
        "triggers": [
            {
                "integration-name": "SendPulse",
                "python-modules": [
                    "airflow_provider_sendpulse.triggers.events",
                    "airflow_provider_sendpulse.triggers.campaigns",
                    "airflow_provider_sendpulse.triggers.verification",
                ],
            }
        ],
        "hooks": [
            {
                "integration-name": "SendPulse",
                "python-modules": ["airflow_provider_sendpulse.hooks.sendpulse"],
            }
        ],
        "extra-links": ["airflow_provider_sendpulse.links.SendPulseCampaignLink"],
        "config": {
            "sendpulse": {
                "description": "Defaults of the SendPulse provider.",
                "options": {
                    "default_poll_interval": {
                        "description": (
                            "Seconds between polls of SendPulse sensors and triggers that do not set "
                            "their own interval. SendPulse has no change feed, so this is how quickly "
                            "new events are seen."
                        ),
                        "version_added": "0.1.0",
                        "type": "float",
                        "example": "60",
                        "default": str(DEFAULT_POLL_INTERVAL),
                    },
                    "default_campaign_poll_interval": {
                        "description": (
                            "Seconds between status checks of a campaign being waited for "
                            "(SendPulseCampaignSensor, wait_for_completion) that sets no interval."
                        ),
                        "version_added": "0.1.0",
                        "type": "float",
                        "example": "30",
                        "default": str(DEFAULT_CAMPAIGN_POLL_INTERVAL),
                    },
                    "rate_limit_store": {
                        "description": (
                            "Redis URL through which every worker on every host shares each account's "
                            "rate limit (needs the redis extra). Empty or 'host': the processes of one "
                            "host share it through a state file; 'process': each process adapts on its "
                            "own. A connection's rate_limit_store extra takes precedence."
                        ),
                        "version_added": "0.1.0",
                        "type": "string",
                        "sensitive": True,
                        "example": "redis://redis:6379/0",
                        "default": "",
                    },
                    "token_cache_dir": {
                        "description": (
                            "Folder (mode 0700) where the processes of one host share SendPulse tokens "
                            "in owner-only files, so a host mints about one token an hour. Empty: off. "
                            "A connection's token_cache_dir extra takes precedence."
                        ),
                        "version_added": "0.1.0",
                        "type": "string",
                        "example": "/var/lib/airflow/sendpulse-tokens",
                        "default": "",
                    },
                },
            }
        },
        "connection-types": [
            {
                "connection-type": "sendpulse",
                "hook-class-name": "airflow_provider_sendpulse.hooks.sendpulse.SendPulseHook",
                "hook-name": "SendPulse",
                "ui-field-behaviour": {
                    "hidden-fields": ["schema", "port", "extra"],
                    "relabeling": {"login": "API ID", "password": "API Secret", "host": "API base URL"},
                    "placeholders": {
                        "login": "API ID from SendPulse: Account settings > API",
                        "password": "API Secret (leave empty when using a static API key)",
                        "host": DEFAULT_BASE_URL,
                    },
                },
                "conn-fields": {
                    "api_key": {
                        "label": "Static API key",
                        "description": "A long-lived SendPulse API key; used instead of API ID and secret.",
                        "schema": {"type": ["string", "null"], "format": "password"},
                    },
                    "timeout": {
                        "label": "Request timeout (seconds)",
                        "schema": {
                            "type": ["number", "null"],
                            "default": DEFAULT_TIMEOUT,
                            "exclusiveMinimum": 0,
                        },
                    },
                    "max_requests_per_second": {
                        "label": "Max requests per second",
                        "description": "Client-side rate limit per account; SendPulse allows 10.",
                        "schema": {
                            "type": ["number", "null"],
                            "default": DEFAULT_MAX_REQUESTS_PER_SECOND,
                            "exclusiveMinimum": 0,
                        },
                    },
                    "max_retries": {
                        "label": "Max retries",
                        "description": "Retries for rate limits, server errors and network failures.",
                        "schema": {"type": ["integer", "null"], "default": DEFAULT_MAX_RETRIES, "minimum": 0},
                    },
                    "allow_insecure_http": {
                        "label": "Allow plain http",
                        "description": (
                            "Send credentials over plain http:// to a host other than this machine "
                            "(a trusted network only). Loopback hosts may always use http."
                        ),
                        "schema": {"type": ["boolean", "null"], "default": False},
                    },
                    "timezone": {
                        "label": "Account time zone",
                        "description": (
                            "IANA name of the SendPulse account's time zone (e.g. Europe/Kyiv): SendPulse "
                            "dates are in it. Naive datetimes given to the provider are read in it."
                        ),
                        "schema": {"type": ["string", "null"], "default": DEFAULT_TIMEZONE},
                    },
                    "rate_limit_store": {
                        "label": "Shared rate limit (Redis URL)",
                        "description": (
                            "Share the account's rate limit with every worker through this Redis "
                            "(e.g. the Celery broker). Empty: shared by the processes of each host."
                        ),
                        "schema": {"type": ["string", "null"], "format": "password"},
                    },
                    "token_cache_dir": {
                        "label": "Host token cache folder",
                        "description": (
                            "Share tokens between the processes of one host through owner-only files "
                            "in this folder. Empty: off (each process mints its own token)."
                        ),
                        "schema": {"type": ["string", "null"]},
                    },
                },
            }
        ],
    }
