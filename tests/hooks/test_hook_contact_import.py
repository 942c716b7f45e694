"""The streamed import on its own: duplicate merge (last valid row wins), passes over the source, counts."""

from __future__ import annotations

import logging
import random
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_sendpulse.client.models import AddSummary, Contact
from airflow_provider_sendpulse.hooks.contact_import import ContactImport
from airflow_provider_sendpulse.hooks.dedupe import DuplicateTable
from airflow_provider_sendpulse.hooks.errors import SendPulseInputError
from airflow_provider_sendpulse.operators.sources import ContactSource, Row


class CountingSource:
    """A ContactSource that counts its passes."""

    def __init__(self, source: ContactSource) -> None:
        self.source = source
        self.row_passes = 0
        self.key_passes = 0

    def rows(self) -> Iterator[Row]:
        self.row_passes += 1
        return self.source.rows()

    def email_keys(self) -> Iterator[str | None]:
        self.key_passes += 1
        return self.source.email_keys()

    def describe(self) -> str:
        return self.source.describe()

    def unmatched_columns(self) -> list[str]:
        return self.source.unmatched_columns()


class Recorder:
    """Stands in for the hook's ``add_contacts``: records batches."""

    def __init__(self) -> None:
        self.batches: list[list[Contact]] = []

    def __call__(self, list_id: int, contacts: Iterable[Contact], *, batch_size: int, **_: Any) -> AddSummary:
        batch: list[Contact] = []
        for contact in contacts:
            batch.append(contact)
            if len(batch) == batch_size:
                self.batches.append(batch)
                batch = []
        if batch:
            self.batches.append(batch)
        return AddSummary(list_id, sum(map(len, self.batches)), len(self.batches), batch_size, 0.0)

    @property
    def sent(self) -> dict[str, dict[str, Any]]:
        """Email -> variables, failing if an address was sent twice."""
        emails = [c.email.lower() for batch in self.batches for c in batch]
        assert len(emails) == len(set(emails)), "an address was sent twice"
        return {c.email.lower(): dict(c.variables) for batch in self.batches for c in batch}


def run_import(
    source: ContactSource | CountingSource, on_invalid: str = "skip", batch_size: int = 2
) -> tuple[dict[str, Any], Recorder]:
    recorder = Recorder()
    job = ContactImport(
        recorder,
        logging.getLogger("test-import"),
        7,
        source,
        on_invalid,  # type: ignore[arg-type]
        batch_size,
    )
    return job.run(), recorder


def jsonl(tmp_path: Path, *lines: str) -> ContactSource:
    path = tmp_path / "contacts.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return ContactSource(path=str(path))


def test_skip_reads_keys_once_and_validates_rows_once(tmp_path: Path) -> None:
    source = CountingSource(
        jsonl(tmp_path, '{"email": "a@example.com"}', '{"email": "b@example.com"}', '{"email": "bad"}')
    )
    summary, recorder = run_import(source, "skip")
    assert (source.key_passes, source.row_passes) == (1, 1)
    assert sorted(recorder.sent) == ["a@example.com", "b@example.com"]
    assert (summary["rows"], summary["invalid"], summary["added"]) == (3, 1, 2)


def test_fail_validates_every_row_before_sending(tmp_path: Path) -> None:
    source = CountingSource(jsonl(tmp_path, '{"email": "a@example.com"}', '{"email": "a@example.com"}'))
    summary, recorder = run_import(source, "fail")
    assert recorder.sent == {"a@example.com": {}}
    assert (source.key_passes, source.row_passes) == (0, 2)
    assert (summary["distinct"], summary["duplicates"], summary["added"]) == (1, 1, 1)

    bad = CountingSource(jsonl(tmp_path, '{"email": "a@example.com"}', '{"email": "nobody"}'))
    with pytest.raises(SendPulseInputError, match="nothing was sent"):
        run_import(bad, "fail")
    assert bad.row_passes == 1


def test_an_invalid_last_row_leaves_the_last_valid_one_winning(tmp_path: Path) -> None:
    source = jsonl(
        tmp_path,
        '{"email": "a@example.com", "name": "First", "city": "Kyiv"}',
        '{"email": "b@example.com", "name": "B"}',
        '{"email": "A@example.com", "name": "Second"}',
        '{"email": "c@example.com"}',
        '{"email": "a@example.com", "name": {"not": "a scalar"}}',
        '{"email": "d@example.com", "name": "D1"}',
        '{"email": "D@EXAMPLE.COM ", "name": 5, "bad": [1]}',
    )
    summary, recorder = run_import(source, "skip")
    assert recorder.sent == {
        "a@example.com": {"name": "Second"},
        "b@example.com": {"name": "B"},
        "c@example.com": {},
        "d@example.com": {"name": "D1"},
    }
    assert {k: summary[k] for k in ("rows", "distinct", "duplicates", "invalid", "added", "skipped")} == {
        "rows": 7,
        "distinct": 4,
        "duplicates": 1,
        "invalid": 2,
        "added": 4,
        "skipped": 3,
    }


