"""What the SendPulse sensors share: the connection, one hook per task, and deferral through ``poke``."""

from __future__ import annotations

import time
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any, NoReturn

from airflow.providers.common.compat.sdk import BaseSensorOperator, PokeReturnValue, conf

from airflow_provider_sendpulse.operators.validation import check_flag

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_provider_sendpulse.hooks.sendpulse import SendPulseHook

DEFERRAL_GRACE = 60.0
"""Seconds Airflow's own deferral timeout leaves the trigger to report the deadline itself."""


class SendPulseBaseSensor(BaseSensorOperator):
    """A sensor that checks SendPulse in :meth:`check`, in a worker or, once deferred, in the triggerer.

    Every mode runs Airflow's own sensor loop, so ``timeout``, ``soft_fail``, ``never_fail``,
    ``silent_fail`` and ``mode`` behave as in any Airflow sensor. With ``deferrable=True`` the first
    check still runs in the worker (a result that is already there returns at once); when it finds
    nothing, :meth:`defer_wait` hands the wait to a trigger.

    :param sendpulse_conn_id: the SendPulse connection.
    :param deferrable: wait in the triggerer instead of a worker slot; default
        ``[operators] default_deferrable`` (False unless configured).
    """

    ui_color = "#ffd8b1"

    def __init__(
        self,
        *,
        sendpulse_conn_id: str = "sendpulse_default",
        deferrable: bool = conf.getboolean("operators", "default_deferrable", fallback=False),
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        check_flag(deferrable, "deferrable")
        self.sendpulse_conn_id = sendpulse_conn_id
        self.deferrable = deferrable

    @cached_property
    def hook(self) -> SendPulseHook:
        """The hook of this task (one per task instance, not one per poke)."""
        # The client loads when the sensor runs, not when its DAG file is parsed.
        from airflow_provider_sendpulse.hooks.sendpulse import SendPulseHook

        return SendPulseHook(sendpulse_conn_id=self.sendpulse_conn_id)

    def check(self, context: Context) -> Any | None:
        """Check once: the task result when the wait is over, None to wait on; may raise."""
        raise NotImplementedError

    def defer_wait(self, context: Context, deadline: float) -> NoReturn:
        """Hand the wait to a trigger that reports by ``deadline`` (epoch seconds)."""
        raise NotImplementedError

    def poke(self, context: Context) -> bool | PokeReturnValue:
        result = self.check(context)
        if result is not None:
            return PokeReturnValue(is_done=True, xcom_value=result)
        if self.deferrable:
            self.defer_wait(context, deadline=time.time() + self.timeout)
        return False

    def deferral_timeout(self, deadline: float) -> timedelta:
        """Airflow's own timeout for a deferral: a backstop after the trigger's ``deadline``."""
        return timedelta(seconds=max(deadline - time.time(), 0) + DEFERRAL_GRACE)
