"""Create once per task instance: find what an earlier try created, else create, and record it.

A retry of a task instance must return what an earlier try created (a campaign, an SMS send) rather than
create it again. Two mechanisms work together:

* the task state store (Airflow 3.3+, ``context["task_state_store"]``) keeps a record across tries of the
  same task instance (XCom does not: it is cleared when a new try starts);
* a look-up in SendPulse (:attr:`CreateOnce.find`), which also covers older Airflow and a worker that died
  between the create call and the record.

The record is ``{"state": "creating"}`` while a create call may be in flight, ``{"state": "failed"}`` when
SendPulse refused it (nothing was created), and ``{"state": "created", "id": N}`` afterwards (ids are
integers, or strings such as a transactional email's message id).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from airflow_provider_sendpulse.client.errors import SendPulseAmbiguousCreateError, SendPulseNotFoundError
from airflow_provider_sendpulse.hooks.errors import SendPulseInputError

ObjectId = int | str
"""What SendPulse identifies a created object by: a number, or a string (an SMTP message id)."""

CREATING = "creating"
FAILED = "failed"
CREATED = "created"


class _Log(Protocol):
    def info(self, event: Any, *args: Any, **kw: Any) -> Any: ...
    def warning(self, event: Any, *args: Any, **kw: Any) -> Any: ...


class TaskState:
    """The task instance's state store when Airflow has one (3.3+), else a no-op."""

    def __init__(self, context: Mapping[str, Any]) -> None:
        self._store = context.get("task_state_store")

    @property
    def available(self) -> bool:
        return self._store is not None

    def get(self, key: str) -> Any:
        return None if self._store is None else self._store.get(key)

    def set(self, key: str, value: Any) -> None:
        if self._store is not None:
            self._store.set(key, value)


def try_number(context: Mapping[str, Any]) -> int:
    """Which try of its task instance is running (1 when Airflow does not say)."""
    ti = context.get("ti") or context.get("task_instance")
    number = getattr(ti, "try_number", 1)
    return number if isinstance(number, int) else 1


def run_start(context: Mapping[str, Any]) -> datetime | None:
    """When the DAG run started (aware), or None when the context does not say."""
    dag_run = context.get("dag_run")
    start = getattr(dag_run, "start_date", None) or getattr(dag_run, "run_after", None)
    if isinstance(start, datetime):
        return start if start.tzinfo else start.replace(tzinfo=UTC)
    return None


@dataclass(frozen=True)
class Attempt:
    """One try of a task instance: its state store, its try number and when its DAG run started."""

    state: TaskState
    try_number: int = 1
    run_started: datetime | None = None

    @classmethod
    def from_context(cls, context: Mapping[str, Any]) -> Attempt:
        """The attempt an operator's ``execute(context)`` is."""
        return cls(TaskState(context), try_number(context), run_start(context))

    @property
    def retried(self) -> bool:
        return self.try_number > 1


@dataclass(frozen=True)
class Outcome:
    """What create-once gives back: the object's id, whether this try created it, and SendPulse's answer."""

    id: ObjectId
    created: bool
    answer: dict[str, Any]


