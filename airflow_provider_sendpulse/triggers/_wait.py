"""What every single-shot waiting trigger shares: drive one wait from ``waiting/`` to its end, fire once."""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator
from typing import TYPE_CHECKING, Any, ClassVar

from airflow.triggers.base import BaseTrigger, TriggerEvent

from airflow_provider_sendpulse.waiting.polling import (
    DEFAULT_MAX_ERRORS,
    ErrorBudget,
    default_campaign_poll_interval,
    describe,
    serialize_trigger,
    trigger_event,
)

if TYPE_CHECKING:
    from airflow_provider_sendpulse.events.driver import Step


class WaitTrigger(BaseTrigger):
    """Poll one SendPulse object until its wait ends, then fire one event.

    Subclasses name the object's id attribute (``subject``) and build the wait; the payload of a
    connection failure carries that id, as the wait's own payloads do.
    """

    subject: ClassVar[str]
    """The constructor argument (and attribute) holding the watched object's id."""

    def __init__(
        self,
        *,
        sendpulse_conn_id: str = "sendpulse_default",
        poll_interval: float | None = None,
        deadline: float | None = None,
        max_errors: int = DEFAULT_MAX_ERRORS,
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.sendpulse_conn_id = sendpulse_conn_id
        self.poll_interval = float(
            default_campaign_poll_interval() if poll_interval is None else poll_interval
        )
        self.deadline = None if deadline is None else float(deadline)
        self.max_errors = int(max_errors)

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return serialize_trigger(self)

    def wait(self, budget: ErrorBudget) -> Generator[Step, Any, dict[str, Any]]:
        """The wait to drive (from ``waiting/``), loaded when the trigger runs."""
        raise NotImplementedError

    async def run(self) -> AsyncIterator[TriggerEvent]:
        # Loaded here, in the triggerer, not by a DAG file that imports the trigger.
        from airflow_provider_sendpulse.client.errors import SendPulseError
        from airflow_provider_sendpulse.events.driver import adrive
        from airflow_provider_sendpulse.triggers._client import async_client

        wait = self.wait(ErrorBudget(self.max_errors))
        try:
            client = await async_client(self.sendpulse_conn_id)
        except SendPulseError as error:
            subject = getattr(self, self.subject)
            payload = {"status": "error", self.subject: subject, "message": describe(error)}
        else:
            payload = await adrive(client, wait)
        yield trigger_event(payload)
