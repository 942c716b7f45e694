"""SendPulseVerificationTrigger: wait asynchronously until SendPulse has verified a mailing list."""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from airflow_provider_sendpulse.triggers._wait import WaitTrigger
from airflow_provider_sendpulse.waiting.polling import DEFAULT_MAX_ERRORS

if TYPE_CHECKING:
    from airflow_provider_sendpulse.events.driver import Step
    from airflow_provider_sendpulse.waiting.polling import ErrorBudget


class SendPulseVerificationTrigger(WaitTrigger):
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

    subject = "list_id"

    def __init__(
        self,
        *,
        list_id: int,
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
        self.list_id = int(list_id)

    def wait(self, budget: ErrorBudget) -> Generator[Step, Any, dict[str, Any]]:
        from airflow_provider_sendpulse.waiting.verification import verification_wait

        return verification_wait(self.list_id, self.poll_interval, self.deadline, budget, self.log)
