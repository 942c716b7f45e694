"""Contact sources: lists, CSV and JSON-lines files, column mappings, row positions."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from airflow.sdk import ObjectStoragePath

from airflow_provider_sendpulse.operators.sources import ContactSource, Row, open_text
from airflow_provider_sendpulse.operators.validation import SendPulseInputError


def rows(source: ContactSource) -> list[Row]:
    return [row for row in source.rows() if not row.blank]


def test_list_of_strings_and_dicts() -> None:
    source = ContactSource(
        contacts=[
            "a@example.com",
            {"email": "b@example.com", "name": "B"},
            {"email": "c@example.com", "variables": {"name": "C"}},
            "nope",
            7,
        ]
    )
    got = rows(source)
    assert [r.email for r in got] == ["a@example.com", "b@example.com", "c@example.com", None, None]
    assert got[1].variables == {"name": "B"}
    assert got[2].variables == {"name": "C"}
    assert got[3].position == "contacts[3]"
    assert got[3].problem is not None
    assert "'@'" in got[3].problem
    assert got[4].problem is not None
    assert "got int" in got[4].problem


def test_json_string_is_read_as_list() -> None:
    source = ContactSource(contacts='["a@example.com", {"email": "b@example.com"}]')
    assert [r.email for r in rows(source)] == ["a@example.com", "b@example.com"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "exactly one of contacts"),
        ({"contacts": ["a@b.co"], "path": "x.csv"}, "exactly one of contacts"),
        ({"contacts": "a@b.co"}, "pass it as path"),
        ({"contacts": {"email": "a@b.co"}}, "single mapping"),
        ({"contacts": 5}, "got int"),
        ({"contacts": ["a@b.co"], "column_mapping": {"E": "name"}}, "exactly one column must map to 'email'"),
        ({"contacts": ["a@b.co"], "column_mapping": ["email"]}, "expected a mapping"),
    ],
)
def test_bad_sources(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(SendPulseInputError, match=message):
        ContactSource(**kwargs)  # type: ignore[arg-type]


def test_csv_with_mapping_and_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text(
        "\ufeffMail,First name,Ignored\n"
        "ann@example.com,Ann,x\n"
        "\n"
        "broken,Bob,y\n"
        '"cid@example.com","Multi\nline",z\n'
        "dee@example.com,,z\n",
        encoding="utf-8",
    )
    source = ContactSource(path=str(path), column_mapping={"Mail": "email", "First name": "name"})
    got = rows(source)
    assert [(r.position, r.email) for r in got] == [
        ("line 2", "ann@example.com"),
        ("line 4", None),
        ("line 6", "cid@example.com"),
        ("line 7", "dee@example.com"),
    ]
    assert got[0].variables == {"name": "Ann"}
    assert got[2].variables == {"name": "Multi\nline"}
    # Reading twice gives the same rows (validation pass, then sending pass).
    assert rows(source) == got
    assert [r.position for r in source.rows() if r.blank] == ["line 3"]


def test_csv_without_mapping_uses_email_column_any_case(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("Email;city\na@example.com;Kyiv\n", encoding="utf-8")
    source = ContactSource(path=path, delimiter=";")
    assert rows(source) == [Row("line 2", "a@example.com", {"city": "Kyiv"})]


def test_csv_columns_must_match_mapping(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("email,name\na@example.com,A\n", encoding="utf-8")
    with pytest.raises(SendPulseInputError, match=r"column\(s\) .Phone. not in the file header"):
        rows(ContactSource(path=path, column_mapping={"email": "email", "Phone": "Phone"}))
    other = tmp_path / "q.csv"
    other.write_text("mail,name\na@example.com,A\n", encoding="utf-8")
    with pytest.raises(SendPulseInputError, match="no 'email' column"):
        rows(ContactSource(path=other))


def test_empty_csv(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(SendPulseInputError, match="is empty"):
        rows(ContactSource(path=path))


def test_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    lines = [
        json.dumps({"email": "a@example.com", "variables": {"n": 1}}),
        "",
        "{not json",
        json.dumps("b@example.com"),
        json.dumps({"email": "c@example.com", "tags": ["x"]}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    got = rows(ContactSource(path=path))
    assert got[0] == Row("line 1", "a@example.com", {"n": 1})
    assert got[1].position == "line 3"
    assert got[1].problem == "is not valid JSON"
    assert got[2] == Row("line 4", "b@example.com", {})
    assert got[3].problem is not None
    assert "variable 'tags'" in got[3].problem


def test_json_array_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text('[\n{"email": "a@example.com"}\n]\n', encoding="utf-8")
    with pytest.raises(SendPulseInputError, match="JSON array"):
        rows(ContactSource(path=path))


def test_gzip_and_object_storage_path(tmp_path: Path) -> None:
    path = tmp_path / "p.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.write("email\na@example.com\nb@example.com\n")
    source = ContactSource(path=ObjectStoragePath(f"file://{path}"))
    assert [r.email for r in rows(source)] == ["a@example.com", "b@example.com"]
    url_source = ContactSource(path=f"file://{path}")
    assert len(rows(url_source)) == 2


def test_missing_file_and_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(SendPulseInputError, match="does not exist"):
        ContactSource(path=tmp_path / "missing.csv")
    odd = tmp_path / "contacts.txt"
    odd.write_text("email\n", encoding="utf-8")
    with pytest.raises(SendPulseInputError, match="file_format: cannot tell"):
        ContactSource(path=odd)
    assert ContactSource(path=odd, file_format="csv").format == "csv"
    with pytest.raises(SendPulseInputError, match="is a directory"):
        ContactSource(path=tmp_path, file_format="csv")


def test_open_text_writes_gzip(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl.gz"
    with open_text(path, "w") as out:
        out.write("héllo\n")
    assert gzip.decompress(path.read_bytes()).decode() == "héllo\n"


def test_unmatched_mapping_keys_are_reported_after_a_pass(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps({"mail": "a@example.com", "n": "A"}) + "\n", encoding="utf-8")
    source = ContactSource(path=path, column_mapping={"mail": "email", "n": "name", "Phone": "Phone"})
    assert [r.email for r in rows(source)] == ["a@example.com"]
    assert source.unmatched_columns() == ["Phone"]


def test_unreadable_files_name_the_place(tmp_path: Path) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes("email,name\na@example.com,Zoë\n".encode("latin-1"))
    with pytest.raises(SendPulseInputError, match="is not utf-8-sig text after the start; set encoding"):
        rows(ContactSource(path=latin))
    assert rows(ContactSource(path=latin, encoding="latin-1"))[0].variables == {"name": "Zoë"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"delimiter": ";;"}, "delimiter: must be one character"),
        ({"encoding": "utf-99"}, "encoding: unknown"),
    ],
)
def test_bad_reader_options(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(SendPulseInputError, match=message):
        ContactSource(contacts=["a@example.com"], **kwargs)  # type: ignore[arg-type]


def _keys_of_rows(source: ContactSource) -> list[str | None]:
    return [None if row.blank else row.key for row in source.rows()]


def test_email_keys_match_the_rows_keys_without_validating(tmp_path: Path) -> None:
    csv_path = tmp_path / "mixed.csv"
    csv_path.write_text(
        "Name,EMAIL,email\n"
        "Ann, Ann@Example.com ,x\n"
        "\n"
        "Bob,not-an-email,y\n"
        "Short\n"
        '"Multi\nline",cid@example.com,z\n'
        "Dee,dee@example.com\n"
    )
    jsonl_path = tmp_path / "mixed.jsonl"
    jsonl_path.write_text(
        '{"email": " Eve@Example.com", "n": 1}\n'
        "\n"
        "{not json\n"
        '"fay@example.com"\n'
        "[1]\n"
        '{"Email": "gil@example.com", "bad": {"x": 1}}\n'
        '{"name": "no address"}\n'
    )
    sources = [
        ContactSource(path=str(csv_path)),
        ContactSource(path=str(csv_path), column_mapping={"EMAIL": "email", "Name": "name"}),
        ContactSource(path=str(jsonl_path)),
        ContactSource(path=str(jsonl_path), column_mapping={"email": "email", "n": "n"}),
        ContactSource(contacts=["A@example.com ", 3, {"email": "b@example.com"}, {"e": 1}]),
    ]
    for source in sources:
        assert list(source.email_keys()) == _keys_of_rows(source)
    assert list(sources[0].email_keys()) == ["x", None, "y", "", "z", ""]
    assert list(sources[1].email_keys()) == [
        "ann@example.com",
        None,
        "not-an-email",
        "",
        "cid@example.com",
        "dee@example.com",
    ]
    assert list(sources[2].email_keys()) == [
        "eve@example.com",
        None,
        "",
        "fay@example.com",
        "",
        "gil@example.com",
        "",
    ]
    assert list(sources[4].email_keys()) == ["a@example.com", "", "b@example.com", ""]
