"""SendPulseVerificationTrigger: wait asynchronously until SendPulse has verified a mailing list."""

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


class SendPulseVerificationTrigger(BaseTrigger):
    """Fire once every address of the list is verified, the deadline passed, or checking failed.

    The payload has ``status`` (``"done"``, ``"timeout"`` or ``"error"``), ``list_id``, and ``total`` /
    ``processed`` when done; :func:`~airflow_provider_sendpulse.waiting.verification.verification_result`
    turns it into the list id or a clear failure.

    :param list_id: the mailing list being verified.
    :param sendpulse_conn_id: the SendPulse connection.
    :param poll_interval: seconds between checks; default ``[sendpulse] default_campaign_poll_interval``.
    :param deadline: epoch seconds after which a ``"timeout"`` event ends the wait; None: never.
    :param max_errors: checks in a row that may fail transiently before an ``"error"`` event.
    """

    def __init__(
        self,
        *,
        list_id: int,
        sendpulse_conn_id: str = "sendpulse_default",
        poll_interval: float | None = None,
        deadline: float | None = None,
        max_errors: int = DEFAULT_MAX_ERRORS,
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.list_id = int(list_id)
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
        from airflow_provider_sendpulse.waiting.verification import verification_wait

        wait = verification_wait(
            self.list_id, self.poll_interval, self.deadline, ErrorBudget(self.max_errors), self.log
        )
        try:
            client = await async_client(self.sendpulse_conn_id)
        except SendPulseError as error:
            payload = {"status": "error", "list_id": self.list_id, "message": describe(error)}
        else:
            payload = await adrive(client, wait)
        yield trigger_event(payload)
