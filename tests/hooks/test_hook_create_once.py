"""Create-once: one task-state machine for every object an operator must not create twice."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from airflow_provider_sendpulse.client.errors import SendPulseAmbiguousCreateError, SendPulseNotFoundError
from airflow_provider_sendpulse.hooks.create_once import (
    CAMPAIGN_ONCE,
    SMS_ONCE,
    Attempt,
    TaskState,
    _read,
)
from airflow_provider_sendpulse.hooks.errors import SendPulseInputError

LOG = logging.getLogger(__name__)


class Store:
    def __init__(self, **data: Any) -> None:
        self.data = dict(data)

    def get(self, key: str) -> Any:
        return self.data.get(key)

    def set(self, key: str, value: Any) -> None:
        self.data[key] = value


def attempt(store: Store | None, try_number: int = 1) -> Attempt:
    return Attempt(TaskState({} if store is None else {"task_state_store": store}), try_number)


class Calls:
    """A fake SendPulse: counts creates and look-ups."""

    def __init__(self, found: dict[str, Any] | None = None, create: Any = None) -> None:
        self.found = found
        self.created = 0
        self.looked_up = 0
        self._create = create

    def create(self) -> dict[str, Any]:
        self.created += 1
        if self._create is not None:
            return self._create()  # type: ignore[no-any-return]
        return {"campaign_id": 7, "id": 7}

    def find(self) -> dict[str, Any] | None:
        self.looked_up += 1
        return self.found


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (None, (None, None)),
        (42, ("created", 42)),
        ({"state": "created", "id": 42}, ("created", 42)),
        ({"state": "sent", "campaign_id": 42}, ("created", 42)),
        ({"state": "sending"}, ("creating", None)),
        ({"state": "creating"}, ("creating", None)),
        ({"state": "failed"}, ("failed", None)),
        (True, (None, None)),
    ],
)
def test_records_of_this_and_earlier_versions_are_read(record: object, expected: tuple[Any, Any]) -> None:
    assert _read(record) == expected


def test_a_first_try_creates_and_records() -> None:
    store, calls = Store(), Calls()
    outcome = SMS_ONCE.run(attempt(store), create=calls.create, find=calls.find, fetch=None, log=LOG)
    assert (outcome.id, outcome.created, calls.created, calls.looked_up) == (7, True, 1, 0)
    assert store.data == {"sendpulse_sms": {"state": "created", "id": 7}}


def test_a_recorded_id_is_returned_without_creating_or_searching() -> None:
    store, calls = Store(sendpulse_campaign_id=42), Calls()
    outcome = CAMPAIGN_ONCE.run(
        attempt(store, 2), create=calls.create, find=calls.find, fetch=lambda i: {"id": i, "s": 1}, log=LOG
    )
    assert (outcome.id, outcome.created, outcome.answer) == (42, False, {"id": 42, "s": 1})
    assert (calls.created, calls.looked_up) == (0, 0)


def test_a_recorded_object_that_vanished_is_not_recreated() -> None:
    def gone(campaign_id: int) -> dict[str, Any]:
        raise SendPulseNotFoundError(f"campaign {campaign_id} not found", status=404)

    calls = Calls()
    with pytest.raises(SendPulseInputError, match="refusing to create another"):
        CAMPAIGN_ONCE.run(
            attempt(Store(sendpulse_campaign_id=42), 2),
            create=calls.create,
            find=calls.find,
            fetch=gone,
            log=LOG,
        )
    assert calls.created == 0


def test_an_exact_look_up_runs_on_every_retry_and_creates_when_nothing_is_found() -> None:
    calls = Calls(found=None)
    outcome = CAMPAIGN_ONCE.run(
        attempt(Store(), 2), create=calls.create, find=calls.find, fetch=None, log=LOG
    )
    assert (outcome.created, calls.looked_up, calls.created) == (True, 1, 1)


def test_a_best_effort_look_up_is_skipped_when_the_store_says_nothing_started() -> None:
    calls = Calls(found={"campaign_id": 3})
    outcome = SMS_ONCE.run(attempt(Store(), 2), create=calls.create, find=calls.find, fetch=None, log=LOG)
    assert (outcome.created, calls.looked_up) == (True, 0)


def test_without_a_store_a_retry_looks_up_first() -> None:
    calls = Calls(found={"campaign_id": 3})
    outcome = SMS_ONCE.run(attempt(None, 2), create=calls.create, find=calls.find, fetch=None, log=LOG)
    assert (outcome.id, outcome.created, calls.created) == (3, False, 0)


def test_an_unaccounted_send_is_refused_and_a_refused_one_is_retried() -> None:
    calls = Calls(found=None)
    with pytest.raises(SendPulseInputError, match="refusing to send twice"):
        SMS_ONCE.run(
            attempt(Store(sendpulse_sms={"state": "creating"}), 2),
            create=calls.create,
            find=calls.find,
            fetch=None,
            log=LOG,
        )
    assert calls.created == 0

    def refused() -> dict[str, Any]:
        raise ValueError("refused")

    store = Store()
    with pytest.raises(ValueError, match="refused"):
        SMS_ONCE.run(
            attempt(store), create=Calls(create=refused).create, find=calls.find, fetch=None, log=LOG
        )
    assert store.data == {"sendpulse_sms": {"state": "failed"}}


def test_an_ambiguous_create_is_settled_by_the_look_up() -> None:
    def lost() -> dict[str, Any]:
        raise SendPulseAmbiguousCreateError("dropped", method="POST", path="/sms/send")

    store = Store()
    calls = Calls(found={"campaign_id": 9}, create=lost)
    outcome = SMS_ONCE.run(attempt(store), create=calls.create, find=calls.find, fetch=None, log=LOG)
    assert (outcome.id, outcome.created) == (9, True)
    assert store.data == {"sendpulse_sms": {"state": "created", "id": 9}}

    nothing = Calls(found=None, create=lost)
    store = Store()
    with pytest.raises(SendPulseAmbiguousCreateError):
        SMS_ONCE.run(attempt(store), create=nothing.create, find=nothing.find, fetch=None, log=LOG)
    assert store.data == {"sendpulse_sms": {"state": "creating"}}
