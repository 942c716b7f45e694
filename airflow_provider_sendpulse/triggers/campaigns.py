"""SendPulseCampaignTrigger: wait asynchronously until an email campaign reaches a final status."""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from airflow_provider_sendpulse.triggers._wait import WaitTrigger
from airflow_provider_sendpulse.waiting.polling import DEFAULT_MAX_ERRORS

if TYPE_CHECKING:
    from airflow_provider_sendpulse.events.driver import Step
    from airflow_provider_sendpulse.waiting.polling import ErrorBudget


class SendPulseCampaignTrigger(WaitTrigger):
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

    subject = "campaign_id"

    def __init__(
        self,
        *,
        campaign_id: int,
        sendpulse_conn_id: str = "sendpulse_default",
        poll_interval: float | None = None,
        deadline: float | None = None,
        max_errors: int = DEFAULT_MAX_ERRORS,
    ) -> None:
        super().__init__(
            sendpulse_conn_id=sendpulse_conn_id,
            poll_interval=poll_interval,
            deadline=deadline,
            max_errors=max_errors,
        )
        self.campaign_id = int(campaign_id)

    def wait(self, budget: ErrorBudget) -> Generator[Step, Any, dict[str, Any]]:
        from airflow_provider_sendpulse.waiting.campaigns import campaign_wait

        return campaign_wait(self.campaign_id, self.poll_interval, self.deadline, budget, self.log)