@dataclass(frozen=True)
class CreateOnce:
    """How to create one kind of object once per task instance.

    :param key: the task state key of the record.
    :param what: the object in messages, e.g. ``"campaign"``.
    :param verb: what creating it is called, ``"create"`` or ``"send"``.
    :param id_key: where the id is in SendPulse's answer.
    :param exact: True when ``find`` identifies the object for certain (a unique name): every retry looks
        it up and no "creating" mark is needed. False when the look-up is a best effort (an SMS send has
        no name): a mark is kept while the call is in flight and, if the look-up then finds nothing, the
        task fails rather than risk a second send.
    """

    key: str
    what: str
    verb: str
    id_key: str
    exact: bool

    def run(
        self,
        attempt: Attempt,
        *,
        create: Callable[[], Mapping[str, Any]],
        find: Callable[[], Mapping[str, Any] | None],
        fetch: Callable[[Any], Mapping[str, Any]] | None,
        log: _Log,
    ) -> Outcome:
        """The object an earlier try created (read back with ``fetch`` when its id was recorded), else
        the one ``create`` makes now. An ambiguous create (the answer was lost) is settled with ``find``.
        """
        state = attempt.state
        status, stored = _read(state.get(self.key))
        if stored is not None:
            answer = (
                {self.id_key: stored}
                if fetch is None
                else {**self._fetch(fetch, stored), self.id_key: stored}
            )
            log.info("%s %s was created by an earlier try; not creating another", self._title, stored)
            return Outcome(stored, False, answer)
        started = status == CREATING
        if started or (attempt.retried and (self.exact or not state.available)):
            found = find()
            if found is not None:
                log.info(
                    "Found %s %s from an earlier try; not creating another", self.what, found[self.id_key]
                )
                return Outcome(_as_id(found[self.id_key]), False, dict(found))
            if started:
                raise SendPulseInputError(
                    f"An earlier try started to {self.verb} this {self.what} and may have done so, but no "
                    f"matching {self.what} was found; refusing to {self.verb} twice. Check SendPulse; to "
                    f"{self.verb} anyway, {self._how_to_reset}"
                )
        if not self.exact:
            state.set(self.key, {"state": CREATING})
        try:
            answer = dict(create())
        except SendPulseAmbiguousCreateError:
            log.warning("The %s call may or may not have gone through; looking it up", self.what)
            found = find()
            if found is None:
                raise
            answer = dict(found)
        except Exception:
            # SendPulse answered with an error (or the request never left): nothing was created.
            if not self.exact:
                state.set(self.key, {"state": FAILED})
            raise
        object_id = _as_id(answer[self.id_key])
        state.set(self.key, {"state": CREATED, "id": object_id})
        return Outcome(object_id, True, answer)

    def _fetch(self, fetch: Callable[[Any], Mapping[str, Any]], stored: ObjectId) -> Mapping[str, Any]:
        try:
            return fetch(stored)
        except SendPulseNotFoundError:
            # Deleted, or SendPulse's "not found (maybe already sent)": never risk a second one.
            raise SendPulseInputError(
                f"An earlier try created {self.what} {stored}, which SendPulse no longer finds; refusing to "
                f"{self.verb} another. Check it in SendPulse; to {self.verb} a new one, {self._how_to_reset}"
            ) from None

    @property
    def _title(self) -> str:
        """``what`` with a capital first letter, to start a log line."""
        return self.what[:1].upper() + self.what[1:]

    @property
    def _how_to_reset(self) -> str:
        return (
            f"delete the task state key {self.key!r} of this task instance (Airflow REST API) and run "
            "the task again."
        )


CAMPAIGN_ONCE = CreateOnce(
    key="sendpulse_campaign_id", what="campaign", verb="create", id_key="id", exact=True
)
"""An email campaign's identity is its name: a retry always finds it."""
SMS_ONCE = CreateOnce(
    key="sendpulse_sms", what="SMS campaign", verb="send", id_key="campaign_id", exact=False
)
"""An SMS send has no name: it is found by sender and recipients, so an unaccounted send is refused."""


EMAIL_ONCE = CreateOnce(
    key="sendpulse_smtp_email", what="transactional email", verb="send", id_key="id", exact=False
)
"""A transactional email has no name: it is found in the SMTP log by sender, recipients and subject."""


def _as_id(value: object) -> ObjectId:
    """An id as SendPulse answered it: an integer (also from digits), else the string."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value)
    return int(text) if text.isdigit() else text


def _read(record: object) -> tuple[str | None, ObjectId | None]:
    """``(state, id)`` of a record; also reads the forms earlier versions wrote (a bare id, ``sent``)."""
    if isinstance(record, int) and not isinstance(record, bool):
        return CREATED, record
    if not isinstance(record, Mapping):
        return None, None
    stored = record.get("id", record.get("campaign_id"))
    if isinstance(stored, int) and not isinstance(stored, bool) and stored > 0:
        return CREATED, stored
    if isinstance(stored, str) and stored:
        return CREATED, stored
    state = record.get("state")
    return (CREATING if state == "sending" else state if isinstance(state, str) else None), None
