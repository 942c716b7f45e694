"""Where an asset-watching trigger keeps its cursor between triggerer restarts.

Airflow 3.3 hands a ``BaseEventTrigger`` that watches an asset an ``asset_state_store``; the cursor is
kept there under a key naming the connection, event type and resource. Older versions have no such
store (and a trigger must not block its event loop on a Variable), so the cursor lives in memory and a
restarted triggerer starts again from the cursor in the trigger's arguments.
"""

from __future__ import annotations

import logging
from typing import Any

from airflow_provider_sendpulse.events.base import Cursor

log = logging.getLogger(__name__)


class Watermark:
    """The cursor in the asset state store when the trigger has one, otherwise nowhere."""

    def __init__(self, store: Any, key: str) -> None:
        self._store = store
        self.key = key

    @property
    def available(self) -> bool:
        """Whether cursors survive a triggerer restart."""
        return self._store is not None

    async def load(self) -> Cursor | None:
        """The stored cursor, or None."""
        if self._store is None:
            return None
        try:
            value = await self._store.aget(self.key)
        except ValueError as error:
            # More than one asset watches through this trigger: no single place to keep the cursor.
            self._disable(error)
            return None
        except Exception:
            log.warning(
                "Could not read the SendPulse cursor %r from the asset state store", self.key, exc_info=True
            )
            return None
        return dict(value) if isinstance(value, dict) else None

    async def save(self, cursor: Cursor) -> None:
        """Store ``cursor`` (a no-op without a store)."""
        if self._store is None:
            return
        try:
            await self._store.aset(self.key, cursor)
        except ValueError as error:
            self._disable(error)
        except Exception:
            log.warning(
                "Could not save the SendPulse cursor %r to the asset state store", self.key, exc_info=True
            )

    def _disable(self, error: ValueError) -> None:
        log.warning(
            "Cannot keep the SendPulse cursor in the asset state store (%s); keeping it in memory", error
        )
        self._store = None
