"""Streamed Automation 360 event starts: one request per row, resumable across task tries.

The source is read twice as a stream (flat memory): a first pass counts rows, finds bad ones and checks
SendPulse's daily cap of flow starts before anything is sent; the second pass starts the event for each
valid row, one request at a time at the connection's rate limit.

Resuming: before each start the task state store (Airflow 3.3+) records ``{"next": n, "pending": true}``
for the row about to be sent, so a later try of the same task instance skips every row an earlier try
acknowledged and never repeats one whose outcome is unknown: a row that was in flight when the earlier try
stopped, or whose answer was lost (timeout, dropped connection, 5xx), is reported as ``unknown`` rather
than sent again. One write per row is the price of "never twice" even when a worker is killed.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from contextlib import suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from airflow.sdk import ObjectStoragePath

from airflow_provider_sendpulse.client.api.automation import is_daily_cap_refusal, is_unknown_event
from airflow_provider_sendpulse.client.errors import (
    SendPulseAmbiguousCreateError,
    SendPulseError,
    SendPulseNotFoundError,
    SendPulseValidationError,
)
from airflow_provider_sendpulse.hooks.contact_import import OnInvalid
from airflow_provider_sendpulse.hooks.create_once import TaskState
from airflow_provider_sendpulse.hooks.errors import SendPulseInputError
from airflow_provider_sendpulse.hooks.files import open_text
from airflow_provider_sendpulse.hooks.progress import ProgressLog

STATE_KEY = "sendpulse_event_rows"
"""Task state key of the checkpoint."""
MAX_REPORTED = 20
"""Failures (position and reason) returned in the summary; all of them go to the failures file."""
MAX_UNKNOWN_IN_A_ROW = 5
"""Consecutive starts with a lost answer after which the task stops (SendPulse is likely unwell)."""


class EventRow(Protocol):
    """One input row: where it is, the contact (email and/or phone), its variables, or its problem."""

    @property
    def position(self) -> str: ...
    @property
    def email(self) -> str | None: ...
    @property
    def phone(self) -> str | None: ...
    @property
    def variables(self) -> Mapping[str, Any]: ...
    @property
    def problem(self) -> str | None: ...
    @property
    def blank(self) -> bool: ...


class EventSource(Protocol):
    """Rows that can be streamed more than once, in the same order."""

    def rows(self) -> Iterable[EventRow]: ...
    def describe(self) -> str: ...


StartEvent = Callable[[EventRow], None]
"""Start the event for one row (the hook's call); raises :class:`SendPulseError` when refused."""


@dataclass
class Checkpoint:
    """Where the sending stands, as kept in the task state store between tries."""

    next: int = 0
    pending: bool = False
    sent: int = 0
    failed: int = 0
    unknown: int = 0

    @classmethod
    def load(cls, raw: object) -> Checkpoint:
        if not isinstance(raw, Mapping):
            return cls()
        values = {k: raw.get(k) for k in ("next", "sent", "failed", "unknown")}
        if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in values.values()):
            return cls()
        return cls(pending=bool(raw.get("pending")), **values)  # type: ignore[arg-type]


@dataclass
class Failures:
    """Rows SendPulse refused or whose outcome is unknown: the first few in memory (position and reason,
    no personal data), all of them in a JSON-lines spool that becomes the failures file."""

    target: Path | ObjectStoragePath | None
    total: int = 0
    reported: list[dict[str, str]] = field(default_factory=list)
    _spool: Any = None

    def open(self, resuming: bool) -> None:
        """Start the spool; when resuming, an earlier try's failures file is copied in first."""
        if self.target is None:
            return
        self._spool = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed in close()
            "w+", encoding="utf-8", suffix=".jsonl", delete=False
        )
        if resuming and self.target.exists():
            with open_text(self.target, "r") as earlier:
                for line in earlier:
                    if line.strip():
                        self._spool.write(line if line.endswith("\n") else line + "\n")
                        self.total += 1

    def add(self, row: EventRow, outcome: str, reason: str) -> None:
        self.total += 1
        if len(self.reported) < MAX_REPORTED:
            self.reported.append({"position": row.position, "outcome": outcome, "reason": reason})
        if self._spool is not None:
            record = {
                "position": row.position,
                "email": row.email,
                "phone": row.phone,
                "outcome": outcome,
                "reason": reason,
            }
            self._spool.write(json.dumps(record, ensure_ascii=False) + "\n")

    def close(self) -> None:
        """Write the failures file (local or object storage) from the spool, and drop the spool."""
        if self._spool is None or self.target is None:
            return
        spool, self._spool = self._spool, None
        try:
            spool.flush()
            spool.seek(0)
            if isinstance(self.target, Path) and not isinstance(self.target, ObjectStoragePath):
                self.target.parent.mkdir(parents=True, exist_ok=True)
            with open_text(self.target, "w") as out:
                for line in spool:
                    out.write(line)
        finally:
            spool.close()
            with suppress(OSError):
                os.unlink(spool.name)


