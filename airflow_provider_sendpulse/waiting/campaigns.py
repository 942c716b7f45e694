"""Waiting for an email campaign to reach a final status, written once for every way of waiting.

:func:`campaign_wait` is the poll loop without I/O: the trigger drives it asynchronously
(:func:`~..events.driver.adrive`), the create operator's synchronous wait drives it with a hook's client
(:func:`~..events.driver.drive`), and the sensor's poke runs one check of it (:func:`campaign_event`).
Each ends in the same payload, which :func:`campaign_result` turns into the task result or a clear error.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import Any

from airflow.providers.common.compat.sdk import AirflowException, AirflowFailException, AirflowSensorTimeout

from airflow_provider_sendpulse.client import api
from airflow_provider_sendpulse.client.errors import SendPulseError
from airflow_provider_sendpulse.events.driver import Pause, Step, SyncRunner, drive
from airflow_provider_sendpulse.events.statuses import outcome, status_code, status_name
from airflow_provider_sendpulse.waiting.polling import (
    ErrorBudget,
    default_campaign_poll_interval,
    describe,
    pause_before_next,
    remaining,
)


def compact_campaign(campaign: Mapping[str, Any]) -> dict[str, Any]:
    """A campaign without its HTML body and attachments (the event is stored and logged)."""
    clean = dict(campaign)
    message = clean.get("message")
    if isinstance(message, dict):
        clean["message"] = {key: value for key, value in message.items() if key not in ("body", "attach")}
    return clean


def campaign_event(campaign_id: int, campaign: Mapping[str, Any]) -> dict[str, Any] | None:
    """The payload for a campaign in a final status (``"sent"`` or ``"failed"``); None while waiting."""
    code = status_code(campaign)
    state = outcome(code)
    if state == "waiting":
        return None
    return {
        "status": state,
        "campaign_id": campaign_id,
        "campaign_status": code,
        "status_name": status_name(code),
        "campaign": compact_campaign(campaign),
        "message": f"campaign {campaign_id} is {status_name(code)} (status {code})",
    }


def campaign_wait(
    campaign_id: int,
    poll_interval: float,
    deadline: float | None,
    budget: ErrorBudget,
    log: Any,
) -> Generator[Step, Any, dict[str, Any]]:
    """Check the campaign every ``poll_interval`` seconds until it is final; return the payload.

    The payload's ``status`` is ``"sent"`` or ``"failed"`` (see :func:`campaign_event`), ``"timeout"``
    once ``deadline`` (epoch seconds) passed, or ``"error"`` (with ``message``) on a failure that is not
    transient or exhausts ``budget``.
    """
    while True:
        left = remaining(deadline)
        if left is not None and left <= 0:
            message = f"campaign {campaign_id} did not finish in time"
            return {"status": "timeout", "campaign_id": campaign_id, "message": message}
        try:
            campaign = yield api.get_campaign(campaign_id)
        except SendPulseError as error:
            if not budget.spend(error):
                return {"status": "error", "campaign_id": campaign_id, "message": describe(error)}
            log.warning("Checking campaign %s failed: %s", campaign_id, error)
        else:
            budget.reset()
            event = campaign_event(campaign_id, campaign)
            if event is not None:
                return event
            code = status_code(campaign)
            log.info(
                "Campaign %s is %s (status %s); checking again later", campaign_id, status_name(code), code
            )
        yield Pause(pause_before_next(poll_interval, deadline))


def wait_here(
    runner: SyncRunner,
    campaign_id: int,
    poll_interval: float | None,
    deadline: float | None,
    log: Any,
) -> dict[str, Any]:
    """Wait in this process (no triggerer needed), checking through ``runner`` (a hook's client).

    Returns the same payload the trigger fires; feed it to :func:`campaign_result`.
    """
    interval = default_campaign_poll_interval() if poll_interval is None else poll_interval
    return drive(runner, campaign_wait(campaign_id, interval, deadline, ErrorBudget(), log))


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
    """Turn a campaign wait's payload (e.g. a trigger event) into the task result, or raise.

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
