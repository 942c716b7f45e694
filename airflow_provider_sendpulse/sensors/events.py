"""SendPulseEventSensor: wait for new SendPulse events and hand them to downstream tasks."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any, NoReturn

from airflow.providers.common.compat.sdk import AirflowException, AirflowSensorTimeout, conf

from airflow_provider_sendpulse import events as event_sources
from airflow_provider_sendpulse.operators.validation import (
    SendPulseInputError,
    check_choice,
    check_positive_int,
    check_seconds,
)
from airflow_provider_sendpulse.sensors import cursor_store
from airflow_provider_sendpulse.sensors.base import SendPulseBaseSensor
from airflow_provider_sendpulse.sensors.cursor_store import SensorState
from airflow_provider_sendpulse.waiting.polling import default_poll_interval

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_provider_sendpulse.events import Cursor, EventSource


class SendPulseEventSensor(SendPulseBaseSensor):
    """Wait until new SendPulse events exist; return them (a JSON-able list of dicts, oldest first).

    Each event is delivered once across DAG runs, task retries and restarts: a cursor kept in an Airflow
    Variable (``sendpulse_cursor.<conn id>.<event type>.<resource>[.<cursor_name>]``) moves only when the
    sensor succeeds. The first run records the current position and waits for what comes after it
    (unless ``start_from="beginning"``). Delete the Variable to start over. Sensors sharing a key share
    the stream (each event goes to one of them); give ``cursor_name`` to get an independent stream.

    With ``deferrable=True`` (default: ``[operators] default_deferrable``) it waits in the triggerer;
    otherwise it pokes in ``poke`` or ``reschedule`` mode with the same detection code. ``timeout``,
    ``soft_fail``, ``never_fail`` and ``mode`` behave as in Airflow's sensors.

    :param event_type: ``new_subscriber`` (needs ``list_id``), ``new_campaign`` (optional ``statuses``
        filter), ``campaign_sent`` (optional ``statuses`` counting as sent, default 3 and 23),
        ``new_sms_campaign``, ``chatbot_incoming_message`` (``event_params`` ``channel`` and/or
        ``bot_id``), or any registered event type.
    :param list_id: the mailing list, for ``new_subscriber``.
    :param statuses: campaign status codes, for ``new_campaign`` and ``campaign_sent``.
    :param event_params: further parameters of the event type (merged with the two above).
    :param sendpulse_conn_id: the SendPulse connection.
    :param max_events: most events returned per run; the rest waits for the next run.
    :param min_events: succeed only once at least this many new events exist.
    :param start_from: ``"now"`` (default) or ``"beginning"``, when no cursor is stored yet.
    :param cursor_name: optional suffix of the cursor key, for an independent stream.
    :param deferrable: wait in the triggerer instead of a worker slot; default
        ``[operators] default_deferrable`` (False unless configured).
    :param poke_interval: seconds between polls; default ``[sendpulse] default_poll_interval`` (300).
    """

    template_fields: Sequence[str] = ("event_type", "list_id", "statuses", "event_params", "cursor_name")

    def __init__(
        self,
        *,
        event_type: str,
        list_id: int | str | None = None,
        statuses: Sequence[int] | None = None,
        event_params: Mapping[str, Any] | None = None,
        sendpulse_conn_id: str = "sendpulse_default",
        max_events: int = 100,
        min_events: int = 1,
        start_from: str = "now",
        cursor_name: str | None = None,
        deferrable: bool = conf.getboolean("operators", "default_deferrable", fallback=False),
        poke_interval: float | timedelta | None = None,
        **kwargs: Any,
    ) -> None:
        if poke_interval is None:
            poke_interval = default_poll_interval()
        check_seconds(poke_interval, "poke_interval", optional=False)
        super().__init__(
            sendpulse_conn_id=sendpulse_conn_id, deferrable=deferrable, poke_interval=poke_interval, **kwargs
        )
        max_events = check_positive_int(max_events, "max_events")
        min_events = check_positive_int(min_events, "min_events")
        if min_events > max_events:
            raise SendPulseInputError(
                f"min_events: must not exceed max_events, got {min_events} and {max_events}."
            )
        check_choice(start_from, "start_from", ("now", "beginning"))
        self.event_type = event_type
        self.list_id = list_id
        self.statuses = statuses
        self.event_params = event_params
        self.max_events = max_events
        self.min_events = min_events
        self.start_from = start_from
        self.cursor_name = cursor_name

    # --- pieces ---------------------------------------------------------------------------

    def source(self) -> EventSource:
        """The event source these arguments describe."""
        params = dict(self.event_params or {})
        if self.list_id is not None:
            params["list_id"] = self.list_id
        if self.statuses is not None:
            params["statuses"] = list(self.statuses)
        return event_sources.get_event_source(self.event_type, params)

    def cursor_key(self, source: EventSource | None = None) -> str:
        """The Variable holding this sensor's cursor."""
        return event_sources.cursor_key(self.sendpulse_conn_id, source or self.source(), self.cursor_name)

    def _redelivered(self, state: SensorState, context: Context) -> list[dict[str, Any]] | None:
        if state.delivered is not None and state.delivered_to == cursor_store.task_instance_key(context):
            self.log.info(
                "An earlier try of this task instance took %d events: returning them", len(state.delivered)
            )
            return state.delivered
        return None

    def _poll(
        self, context: Context, source: EventSource, key: str, state: SensorState
    ) -> list[dict[str, Any]] | None:
        """Poll once; persist a first position; return the events when there are enough."""
        poll = event_sources.drive(
            self.hook.get_conn(), source.poll(state.cursor, self.max_events, self.start_from)
        )
        for warning in poll.warnings:
            self.log.warning("%s", warning)
        if poll.baseline:
            state.cursor = poll.cursor
            cursor_store.save(key, state)
            self.log.info("Recorded the current position in Variable %r; waiting for new events", key)
            return None
        if len(poll.events) < self.min_events:
            self.log.info(
                "%d new %s events (waiting for %d)", len(poll.events), self.event_type, self.min_events
            )
            return None
        return self._commit(context, key, state, poll.events, poll.cursor)

    def _commit(
        self, context: Context, key: str, state: SensorState, events: list[dict[str, Any]], cursor: Cursor
    ) -> list[dict[str, Any]]:
        state.cursor = cursor
        state.delivered_to = cursor_store.task_instance_key(context)
        state.delivered = events
        cursor_store.save(key, state)
        self.log.info("%d new %s events; cursor %r advanced", len(events), self.event_type, key)
        return events

    def check(self, context: Context) -> list[dict[str, Any]] | None:
        """The batch of an earlier try of this task instance, else new events once there are enough."""
        source = self.source()
        key = self.cursor_key(source)
        state = cursor_store.load(key)
        events = self._redelivered(state, context)
        return events if events is not None else self._poll(context, source, key, state)

    def defer_wait(self, context: Context, deadline: float) -> NoReturn:
        """Wait in the triggerer, from the stored cursor, for up to ``deadline``."""
        from airflow_provider_sendpulse.triggers.events import SendPulseEventTrigger

        source = self.source()
        state = cursor_store.load(self.cursor_key(source))
        trigger = SendPulseEventTrigger(
            event_type=self.event_type,
            event_params=source.params,
            sendpulse_conn_id=self.sendpulse_conn_id,
            cursor=state.cursor,
            poll_interval=self.poke_interval,
            max_events=self.max_events,
            min_events=self.min_events,
            start_from=self.start_from,
            deadline=deadline,
            not_before=time.time() + self.poke_interval,
            fail_on_error=True,
        )
        self.defer(
            trigger=trigger,
            method_name="execute_complete",
            kwargs={"start_cursor": state.cursor, "deadline": deadline},
            timeout=self.deferral_timeout(deadline),
        )

    def execute_complete(
        self,
        context: Context,
        event: dict[str, Any],
        start_cursor: Cursor | None = None,
        deadline: float | None = None,
    ) -> list[dict[str, Any]]:
        """Commit the cursor the trigger returned and return its events."""
        status = event.get("status")
        if status == "timeout":
            raise AirflowSensorTimeout(
                f"No new SendPulse {self.event_type} events within {self.timeout:.0f} s"
            )
        if status != "success":
            raise AirflowException(
                f"SendPulse {self.event_type} sensor failed: {event.get('message', event)}"
            )
        source = self.source()
        key = self.cursor_key(source)
        state = cursor_store.load(key)
        if start_cursor is None:
            # `airflow dags test` resumes with the trigger's event only, without the kwargs deferred with.
            start_cursor = event.get("start_cursor")
        if state.cursor != start_cursor:
            # Another run moved the shared cursor while this one waited: its batch may overlap ours.
            self.log.warning("Cursor %r moved while waiting; checking again from its new position", key)
            events = self.check(context)
            if events is None:
                self.defer_wait(context, deadline or time.time() + self.timeout)
            return events
        return self._commit(context, key, state, list(event["events"]), dict(event["cursor"]))