@dataclass
class EventRun:
    """One task try sending ``event_name`` for every valid row of ``source``."""

    start: StartEvent
    log: Any
    event_name: str
    source: EventSource
    state: TaskState
    retried: bool = False
    on_invalid: OnInvalid = "fail"
    daily_cap: int = 100_000
    failures: Failures = field(default_factory=lambda: Failures(None))

    def run(self) -> dict[str, Any]:
        """Check, then send; returns the JSON-able summary the events operator documents."""
        checkpoint = self._resume_point()
        counts = self.validate(checkpoint.next)
        return self.send(checkpoint, counts)

    def _resume_point(self) -> Checkpoint:
        if self.retried and not self.state.available:
            raise SendPulseInputError(
                "This is a retry, and without Airflow's task state store (Airflow 3.3+) it cannot tell "
                "which rows an earlier try sent; refusing to start events twice. Run the rows not yet "
                "sent as a new task."
            )
        return Checkpoint.load(self.state.get(STATE_KEY))

    def validate(self, resume_at: int) -> dict[str, int]:
        """First pass: count rows, refuse bad ones (``on_invalid="fail"``) and a run above the daily cap."""
        describe = self.source.describe()
        counts = {"rows": 0, "valid": 0, "invalid": 0, "blank": 0, "to_send": 0}
        problems: list[str] = []
        for index, row in enumerate(self.source.rows()):
            if row.blank:
                counts["blank"] += 1
                continue
            counts["rows"] += 1
            if row.problem is None:
                counts["valid"] += 1
                counts["to_send"] += index >= resume_at
            else:
                counts["invalid"] += 1
                if len(problems) < MAX_REPORTED:
                    problems.append(f"{row.position}: {row.problem}")
        more = counts["invalid"] - len(problems)
        listed = "; ".join(problems) + (f"; and {more} more" if more > 0 else "")
        if counts["rows"] == 0:
            raise SendPulseInputError(f"rows: {describe} has no rows.")
        if counts["invalid"] and self.on_invalid == "fail":
            raise SendPulseInputError(
                f"{counts['invalid']} invalid row(s) in {describe}, no event was started: {listed}. "
                "Fix them, or set on_invalid='skip' to leave them out."
            )
        if counts["valid"] == 0:
            raise SendPulseInputError(f"no valid rows among {counts['rows']} in {describe}: {listed}.")
        if counts["to_send"] > self.daily_cap:
            raise SendPulseInputError(
                f"rows: {counts['to_send']:,} events to start, but SendPulse starts Automation 360 flows "
                f"for at most {self.daily_cap:,} contacts a day; nothing was sent. Split the rows over "
                "several days (e.g. one file per day)."
            )
        if counts["invalid"]:
            self.log.warning("Skipping %d invalid row(s): %s", counts["invalid"], listed)
        return counts

    def send(self, checkpoint: Checkpoint, counts: dict[str, int]) -> dict[str, Any]:
        """Second pass: one start per valid row from the checkpoint on, saving the checkpoint per row."""
        resumed_from = checkpoint.next
        self.failures.open(resuming=resumed_from > 0 or checkpoint.pending)
        progress = ProgressLog(self.log, counts["to_send"], verb="Started", what="events")
        done_now = 0
        unknown_in_a_row = 0
        try:
            if resumed_from or checkpoint.pending:
                self.log.info(
                    "Resuming after row #%d: an earlier try acknowledged %d start(s)",
                    resumed_from,
                    checkpoint.sent,
                )
            for index, row in enumerate(self.source.rows()):
                if index < checkpoint.next:
                    continue
                if checkpoint.pending and index == checkpoint.next:
                    self._in_flight_before(row, checkpoint)
                    continue
                if row.blank or row.problem is not None:
                    continue
                checkpoint.next, checkpoint.pending = index, True
                self._save(checkpoint)
                outcome = self._start(row, checkpoint)
                checkpoint.pending = False
                checkpoint.next = index + 1
                done_now += 1
                if outcome == "sent":
                    checkpoint.sent += 1
                    unknown_in_a_row = 0
                elif outcome == "unknown":
                    checkpoint.unknown += 1
                    unknown_in_a_row += 1
                    if unknown_in_a_row >= MAX_UNKNOWN_IN_A_ROW:
                        raise SendPulseError(
                            f"{unknown_in_a_row} event starts in a row lost their answer (last at "
                            f"{row.position}); stopping. They are reported as 'unknown' and will not be "
                            "repeated; a retry continues after them."
                        )
                else:
                    checkpoint.failed += 1
                progress.update(done_now)
            else:
                checkpoint.pending = False
        finally:
            if not checkpoint.pending:
                self._save(checkpoint)
            self.failures.close()
        progress.update(done_now, force=True)
        self.log.info(
            "Event %r: %d started, %d refused, %d with unknown outcome; "
            "%d invalid and %d blank row(s) skipped",
            self.event_name,
            checkpoint.sent,
            checkpoint.failed,
            checkpoint.unknown,
            counts["invalid"],
            counts["blank"],
        )
        return {
            "event_name": self.event_name,
            "rows": counts["rows"],
            "sent": checkpoint.sent,
            "failed": checkpoint.failed,
            "unknown": checkpoint.unknown,
            "invalid": counts["invalid"],
            "blank": counts["blank"],
            "resumed_from_row": resumed_from,
            "failures": self.failures.reported,
            "failures_path": None if self.failures.target is None else str(self.failures.target),
            "elapsed_seconds": round(progress.elapsed, 3),
        }

    def _in_flight_before(self, row: EventRow, checkpoint: Checkpoint) -> None:
        """The row an earlier try was sending when it stopped: its outcome is unknown, never resent."""
        self.log.warning("%s was being sent when an earlier try stopped; not sending it again", row.position)
        self.failures.add(row, "unknown", "an earlier try was sending it when it stopped; not repeated")
        checkpoint.unknown += 1
        checkpoint.pending = False
        checkpoint.next += 1

    def _start(self, row: EventRow, checkpoint: Checkpoint) -> str:
        """Start the event for one row: ``"sent"``, ``"failed"`` (refused) or ``"unknown"`` (answer lost).

        Errors that stop the run (unknown event, daily cap, rate limit or network trouble before the
        request was sent, bad credentials) leave the checkpoint at this row, not pending: it was not sent.
        """
        try:
            self.start(row)
        except SendPulseAmbiguousCreateError as exc:
            lost = f"HTTP {exc.status}" if exc.status else "no answer"
            self.failures.add(row, "unknown", f"the answer was lost ({lost}); not repeated")
            return "unknown"
        except (SendPulseValidationError, SendPulseNotFoundError) as exc:
            if is_unknown_event(exc):
                self._stop_before(checkpoint)
                raise SendPulseInputError(
                    f"event_name: SendPulse has no Automation 360 event named {self.event_name!r}; create it "
                    "in Automation 360 (Events) first. No event was started for this row."
                ) from None
            if is_daily_cap_refusal(exc):
                self._stop_before(checkpoint)
                raise SendPulseInputError(
                    f"SendPulse refused {row.position}: the account's daily cap of Automation 360 flow "
                    "starts is used up. Clear this task tomorrow: it continues from this row."
                ) from None
            self.failures.add(row, "failed", exc.message)
            return "failed"
        except SendPulseError:
            self._stop_before(checkpoint)
            raise
        return "sent"

    def _stop_before(self, checkpoint: Checkpoint) -> None:
        """The row at the checkpoint was not performed: a later try starts with it."""
        checkpoint.pending = False
        self._save(checkpoint)

    def _save(self, checkpoint: Checkpoint) -> None:
        self.state.set(STATE_KEY, asdict(checkpoint))