def test_duplicates_that_are_all_invalid_send_nothing_for_that_address(tmp_path: Path) -> None:
    source = jsonl(
        tmp_path,
        '{"email": "ok@example.com"}',
        '{"email": "x@example", "name": "one"}',
        '{"email": "x@example", "name": "two"}',
    )
    summary, recorder = run_import(source, "skip")
    assert list(recorder.sent) == ["ok@example.com"]
    assert (summary["invalid"], summary["duplicates"], summary["distinct"]) == (2, 0, 1)


def test_the_last_row_wins_across_many_batches(tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    rows = 5_500
    with path.open("w") as f:
        f.write("email,round\n")
        for n in range(rows):
            f.write(f"user{n % 1000}@example.com,{n // 1000}\n")
    summary, recorder = run_import(ContactSource(path=str(path)), "skip", batch_size=97)
    assert recorder.sent == {
        f"user{i}@example.com": {"round": str(max(range(i, rows, 1000)) // 1000)} for i in range(1000)
    }
    assert (summary["rows"], summary["distinct"], summary["duplicates"]) == (rows, 1000, rows - 1000)


def test_duplicate_table_agrees_with_a_dictionary_over_spilled_partitions() -> None:
    chance = random.Random(19)
    keys: list[str | None] = [
        None if chance.random() < 0.01 else f"k{chance.randrange(150_000)}" for _ in range(300_000)
    ]
    last = {key: n for n, key in enumerate(keys) if key}
    with DuplicateTable() as table:
        table.record(keys[:1000])
        table.record(keys[1000:])
        assert any(f.stat().st_size for f in Path(table._dir.name).glob("*.bin"))  # it spilled
        table.finish()
        replaced = [n for n in range(len(keys)) if table.replaced(n)]
    assert replaced == [n for n, key in enumerate(keys) if key and last[key] != n]
    assert table.replaced_count == len(replaced)


def test_skip_refuses_an_empty_source_and_unmatched_columns_before_sending(tmp_path: Path) -> None:
    with pytest.raises(SendPulseInputError, match="has no contacts"):
        run_import(jsonl(tmp_path, "", ""), "skip")
    path = tmp_path / "mapped.jsonl"
    path.write_text('{"Mail": "a@example.com"}\n')
    source = ContactSource(path=str(path), column_mapping={"Mail": "email", "Town": "city"})
    recorder = Recorder()
    job = ContactImport(recorder, logging.getLogger("test-import"), 7, source, "skip", 2)
    with pytest.raises(SendPulseInputError, match=r"no row of .* has 'Town'"):
        job.run()
    assert recorder.batches == []


def test_skip_without_a_valid_row_sends_nothing_and_names_rows_not_addresses(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(SendPulseInputError) as info:
        run_import(jsonl(tmp_path, '{"email": "secret.person@"}', '{"email": "secret.person@"}'), "skip")
    assert "no valid contacts among 2 row(s)" in str(info.value)
    assert "line 1" in str(info.value)
    assert "secret.person" not in str(info.value)
    assert "secret.person" not in caplog.text


def test_logs_name_no_address(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    source = jsonl(
        tmp_path, '{"email": "private@example.com"}', '{"email": "private@example.com", "x": [1]}', "{"
    )
    summary, recorder = run_import(source, "skip")
    assert list(recorder.sent) == ["private@example.com"]
    assert "merged, last row wins" in caplog.text
    assert "private" not in caplog.text
    assert summary["invalid_rows"][0].startswith("line 2:")


def test_duplicate_table_keeps_one_bit_per_row_and_cleans_up() -> None:
    with DuplicateTable() as table:
        table.record(["a", None, "b", "", "a", "c"])
        table.record(["b", "d"])
        table.finish()
        folder = Path(table._dir.name)
        assert [table.replaced(n) for n in range(8)] == [True, False, True, False, False, False, False, False]
        assert table.replaced_count == 2
        assert table.replaced(10_000) is False
        assert table.take("a") is None
        table.keep("a", "a@example.com", {"n": 1})
        table.keep("a", "A@example.com", {"n": 2})
        assert table.take("a") == ("A@example.com", {"n": 2})
        assert table.take("a") is None
    assert not folder.exists()
