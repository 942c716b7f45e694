"""SendPulseCampaignSensor: wait until an email campaign is sent, and fail clearly when it is not."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any, NoReturn

from airflow.providers.common.compat.sdk import conf

from airflow_provider_sendpulse.events.statuses import status_code, status_name
from airflow_provider_sendpulse.sensors.base import SendPulseBaseSensor
from airflow_provider_sendpulse.waiting.polling import default_campaign_poll_interval

if TYPE_CHECKING:
    from airflow.sdk import Context


class SendPulseCampaignSensor(SendPulseBaseSensor):
    """Wait until an email campaign reaches a final status; return its status and statistics.

    Sent (3) and sent partially (23) succeed; canceled (16), blocked (5, 25), no active addresses (12),
    marked for deletion (6) and requires editing (27) fail with a message naming the status (skipped
    instead with ``soft_fail``). With ``deferrable=True`` (default: ``[operators] default_deferrable``) it
    waits in the triggerer; otherwise it checks in ``poke`` or ``reschedule`` mode.

    :param campaign_id: the email campaign (templated; e.g. from the create operator's XCom).
    :param sendpulse_conn_id: the SendPulse connection.
    :param deferrable: wait in the triggerer instead of a worker slot; default
        ``[operators] default_deferrable`` (False unless configured).
    :param poke_interval: seconds between checks; default ``[sendpulse] default_campaign_poll_interval``
        (60).
    """

    template_fields: Sequence[str] = ("campaign_id",)

    def __init__(
        self,
        *,
        campaign_id: int | str,
        sendpulse_conn_id: str = "sendpulse_default",
        deferrable: bool = conf.getboolean("operators", "default_deferrable", fallback=False),
        poke_interval: float | timedelta | None = None,
        **kwargs: Any,
    ) -> None:
        if poke_interval is None:
            poke_interval = default_campaign_poll_interval()
        super().__init__(
            sendpulse_conn_id=sendpulse_conn_id, deferrable=deferrable, poke_interval=poke_interval, **kwargs
        )
        self.campaign_id = campaign_id

    def _campaign_id(self) -> int:
        try:
            value = int(self.campaign_id)
        except (TypeError, ValueError):
            raise ValueError(f"campaign_id must be a positive integer, got {self.campaign_id!r}") from None
        if value < 1:
            raise ValueError(f"campaign_id must be a positive integer, got {self.campaign_id!r}")
        return value

    def check(self, context: Context) -> dict[str, Any] | None:
        """The result once the campaign is final (raises on a final status that is not sent), else None."""
        from airflow_provider_sendpulse.waiting.campaigns import campaign_event, campaign_result

        cid = self._campaign_id()
        campaign = self.hook.get_campaign(cid)
        event = campaign_event(cid, campaign)
        if event is None:
            code = status_code(campaign)
            self.log.info("Campaign %s is %s (status %s)", cid, status_name(code), code)
            return None
        return campaign_result(event)

    def defer_wait(self, context: Context, deadline: float) -> NoReturn:
        """Wait in the triggerer until the campaign is final or ``deadline`` passes."""
        from airflow_provider_sendpulse.triggers.campaigns import SendPulseCampaignTrigger

        self.defer(
            trigger=SendPulseCampaignTrigger(
                campaign_id=self._campaign_id(),
                sendpulse_conn_id=self.sendpulse_conn_id,
                poll_interval=self.poke_interval,
                deadline=deadline,
            ),
            method_name="execute_complete",
            timeout=self.deferral_timeout(deadline),
        )

    def execute_complete(self, context: Context, event: dict[str, Any]) -> dict[str, Any]:
        """Return the final status and statistics, or fail with the reason."""
        from airflow_provider_sendpulse.waiting.campaigns import campaign_result

        return campaign_result(event)
