"""The event sensor's cursor, kept in an Airflow Variable.

The Variable (key from :func:`~airflow_provider_sendpulse.events.cursor_key`) holds JSON::

    {"cursor": {...}, "delivered": {"task_instance": "dag/run/task/map_index", "events": [...]}}

``cursor`` moves only when a sensor succeeds. ``delivered`` remembers the last batch and the task
instance that got it, so a retry of that same task instance gets the same batch again instead of
losing it. Deleting the Variable resets the sensor: its next run records the position afresh.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from airflow_provider_sendpulse.events import Cursor


@dataclass
class SensorState:
    """What the Variable holds."""

    cursor: Cursor | None = None
    delivered_to: str | None = None
    delivered: list[dict[str, Any]] | None = None

    @classmethod
    def from_json(cls, value: Any) -> SensorState:
        """Read what :meth:`to_json` wrote; anything else is an empty state."""
        if not isinstance(value, dict):
            return cls()
        cursor = value.get("cursor")
        delivered = value.get("delivered")
        if not isinstance(delivered, dict):
            delivered = {}
        events = delivered.get("events")
        return cls(
            cursor=dict(cursor) if isinstance(cursor, dict) else None,
            delivered_to=delivered.get("task_instance"),
            delivered=list(events) if isinstance(events, list) else None,
        )

    def to_json(self) -> dict[str, Any]:
        """The JSON the Variable holds."""
        value: dict[str, Any] = {"cursor": self.cursor}
        if self.delivered_to is not None:
            value["delivered"] = {"task_instance": self.delivered_to, "events": self.delivered or []}
        return value


def task_instance_key(context: Any) -> str:
    """``dag_id/run_id/task_id/map_index`` of the running task instance."""
    ti = context["ti"]
    return f"{ti.dag_id}/{ti.run_id}/{ti.task_id}/{getattr(ti, 'map_index', -1)}"


def load(key: str) -> SensorState:
    """The stored state (empty when the Variable does not exist)."""
    from airflow.sdk import Variable

    return SensorState.from_json(Variable.get(key, default=None, deserialize_json=True))


def save(key: str, state: SensorState) -> None:
    """Write the state."""
    from airflow.sdk import Variable

    Variable.set(
        key,
        state.to_json(),
        description="SendPulse event sensor cursor (delete to reset)",
        serialize_json=True,
    )
