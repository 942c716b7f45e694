"""What every SendPulse operator shares: the connection id and a lazily built hook."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from airflow.sdk import BaseOperator

from airflow_provider_sendpulse.hooks.sendpulse import SendPulseHook


class SendPulseBaseOperator(BaseOperator):
    """Base for SendPulse operators.

    :param sendpulse_conn_id: Airflow connection of type ``sendpulse``.
    """

    ui_color = "#ffe8a3"

    def __init__(self, *, sendpulse_conn_id: str = SendPulseHook.default_conn_name, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sendpulse_conn_id = sendpulse_conn_id

    @cached_property
    def hook(self) -> SendPulseHook:
        return SendPulseHook(sendpulse_conn_id=self.sendpulse_conn_id)
