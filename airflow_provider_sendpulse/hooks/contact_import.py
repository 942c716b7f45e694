"""Streamed import of contacts into a mailing list: validate every row, then send batches.

The source is read twice, as a stream: the first pass counts rows, finds bad ones (reported by position,
never by address) and keeps an 8-byte digest per valid row; the second sends. So ``on_invalid="fail"``
sends nothing when any row is bad, and rows repeating an email are merged with the **last row winning**,
which needs to know the later rows before an earlier one is sent (a single pass could only send both,
and an upsert in order would keep the earlier row's other variables). Memory stays flat: 8 MB of
digests per million rows.
"""

from __future__ import annotations

import hashlib
import time
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from airflow_provider_sendpulse import DEFAULT_ADD_BATCH_SIZE
from airflow_provider_sendpulse.client.models import AddSummary, BatchProgress, Contact, DoubleOptIn
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


class ImportSource(Protocol):
    """Rows that can be streamed more than once."""

    def rows(self) -> Iterable[ImportRow]: ...
    def describe(self) -> str: ...
    def unmatched_columns(self) -> list[str]: ...


AddContacts = Callable[..., AddSummary]


def email_digest(email: str) -> int:
    """8 bytes standing for an address, so that a million of them fit in a few megabytes."""
    return int.from_bytes(hashlib.blake2b(email.strip().lower().encode(), digest_size=8).digest(), "big")


@dataclass
class RowCount:
    """Result of a pass: counts and the first few bad rows (positions, never addresses).

    The validation pass also keeps one digest per valid row (in order), from which :meth:`superseded`
    finds the rows a later row with the same email replaces.
    """

    rows: int = 0
    valid: int = 0
    invalid: int = 0
    blank: int = 0
    problems: list[str] = field(default_factory=list)
    digests: array[int] | None = None

    def add(self, row: ImportRow) -> None:
        if row.blank:
            self.blank += 1
            return
        self.rows += 1
        if row.problem is None:
            self.valid += 1
            if self.digests is not None and row.email is not None:
                self.digests.append(email_digest(row.email))
            return
        self.invalid += 1
        if len(self.problems) < MAX_REPORTED_ROWS:
            self.problems.append(f"{row.position}: {row.problem}")

    def describe(self) -> str:
        more = self.invalid - len(self.problems)
        return "; ".join(self.problems) + (f"; and {more} more" if more > 0 else "")

    def superseded(self) -> set[int]:
        """Ordinals (among valid rows) of rows that a later row with the same email replaces."""
        seen: set[int] = set()
        replaced: set[int] = set()
        digests = self.digests or array("Q")
        for ordinal in range(len(digests) - 1, -1, -1):
            digest = digests[ordinal]
            if digest in seen:
                replaced.add(ordinal)
            else:
                seen.add(digest)
        return replaced


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
        """Validate, then send; returns the JSON-able summary the import operator documents."""
        return self.send(self.validate())

    def validate(self) -> RowCount:
        """First pass: count rows and find bad ones before anything is sent."""
        describe = self.source.describe()
        self.log.info("Validating %s", describe)
        started = time.monotonic()
        check = RowCount(digests=array("Q"))
        for row in self.source.rows():
            check.add(row)
        self.log.info(
            "Validated %d row(s) in %.1fs: %d valid, %d invalid",
            check.rows,
            time.monotonic() - started,
            check.valid,
            check.invalid,
        )
        if check.rows == 0:
            raise SendPulseInputError(f"contacts: {describe} has no contacts.")
        unmatched = self.source.unmatched_columns()
        if unmatched:
            raise SendPulseInputError(
                f"column_mapping: no row of {describe} has {', '.join(map(repr, unmatched))}."
            )
        if check.invalid and self.on_invalid == "fail":
            raise SendPulseInputError(
                f"{check.invalid} invalid row(s) in {describe}, nothing was sent: "
                f"{check.describe()}. Fix them, or set on_invalid='skip' to leave them out."
            )
        if check.valid == 0:
            raise SendPulseInputError(
                f"no valid contacts among {check.rows} row(s) in {describe}: {check.describe()}."
            )
        if check.invalid:
            self.log.warning("Skipping %d invalid row(s): %s", check.invalid, check.describe())
        return check

    def send(self, check: RowCount) -> dict[str, Any]:
        """Second pass: stream valid rows to SendPulse in batches, logging progress."""
        superseded = check.superseded()
        distinct = check.valid - len(superseded)
        if superseded:
            self.log.info(
                "%d row(s) repeat an earlier email: merged, %s (%d distinct emails)",
                len(superseded),
                DUPLICATE_RULE,
                distinct,
            )
        progress = ProgressLog(self.log, distinct)
        second = RowCount()

        def contacts() -> Iterator[Contact]:
            for row in self.source.rows():
                ordinal = second.valid
                second.add(row)
                if row.email is not None and row.problem is None and ordinal not in superseded:
                    yield Contact(row.email, dict(row.variables))

        def on_batch(batch: BatchProgress) -> None:
            progress.update(batch.contacts_sent)

        self.log.info(
            "Adding %d contact(s) to list %s in batches of %d", distinct, self.list_id, self.batch_size
        )
        summary = self.add_contacts(
            self.list_id,
            contacts(),
            batch_size=self.batch_size,
            double_opt_in=self.double_opt_in,
            on_batch=on_batch,
        )
        progress.update(summary.contacts, force=True)
        if (second.valid, second.invalid) != (check.valid, check.invalid):
            self.log.warning(
                "The source changed between validation and sending: %d valid / %d invalid rows at first, "
                "%d / %d when sending",
                check.valid,
                check.invalid,
                second.valid,
                second.invalid,
            )
        self.log.info(
            "Read %d row(s): %d distinct email(s) sent to list %s, %d duplicate row(s) merged (%s), "
            "%d invalid row(s) skipped, %d blank line(s)",
            second.rows,
            summary.contacts,
            self.list_id,
            len(superseded),
            DUPLICATE_RULE,
            second.invalid,
            second.blank,
        )
        return {
            "list_id": self.list_id,
            "rows": second.rows,
            "distinct": distinct,
            "duplicates": len(superseded),
            "duplicate_rule": DUPLICATE_RULE,
            "added": summary.contacts,
            "skipped": second.invalid + second.blank + len(superseded),
            "invalid": second.invalid,
            "blank": second.blank,
            "invalid_rows": second.problems,
            "batches": summary.batches,
            "batch_size": self.batch_size,
            "elapsed_seconds": round(progress.elapsed, 3),
        }
