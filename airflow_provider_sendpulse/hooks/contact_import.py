"""Streamed import of contacts into a mailing list: find repeated emails, then send batches.

Rows repeating an email are merged with the **last row winning**: only the last valid row of each email
is sent. That needs every later row to be known before an earlier one is sent, so the source is read
twice, as a stream, and neither pass keeps rows in memory:

1. A first pass records each row's email key in a :class:`~.dedupe.DuplicateTable` (spilled to
   temporary files; flat memory). With ``on_invalid="fail"`` it validates every row too, so nothing is
   sent when one is bad. With ``"skip"`` it only extracts the email, several times cheaper than
   validating, so sending starts sooner.
2. The sending pass validates each row and sends the valid ones that no later row replaces. A valid row
   that a later row replaces is kept aside; should that later row be invalid, the kept row (the last valid
   one) is sent in its place.

Sending as rows are read, in one pass, cannot keep this rule: adding a contact merges its variables into
the existing ones, so sending an earlier row and then the later one would leave the earlier row's
variables that the later row leaves empty, and count the address twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from airflow_provider_sendpulse import DEFAULT_ADD_BATCH_SIZE
from airflow_provider_sendpulse.client.models import AddSummary, BatchProgress, Contact, DoubleOptIn
from airflow_provider_sendpulse.hooks.dedupe import DuplicateTable
from airflow_provider_sendpulse.hooks.errors import SendPulseInputError
from airflow_provider_sendpulse.hooks.progress import ProgressLog

DUPLICATE_RULE = "last row wins"
"""Rows with the same email (compared case-insensitively) are merged: only the last one is sent."""
MAX_REPORTED_ROWS = 20
"""Bad rows named (by position) in errors and in the summary."""

OnInvalid = Literal["fail", "skip"]


class ImportRow(Protocol):
    """One input row: where it is (``line 7``), and the contact (variables ready to send) or its problem."""

    @property
    def position(self) -> str: ...
    @property
    def email(self) -> str | None: ...
    @property
    def variables(self) -> Mapping[str, Any]: ...
    @property
    def problem(self) -> str | None: ...
    @property
    def blank(self) -> bool: ...
    @property
    def key(self) -> str:
        """The email the row names, stripped and lower-cased, even when invalid (``""``: none)."""
        ...


class ImportSource(Protocol):
    """Rows that can be streamed more than once."""

    def rows(self) -> Iterable[ImportRow]: ...
    def email_keys(self) -> Iterable[str | None]:
        """A cheap pass: each row's :attr:`ImportRow.key` unvalidated, ``None`` for a blank line."""
        ...

    def describe(self) -> str: ...
    def unmatched_columns(self) -> list[str]: ...


AddContacts = Callable[..., AddSummary]


@dataclass
class RowCount:
    """Counts of a pass and the first few bad rows (positions, never addresses)."""

    rows: int = 0
    valid: int = 0
    invalid: int = 0
    blank: int = 0
    problems: list[str] = field(default_factory=list)

    def add(self, row: ImportRow) -> None:
        if row.blank:
            self.blank += 1
            return
        self.rows += 1
        if row.problem is None:
            self.valid += 1
            return
        self.invalid += 1
        if len(self.problems) < MAX_REPORTED_ROWS:
            self.problems.append(f"{row.position}: {row.problem}")

    def describe(self) -> str:
        more = self.invalid - len(self.problems)
        return "; ".join(self.problems) + (f"; and {more} more" if more > 0 else "")


