"""Airflow hook for the SendPulse REST API."""

from __future__ import annotations

from typing import Any

from airflow.sdk import BaseHook

from airflow_provider_sendpulse.hooks import connection_form


class SendPulseHook(BaseHook):
    """Turn an Airflow ``sendpulse`` connection into a SendPulse API client."""

    conn_name_attr = "sendpulse_conn_id"
    default_conn_name = "sendpulse_default"
    conn_type = "sendpulse"
    hook_name = "SendPulse"

    def __init__(self, sendpulse_conn_id: str = default_conn_name, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sendpulse_conn_id = sendpulse_conn_id

    @staticmethod
    def get_connection_form_widgets() -> dict[str, Any]:
        """Extra connection fields for Airflow 3.1 (later versions read them from the provider info)."""
        return connection_form.connection_form_widgets()

    @staticmethod
    def get_ui_field_behaviour() -> dict[str, Any]:
        """Relabelled and hidden standard fields for Airflow 3.1 (later versions use the provider info)."""
        return connection_form.ui_field_behaviour()
