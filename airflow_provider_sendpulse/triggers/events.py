"""SendPulseEventTrigger: poll SendPulse asynchronously and fire once per batch of new events."""

from __future__ import annotations

import asyncio
import time
import zlib
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any

from airflow.triggers.base import BaseEventTrigger, TriggerEvent

from airflow_provider_sendpulse.events.registry import get_event_source
from airflow_provider_sendpulse.waiting.polling import (
    DEFAULT_MAX_ERRORS,
    ErrorBudget,
    default_poll_interval,
    describe,
    pause_before_next,
    remaining,
    serialize_trigger,
    trigger_event,
)

if TYPE_CHECKING:
    from airflow_provider_sendpulse.client.async_client import AsyncSendPulseClient
    from airflow_provider_sendpulse.events import Cursor, EventSource, Poll

COMMIT_DELAY = 5.0
"""Seconds between handing a batch to the triggerer and storing the cursor past it, so the triggerer
has persisted the event before the watermark moves (a crash in between repeats the batch, never loses it)."""


class SendPulseEventTrigger(BaseEventTrigger):
    """Fire when new SendPulse events exist, with the events and the cursor past them.

    Used by :class:`~airflow_provider_sendpulse.sensors.events.SendPulseEventSensor` when it defers, and
    directly in an ``AssetWatcher`` to schedule a DAG on new events. In a watcher it keeps polling after
    each batch and never fires twice for the same state; on Airflow 3.3+ it keeps its cursor in the asset
    state store, so a triggerer restart resumes where it stopped.

    Every event payload is a dict with ``status``: ``"success"`` (with ``events``, ``cursor``, ``count``,
    ``event_type`` and ``start_cursor``, the cursor this trigger was given), ``"timeout"`` (deadline
    reached) or ``"error"`` (with ``message``; only when
    ``fail_on_error``).

    :param event_type: a registered event type (``new_subscriber``, ``new_campaign``, ``campaign_sent``,
        ``new_sms_campaign``, ``chatbot_incoming_message``, ...).
    :param event_params: the event type's parameters, e.g. ``{"list_id": 42}``.
    :param sendpulse_conn_id: the SendPulse connection.
    :param cursor: where to start; None records the current position first (or starts from the
        beginning with ``start_from="beginning"``).
    :param poll_interval: seconds between polls; default ``[sendpulse] default_poll_interval`` (300).
    :param max_events: most events per batch (the rest comes in the next one).
    :param min_events: fire only when at least this many new events exist.
    :param start_from: ``"now"`` or ``"beginning"``, used when there is no cursor.
    :param deadline: epoch seconds after which a ``"timeout"`` event ends the trigger; None: never.
    :param not_before: epoch seconds before which the first poll does not happen.
    :param fail_on_error: after ``max_errors`` failing polls in a row (or any non-transient error) yield
        an ``"error"`` event and stop; when False, log and keep polling (what a watcher wants).
    :param max_errors: polls in a row that may fail transiently (each request already retried by the
        client) before the failure counts as above; the next try is the next poll.
    """

    def __init__(
        self,
        *,
        event_type: str,
        event_params: Mapping[str, Any] | None = None,
        sendpulse_conn_id: str = "sendpulse_default",
        cursor: Cursor | None = None,
        poll_interval: float | None = None,
        max_events: int = 100,
        min_events: int = 1,
        start_from: str = "now",
        deadline: float | None = None,
        not_before: float | None = None,
        fail_on_error: bool = False,
        max_errors: int = DEFAULT_MAX_ERRORS,
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        source = get_event_source(event_type, event_params)  # validates early, in the DAG file
        if not 1 <= min_events <= max_events:
            raise ValueError(f"need 1 <= min_events <= max_events, got {min_events} and {max_events}")
        if poll_interval is None:
            poll_interval = default_poll_interval()
        if poll_interval <= 0:
            raise ValueError("poll_interval must be positive")
        if start_from not in ("now", "beginning"):
            raise ValueError(f"start_from must be 'now' or 'beginning', got {start_from!r}")
        self.event_type = event_type
        self.event_params = source.params
        self.sendpulse_conn_id = sendpulse_conn_id
        self.cursor = dict(cursor) if cursor is not None else None
        self.poll_interval = float(poll_interval)
        self.max_events = int(max_events)
        self.min_events = int(min_events)
        self.start_from = start_from
        self.deadline = None if deadline is None else float(deadline)
        self.not_before = None if not_before is None else float(not_before)
        self.fail_on_error = bool(fail_on_error)
        self.max_errors = int(max_errors)

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return serialize_trigger(self)

    def _source(self) -> EventSource:
        return get_event_source(self.event_type, self.event_params)

    async def run(self) -> AsyncIterator[TriggerEvent]:
        # Nothing but the jitter before the first pause: triggers started together run this part in one
        # pass of the event loop, and the rest of the set-up spreads out with their first polls.
        await _sleep_until((self.not_before or time.time()) + self._jitter(), self.deadline)

        # Loaded here, in the triggerer, not by a DAG file that imports the trigger.
        from airflow_provider_sendpulse.client.errors import SendPulseError
        from airflow_provider_sendpulse.events import adrive, cursor_key
        from airflow_provider_sendpulse.triggers._client import async_client
        from airflow_provider_sendpulse.triggers._watermark import Watermark

        source = self._source()
        watermark = Watermark(
            getattr(self, "asset_state_store", None), cursor_key(self.sendpulse_conn_id, source)
        )
        cursor = await watermark.load() or self.cursor
        client: AsyncSendPulseClient | None = None
        budget = ErrorBudget(self.max_errors)
        while True:
            left = remaining(self.deadline)
            if left is not None and left <= 0:
                yield trigger_event(self._payload("timeout", message="the deadline passed before new events"))
                return
            try:
                if client is None:
                    client = await async_client(self.sendpulse_conn_id)
                poll = await adrive(client, source.poll(cursor, self.max_events, self.start_from))
            except (SendPulseError, ValueError) as error:
                message = describe(error)
                if budget.spend(error):
                    self.log.warning(
                        "SendPulse poll failed (%d/%d): %s", budget.failures, self.max_errors, message
                    )
                elif self.fail_on_error:
                    yield trigger_event(self._payload("error", message=message))
                    return
                else:
                    self.log.error("SendPulse poll failed, trying again next interval: %s", message)
                    budget.reset()
                await _sleep(self.poll_interval, self.deadline)
                continue
            budget.reset()
            for warning in poll.warnings:
                self.log.warning("%s", warning)
            if poll.baseline:
                self.log.info(
                    "Recorded the current SendPulse %s position; waiting for new events", self.event_type
                )
                cursor = poll.cursor
                await watermark.save(cursor)
            elif len(poll.events) >= self.min_events:
                yield trigger_event(self._success(poll))
                cursor = poll.cursor
                if watermark.available:
                    waited = min(COMMIT_DELAY, self.poll_interval)
                    await asyncio.sleep(waited)
                    await watermark.save(cursor)
                    await _sleep(self.poll_interval - waited, self.deadline)
                    continue
            elif not poll.events and poll.cursor != cursor:
                cursor = poll.cursor
                await watermark.save(cursor)
            await _sleep(self.poll_interval, self.deadline)

    def _jitter(self) -> float:
        """A fixed delay of up to a second (or one interval) before the first poll, from the kwargs.

        Triggers started together (a triggerer restart, many sensors deferring at once) then do not all
        poll in the same instant: their polls stay spread over the interval. The kwargs are in constructor
        order, so their ``repr`` is as stable as JSON and half the cost.
        """
        digest = zlib.crc32(repr(self.serialize()[1]).encode())
        return (digest % 1000) / 1000 * min(1.0, self.poll_interval)

    def _payload(self, status: str, **fields: Any) -> dict[str, Any]:
        return {"status": status, "event_type": self.event_type, "event_params": self.event_params, **fields}

    def _success(self, poll: Poll) -> dict[str, Any]:
        return self._payload(
            "success",
            events=poll.events,
            count=len(poll.events),
            cursor=poll.cursor,
            start_cursor=self.cursor,
        )


async def _sleep(poll_interval: float, deadline: float | None) -> None:
    await asyncio.sleep(pause_before_next(poll_interval, deadline))


async def _sleep_until(when: float, deadline: float | None) -> None:
    until = when if deadline is None else min(when, deadline)
    delay = until - time.time()
    if delay > 0:
        await asyncio.sleep(delay)
