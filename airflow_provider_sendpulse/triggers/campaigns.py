"""SendPulseCampaignTrigger: wait asynchronously until an email campaign reaches a final status."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from airflow.triggers.base import BaseTrigger, TriggerEvent

from airflow_provider_sendpulse.waiting.polling import (
    DEFAULT_MAX_ERRORS,
    ErrorBudget,
    default_campaign_poll_interval,
    describe,
    serialize_trigger,
    trigger_event,
)


class SendPulseCampaignTrigger(BaseTrigger):
    """Fire once the campaign is sent, has failed for good, or the deadline passed.

    The payload is a dict with ``status`` (``"sent"``, ``"failed"``, ``"timeout"`` or ``"error"``),
    ``campaign_id``, and for the first two ``campaign_status`` (the SendPulse code),
    ``status_name`` and ``campaign`` (``GET /campaigns/{id}``, statistics included); ``message`` says
    what happened. :func:`~airflow_provider_sendpulse.waiting.campaigns.campaign_result` turns it into a
    task result or a clear failure.

    :param campaign_id: the email campaign to watch.
    :param sendpulse_conn_id: the SendPulse connection.
    :param poll_interval: seconds between checks; default ``[sendpulse] default_campaign_poll_interval``
        (60).
    :param deadline: epoch seconds after which a ``"timeout"`` event ends the wait; None: never.
    :param max_errors: checks in a row that may fail transiently (each already retried by the client)
        before an ``"error"`` event; the next try is the next check.
    """

    def __init__(
        self,
        *,
        campaign_id: int,
        sendpulse_conn_id: str = "sendpulse_default",
        poll_interval: float | None = None,
        deadline: float | None = None,
        max_errors: int = DEFAULT_MAX_ERRORS,
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.campaign_id = int(campaign_id)
        self.sendpulse_conn_id = sendpulse_conn_id
        self.poll_interval = float(
            default_campaign_poll_interval() if poll_interval is None else poll_interval
        )
        self.deadline = None if deadline is None else float(deadline)
        self.max_errors = int(max_errors)

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return serialize_trigger(self)

    async def run(self) -> AsyncIterator[TriggerEvent]:
        # Loaded here, in the triggerer, not by a DAG file that imports the trigger.
        from airflow_provider_sendpulse.client.errors import SendPulseError
        from airflow_provider_sendpulse.events.driver import adrive
        from airflow_provider_sendpulse.triggers._client import async_client
        from airflow_provider_sendpulse.waiting.campaigns import campaign_wait

        wait = campaign_wait(
            self.campaign_id, self.poll_interval, self.deadline, ErrorBudget(self.max_errors), self.log
        )
        try:
            client = await async_client(self.sendpulse_conn_id)
        except SendPulseError as error:
            payload = {"status": "error", "campaign_id": self.campaign_id, "message": describe(error)}
        else:
            payload = await adrive(client, wait)
        yield trigger_event(payload)
