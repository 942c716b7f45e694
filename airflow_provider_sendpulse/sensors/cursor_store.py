"""The event sensor's cursor, kept in an Airflow Variable.

The Variable (key from :func:`~airflow_provider_sendpulse.events.cursor_key`) holds JSON::

    {"cursor": {...}, "delivered": {"task_instance": "dag/run/task/map_index", "count": 3,
                                    "sealed": "<Fernet token>"}}

``cursor`` moves only when a sensor succeeds. ``delivered`` remembers the last batch and the task
instance that got it, so a retry of that same task instance gets the same batch again instead of
losing it. Events carry subscribers' emails and phones, and Variables are readable by anyone with
access to the Variables page or CLI, so the batch is kept encrypted with Airflow's Fernet key
(``[core] fernet_key``), never in clear; without a key it is not kept (a retry of that task instance
then goes on from the cursor). A Variable written in the older form (``"events": [...]`` in clear) is
still read, and rewritten sealed on the next commit. Deleting the Variable resets the sensor: its next
run records the position afresh.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from airflow_provider_sendpulse.events import Cursor

log = logging.getLogger(__name__)


class _Fernet(Protocol):
    is_encrypted: bool

    def encrypt(self, msg: bytes) -> bytes: ...

    def decrypt(self, msg: bytes | str, ttl: int | None = None) -> bytes: ...


def _fernet() -> _Fernet | None:
    """Airflow's Fernet, or None when no valid ``[core] fernet_key`` is configured."""
    try:
        from airflow.sdk.crypto import get_fernet
    except ImportError:  # Airflow 3.1
        from airflow.models.crypto import get_fernet  # type: ignore[no-redef]
    try:
        fernet: _Fernet = get_fernet()
    except Exception:  # an invalid key: Airflow raises its own exception type
        return None
    return fernet if fernet.is_encrypted else None


def seal(events: list[dict[str, Any]]) -> str | None:
    """The events as a Fernet token, or None when Airflow has no Fernet key to encrypt with."""
    fernet = _fernet()
    if fernet is None:
        log.warning(
            "No valid [core] fernet_key: the delivered batch is not kept in the cursor Variable, so a "
            "retry of this task instance cannot get it again"
        )
        return None
    return fernet.encrypt(json.dumps(events).encode()).decode()


def unseal(token: str) -> list[dict[str, Any]] | None:
    """The events of a token written by :func:`seal`; None when it cannot be decrypted."""
    fernet = _fernet()
    try:
        events = json.loads(fernet.decrypt(token.encode())) if fernet is not None else None
    except Exception:  # InvalidToken after a key change, or a token edited by hand
        events = None
    if not isinstance(events, list):
        log.warning("The delivered batch in the cursor Variable cannot be decrypted; it is ignored")
        return None
    return events


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
        events = delivered.get("events")  # the older form, in clear
        sealed = delivered.get("sealed")
        if isinstance(sealed, str):
            events = unseal(sealed)
        return cls(
            cursor=dict(cursor) if isinstance(cursor, dict) else None,
            delivered_to=delivered.get("task_instance"),
            delivered=list(events) if isinstance(events, list) else None,
        )

    def to_json(self) -> dict[str, Any]:
        """The JSON the Variable holds: the delivered batch sealed, never in clear."""
        value: dict[str, Any] = {"cursor": self.cursor}
        if self.delivered_to is not None:
            events = self.delivered or []
            value["delivered"] = {"task_instance": self.delivered_to, "count": len(events)}
            sealed = seal(events)
            if sealed is not None:
                value["delivered"]["sealed"] = sealed
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