@dataclass
class ContactImport:
    """One import of ``source`` into list ``list_id`` through ``add_contacts`` (the hook's)."""

    add_contacts: AddContacts
    log: Any
    list_id: int
    source: ImportSource
    on_invalid: OnInvalid = "fail"
    batch_size: int = DEFAULT_ADD_BATCH_SIZE
    double_opt_in: DoubleOptIn | None = None

    def run(self) -> dict[str, Any]:
        """Scan (or validate), then send; returns the JSON-able summary the import operator documents."""
        with DuplicateTable() as table:
            first = self.validate(table) if self.on_invalid == "fail" else self.scan(table)
            return self.send(first, table)

    def validate(self, table: DuplicateTable) -> RowCount:
        """First pass for ``on_invalid="fail"``: count rows, find bad ones, record email keys."""
        describe = self.source.describe()
        self.log.info("Validating %s", describe)
        started = time.monotonic()
        check = RowCount()

        def keys() -> Iterator[str | None]:
            for row in self.source.rows():
                check.add(row)
                yield None if row.blank else row.key

        table.record(keys())
        table.finish()
        self.log.info(
            "Validated %d row(s) in %.1fs: %d valid, %d invalid",
            check.rows,
            time.monotonic() - started,
            check.valid,
            check.invalid,
        )
        self._check_scanned(check.rows)
        if check.invalid:
            raise SendPulseInputError(
                f"{check.invalid} invalid row(s) in {describe}, nothing was sent: "
                f"{check.describe()}. Fix them, or set on_invalid='skip' to leave them out."
            )
        return check

    def scan(self, table: DuplicateTable) -> RowCount:
        """First pass for ``on_invalid="skip"``: count rows and record email keys, validating nothing."""
        describe = self.source.describe()
        self.log.info("Reading the emails of %s", describe)
        started = time.monotonic()
        check = RowCount()

        def keys() -> Iterator[str | None]:
            for key in self.source.email_keys():
                if key is None:
                    check.blank += 1
                else:
                    check.rows += 1
                yield key

        table.record(keys())
        table.finish()
        self.log.info("Read the emails of %d row(s) in %.1fs", check.rows, time.monotonic() - started)
        self._check_scanned(check.rows)
        return check

    def _check_scanned(self, rows: int) -> None:
        describe = self.source.describe()
        if rows == 0:
            raise SendPulseInputError(f"contacts: {describe} has no contacts.")
        unmatched = self.source.unmatched_columns()
        if unmatched:
            raise SendPulseInputError(
                f"column_mapping: no row of {describe} has {', '.join(map(repr, unmatched))}."
            )

    def send(self, first: RowCount, table: DuplicateTable) -> dict[str, Any]:
        """Sending pass: validate rows and stream the last valid row of each email in batches."""
        if table.replaced_count:
            self.log.info(
                "%d row(s) name an email that a later row repeats: merged, %s",
                table.replaced_count,
                DUPLICATE_RULE,
            )
        expected = first.rows - table.replaced_count
        progress = ProgressLog(self.log, expected)
        second = RowCount()
        sent = 0

        def contacts() -> Iterator[Contact]:
            nonlocal sent
            for ordinal, row in enumerate(self.source.rows()):
                second.add(row)
                if row.blank:
                    continue
                if row.email is not None and row.problem is None:
                    if table.replaced(ordinal):
                        table.keep(row.key, row.email, row.variables)
                        continue
                    contact = Contact(row.email, dict(row.variables))
                elif row.key and not table.replaced(ordinal):
                    kept = table.take(row.key)  # this invalid row was last: an earlier valid one wins
                    if kept is None:
                        continue
                    contact = Contact(*kept)
                else:
                    continue
                sent += 1
                yield contact

        def on_batch(batch: BatchProgress) -> None:
            progress.update(batch.contacts_sent)

        self.log.info(
            "Adding %s%d contact(s) to list %s in batches of %d",
            "" if self.on_invalid == "fail" else "up to ",
            expected,
            self.list_id,
            self.batch_size,
        )
        summary = self.add_contacts(
            self.list_id,
            contacts(),
            batch_size=self.batch_size,
            double_opt_in=self.double_opt_in,
            on_batch=on_batch,
        )
        progress.update(summary.contacts, force=True)
        self._check_sent(first, second)
        duplicates = second.valid - sent
        self.log.info(
            "Read %d row(s): %d distinct email(s) sent to list %s, %d duplicate row(s) merged (%s), "
            "%d invalid row(s) skipped, %d blank line(s)",
            second.rows,
            summary.contacts,
            self.list_id,
            duplicates,
            DUPLICATE_RULE,
            second.invalid,
            second.blank,
        )
        return {
            "list_id": self.list_id,
            "rows": second.rows,
            "distinct": sent,
            "duplicates": duplicates,
            "duplicate_rule": DUPLICATE_RULE,
            "added": summary.contacts,
            "skipped": second.invalid + second.blank + duplicates,
            "invalid": second.invalid,
            "blank": second.blank,
            "invalid_rows": second.problems,
            "batches": summary.batches,
            "batch_size": self.batch_size,
            "elapsed_seconds": round(progress.elapsed, 3),
        }

    def _check_sent(self, first: RowCount, second: RowCount) -> None:
        """Warn when the source changed between the passes; refuse a source without valid rows."""
        if (second.rows, second.blank) != (first.rows, first.blank) or (
            self.on_invalid == "fail" and (second.valid, second.invalid) != (first.valid, first.invalid)
        ):
            self.log.warning(
                "The source changed between the first pass and sending: %d row(s) / %d blank line(s) at "
                "first, %d / %d when sending",
                first.rows,
                first.blank,
                second.rows,
                second.blank,
            )
        if second.valid == 0:
            raise SendPulseInputError(
                f"no valid contacts among {second.rows} row(s) in {self.source.describe()}: "
                f"{second.describe()}."
            )
        if second.invalid:
            self.log.warning("Skipped %d invalid row(s): %s", second.invalid, second.describe())
