"""Stand-ins for the parts of an Airflow task context that tests hand to operators."""

from __future__ import annotations

from typing import Any


class FakeStateStore:
    """Stands in for ``context["task_state_store"]``: JSON values that survive retries."""

    def __init__(self) -> None:
        self.data: dict[str, Any] = {}

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def set(self, key: str, value: Any, *, retention: Any = None) -> None:
        if value is None:
            raise ValueError("Cannot set value as None")
        self.data[key] = value
