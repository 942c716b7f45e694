"""SendPulseCampaignSensor: wait until an email campaign is sent, and fail clearly when it is not."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from airflow.providers.common.compat.sdk import (
    AirflowException,
    AirflowFailException,
    AirflowSensorTimeout,
    AirflowSkipException,
    BaseSensorOperator,
    PokeReturnValue,
)

from airflow_provider_sendpulse.events.statuses import outcome, status_code, status_name
from airflow_provider_sendpulse.triggers._common import default_campaign_poll_interval

if TYPE_CHECKING:
    from airflow.sdk import Context

DEFERRAL_GRACE = 60.0


def campaign_summary(campaign: Mapping[str, Any]) -> dict[str, Any]:
    """The task result for a finished campaign: id, status code and name, counts and statistics."""
    code = status_code(campaign)
    return {
        "campaign_id": campaign.get("id"),
        "status": code,
        "status_name": status_name(code),
        "name": campaign.get("name"),
        "send_date": campaign.get("send_date"),
        "all_email_qty": campaign.get("all_email_qty"),
        "statistics": campaign.get("statistics"),
        "campaign": dict(campaign),
    }


def campaign_result(event: Mapping[str, Any]) -> dict[str, Any]:
    """Turn a :class:`SendPulseCampaignTrigger` event into the task result, or raise.

    Sent: returns :func:`campaign_summary`. Failed for good (canceled, blocked, no active addresses...):
    ``AirflowFailException`` (a retry would not change it). Deadline passed: ``AirflowSensorTimeout``.
    Errors talking to SendPulse: ``AirflowException``.
    """
    status = event.get("status")
    cid = event.get("campaign_id")
    if status == "sent":
        return campaign_summary(event.get("campaign") or {"id": cid, "status": event.get("campaign_status")})
    if status == "failed":
        raise AirflowFailException(
            f"SendPulse campaign {cid} ended as {event.get('status_name')} "
            f"(status {event.get('campaign_status')}): it was not sent"
        )
    if status == "timeout":
        raise AirflowSensorTimeout(f"SendPulse campaign {cid} did not reach a final status in time")
    raise AirflowException(f"Waiting for SendPulse campaign {cid} failed: {event.get('message')}")


class SendPulseCampaignSensor(BaseSensorOperator):
    """Wait until an email campaign reaches a final status; return its status and statistics.

    Sent (3) and sent partially (23) succeed; canceled (16), blocked (5, 25), no active addresses (12),
    marked for deletion (6) and requires editing (27) fail with a message naming the status (skipped
    instead with ``soft_fail``). Deferrable by default; ``deferrable=False`` pokes in ``poke`` or
    ``reschedule`` mode.

    :param campaign_id: the email campaign (templated; e.g. from the create operator's XCom).
    :param sendpulse_conn_id: the SendPulse connection.
    :param deferrable: wait in the triggerer instead of a worker slot.
    :param poke_interval: seconds between checks; default ``[sendpulse] default_campaign_poll_interval``
        (60).
    """

    template_fields: Sequence[str] = ("campaign_id",)
    ui_color = "#ffd8b1"

    def __init__(
        self,
        *,
        campaign_id: int | str,
        sendpulse_conn_id: str = "sendpulse_default",
        deferrable: bool = True,
        poke_interval: float | timedelta | None = None,
        **kwargs: Any,
    ) -> None:
        if poke_interval is None:
            poke_interval = default_campaign_poll_interval()
        super().__init__(poke_interval=poke_interval, **kwargs)
        self.campaign_id = campaign_id
        self.sendpulse_conn_id = sendpulse_conn_id
        self.deferrable = deferrable

    def _campaign_id(self) -> int:
        try:
            value = int(self.campaign_id)
        except (TypeError, ValueError):
            raise ValueError(f"campaign_id must be a positive integer, got {self.campaign_id!r}") from None
        if value < 1:
            raise ValueError(f"campaign_id must be a positive integer, got {self.campaign_id!r}")
        return value

    def _check(self) -> dict[str, Any] | None:
        """The result once final (raises on a bad final status), else None."""
        cid = self._campaign_id()
        # The client loads when the sensor runs, not when its DAG file is parsed.
        from airflow_provider_sendpulse.client import api
        from airflow_provider_sendpulse.hooks.sendpulse import SendPulseHook

        campaign = SendPulseHook(sendpulse_conn_id=self.sendpulse_conn_id).run(api.get_campaign(cid))
        code = status_code(campaign)
        state = outcome(code)
        if state == "waiting":
            self.log.info("Campaign %s is %s (status %s)", cid, status_name(code), code)
            return None
        return campaign_result(
            {
                "status": state,
                "campaign_id": cid,
                "campaign_status": code,
                "status_name": status_name(code),
                "campaign": campaign,
            }
        )

    def poke(self, context: Context) -> bool | PokeReturnValue:
        result = self._check()
        return PokeReturnValue(is_done=True, xcom_value=result) if result is not None else False

    def execute(self, context: Context) -> Any:
        if not self.deferrable:
            return super().execute(context)
        try:
            result = self._check()
        except AirflowSkipException:
            raise
        except (AirflowFailException, AirflowSensorTimeout) as error:
            if self.soft_fail or self.never_fail:
                raise AirflowSkipException(f"Skipping (soft_fail): {error}") from error
            raise
        except Exception as error:
            if self.never_fail:
                raise AirflowSkipException(f"Skipping (never_fail): {error}") from error
            raise
        if result is not None:
            return result
        from airflow_provider_sendpulse.triggers.campaigns import SendPulseCampaignTrigger

        deadline = time.time() + self.timeout
        self.defer(
            trigger=SendPulseCampaignTrigger(
                campaign_id=self._campaign_id(),
                sendpulse_conn_id=self.sendpulse_conn_id,
                poll_interval=self.poke_interval,
                deadline=deadline,
            ),
            method_name="execute_complete",
            timeout=timedelta(seconds=self.timeout + DEFERRAL_GRACE),
        )

    def execute_complete(self, context: Context, event: dict[str, Any]) -> dict[str, Any]:
        """Return the final status and statistics, or fail with the reason."""
        return campaign_result(event)
