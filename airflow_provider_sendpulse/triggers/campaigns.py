"""SendPulseCampaignTrigger: wait asynchronously until an email campaign reaches a final status."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from airflow.triggers.base import BaseTrigger, TriggerEvent

from airflow_provider_sendpulse.client import api
from airflow_provider_sendpulse.client.errors import SendPulseError
from airflow_provider_sendpulse.events.statuses import outcome, status_code, status_name
from airflow_provider_sendpulse.triggers import _common
from airflow_provider_sendpulse.triggers._client import GatedClient, async_client


class SendPulseCampaignTrigger(BaseTrigger):
    """Fire once the campaign is sent, has failed for good, or the deadline passed.

    The payload is a dict with ``status`` (``"sent"``, ``"failed"``, ``"timeout"`` or ``"error"``),
    ``campaign_id``, and for the first two ``campaign_status`` (the SendPulse code),
    ``status_name`` and ``campaign`` (``GET /campaigns/{id}``, statistics included); ``message`` says
    what happened. :func:`~airflow_provider_sendpulse.sensors.campaigns.campaign_result` turns it into a
    task result or a clear failure.

    :param campaign_id: the email campaign to watch.
    :param sendpulse_conn_id: the SendPulse connection.
    :param poll_interval: seconds between checks; default ``[sendpulse] default_campaign_poll_interval``
        (60).
    :param deadline: epoch seconds after which a ``"timeout"`` event ends the wait; None: never.
    :param max_errors: transient failures in a row tolerated before an ``"error"`` event.
    """

    def __init__(
        self,
        *,
        campaign_id: int,
        sendpulse_conn_id: str = "sendpulse_default",
        poll_interval: float | None = None,
        deadline: float | None = None,
        max_errors: int = _common.DEFAULT_MAX_ERRORS,
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.campaign_id = int(campaign_id)
        self.sendpulse_conn_id = sendpulse_conn_id
        self.poll_interval = float(
            _common.default_campaign_poll_interval() if poll_interval is None else poll_interval
        )
        self.deadline = None if deadline is None else float(deadline)
        self.max_errors = int(max_errors)

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "campaign_id": self.campaign_id,
                "sendpulse_conn_id": self.sendpulse_conn_id,
                "poll_interval": self.poll_interval,
                "deadline": self.deadline,
                "max_errors": self.max_errors,
            },
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        client: GatedClient | None = None
        failures = 0
        while True:
            left = _common.remaining(self.deadline)
            if left is not None and left <= 0:
                yield self._event("timeout", message=f"campaign {self.campaign_id} did not finish in time")
                return
            try:
                if client is None:
                    client = await async_client(self.sendpulse_conn_id)
                campaign = await client.run(api.get_campaign(self.campaign_id))
            except SendPulseError as error:
                failures += 1
                if _common.is_transient(error) and failures <= self.max_errors:
                    self.log.warning("Checking campaign %s failed: %s", self.campaign_id, error)
                    await asyncio.sleep(_common.backoff(failures, self.poll_interval))
                    continue
                yield self._event("error", message=_common.describe(error))
                return
            failures = 0
            code = status_code(campaign)
            result = outcome(code)
            if result != "waiting":
                yield self._event(
                    result,
                    campaign_status=code,
                    status_name=status_name(code),
                    campaign=compact_campaign(campaign),
                    message=f"campaign {self.campaign_id} is {status_name(code)} (status {code})",
                )
                return
            self.log.info("Campaign %s is %s; checking again later", self.campaign_id, status_name(code))
            await _common.sleep_until_next(self.poll_interval, self.deadline)

    def _event(self, status: str, **fields: Any) -> TriggerEvent:
        return _common.trigger_event({"status": status, "campaign_id": self.campaign_id, **fields})


def compact_campaign(campaign: dict[str, Any]) -> dict[str, Any]:
    """A campaign without its HTML body and attachments (the event is stored and logged)."""
    clean = dict(campaign)
    message = clean.get("message")
    if isinstance(message, dict):
        clean["message"] = {key: value for key, value in message.items() if key not in ("body", "attach")}
    return clean
