"""The provider's Airflow-level error: input or a situation that retrying the task would not change."""

from __future__ import annotations

from airflow.providers.common.compat.sdk import AirflowFailException


class SendPulseInputError(AirflowFailException, ValueError):
    """Input refused before any request; retrying the task would not help, so it fails without retries."""
