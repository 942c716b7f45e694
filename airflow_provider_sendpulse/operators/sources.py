"""Row sources: an in-memory list (or XCom) or a CSV / JSON-lines file, read as a stream of rows.

:class:`ContactSource` reads contacts (an email and variables); :class:`EventSource` reads Automation 360
event rows (an email and/or a phone, and variables).

A file is read row by row and can be read more than once (a scan for duplicate emails or a validation
pass, then a sending pass), so a million-row file never sits in memory.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from airflow.sdk import ObjectStoragePath

from airflow_provider_sendpulse.hooks.files import FileFormat, as_path, file_format_of, open_text
from airflow_provider_sendpulse.operators.validation import (
    SendPulseInputError,
    check_delimiter,
    check_encoding,
    clean_variables,
    email_problem,
    normalise_phone,
    variable_problem,
)

EMAIL = "email"
PHONE = "phone"


@dataclass(slots=True)
class Row:
    """One input row: where it is (``line 7`` or ``contacts[3]``), and the contact or why it is unusable.

    ``email`` holds the value of the source's key column (``email`` unless the source says otherwise, e.g.
    ``contact_id`` or ``phone`` for chatbot recipients).

    ``variables`` are as they will be sent: empty values dropped, dates rendered as SendPulse expects.

    Blank lines come through as rows with ``blank=True`` so that they can be counted.
    """

    position: str
    email: str | None
    variables: dict[str, Any] = field(default_factory=dict)
    problem: str | None = None
    blank: bool = False
    phone: str | None = None
    key: str = field(default="", compare=False)
    """The key value the row names, stripped and lower-cased, even when it is invalid (``""``: none)."""


class _Record(NamedTuple):
    """One unparsed row: a list item, a JSON value or CSV cells; ``None`` for a blank line."""

    position: str
    item: Any
    problem: str | None = None


class ContactSource:
    """Rows of contacts from ``contacts`` (list or XCom) or ``path`` (CSV / JSON lines).

    ``column_mapping`` maps a source column (or key) to ``"email"`` or to a SendPulse variable name; with a
    mapping, unmapped columns are ignored. Without one, the ``email`` column (any case) is the address and
    every other column is a variable; a dict item may also carry its variables under ``"variables"``.

    ``key`` names another identifying column instead of ``email`` (with ``key_problem`` saying what is
    wrong with a value, or None), for recipients identified otherwise (a chatbot contact id, a phone).
    """

    def __init__(
        self,
        *,
        contacts: Any = None,
        path: str | os.PathLike[str] | None = None,
        file_format: str | None = None,
        column_mapping: Mapping[str, str] | None = None,
        delimiter: str = ",",
        encoding: str = "utf-8-sig",
        storage_conn_id: str | None = None,
        key: str = EMAIL,
        key_problem: Callable[[Any], str | None] = email_problem,
    ) -> None:
        self.key = key
        self._key_problem = key_problem
        if (contacts is None) == (path is None or path == ""):
            raise SendPulseInputError(
                f"{self.what}/path: give exactly one of {self.what} (a list or XCom) and path."
            )
        self.mapping = self.check_mapping(column_mapping)
        self._key_column = next((s for s, t in (self.mapping or {}).items() if t == self.key), self.key)
        self._csv_layout: tuple[list[tuple[str, int]], int] = ([], -1)
        """A CSV file's columns used (name, position) and the key column's position (-1: none)."""
        self._seen: set[str] = set()
        self.encoding = check_encoding(encoding)
        self.delimiter = check_delimiter(delimiter)
        self.items: Sequence[Any] | None = None
        self.path: Path | ObjectStoragePath | None = None
        self.format: FileFormat | None = None
        if contacts is not None:
            self.items = _check_items(contacts, self.what)
        else:
            assert path is not None
            self.path = as_path(path, storage_conn_id)
            self.format = file_format_of(self.path, file_format)
            if not self.path.exists():
                raise SendPulseInputError(f"path: {self.path} does not exist.")
            if self.path.is_dir():
                raise SendPulseInputError(f"path: {self.path} is a directory, not a file.")

    what = "contacts"

    def check_mapping(self, mapping: Mapping[str, str] | None) -> dict[str, str] | None:
        """The column mapping, checked: exactly one column maps to the key (``email``)."""
        return _check_mapping(mapping, self.key)

    def describe(self) -> str:
        if self.path is not None:
            return f"{self.format} file {self.path}"
        return f"the {self.what} list"

    def unmatched_columns(self) -> list[str]:
        """Mapped columns that no row had, after a full pass (CSV headers are checked up front)."""
        if self.mapping is None or self.format == "csv":
            return []
        return [name for name in self.mapping if name not in self._seen]

    def rows(self) -> Iterator[Row]:
        """One streaming pass over the source; call again for another pass."""
        csv_file = self.format == "csv"
        for position, item, problem in self._records():
            if problem is not None:
                yield Row(position, None, problem=problem)
            elif item is None:
                yield Row(position, None, blank=True)
            elif csv_file:
                columns = self._csv_layout[0]
                cells = {name: item[i] if i < len(item) else None for name, i in columns}
                yield self._row(position, cells, flat=True)
            else:
                yield self._row(position, item)

    def email_keys(self) -> Iterator[str | None]:
        """A cheap pass: per row, :attr:`Row.key` without validating the row (``None`` for a blank line).

        It yields exactly one entry per row :meth:`rows` yields, in the same order.
        """
        csv_file = self.format == "csv"
        for _, item, problem in self._records():
            if problem is not None:
                yield ""
            elif item is None:
                yield None
            elif csv_file:
                index = self._csv_layout[1]
                yield item[index].strip().lower() if 0 <= index < len(item) else ""
            else:
                yield self._key(item)

    def _records(self) -> Iterator[_Record]:
        if self.items is not None:
            for index, item in enumerate(self.items):
                yield _Record(f"{self.what}[{index}]", item)
            return
        last = "the start"
        try:
            for record in self._csv_records() if self.format == "csv" else self._jsonl_records():
                last = record.position
                yield record
        except UnicodeDecodeError:
            raise SendPulseInputError(
                f"path: {self.path} is not {self.encoding} text after {last}; set encoding."
            ) from None
        except csv.Error as exc:
            raise SendPulseInputError(f"path: {self.path} is not readable CSV after {last}: {exc}.") from None

    def _csv_records(self) -> Iterator[_Record]:
        """Each record's cells (``None`` for a blank line); the header sets :attr:`_csv_layout`."""
        assert self.path is not None
        with open_text(self.path, "r", self.encoding) as text:
            reader = csv.reader(text, delimiter=self.delimiter)
            header = next(reader, None)
            if header is None:
                raise SendPulseInputError(f"path: {self.path} is empty; expected a header row.")
            header = [name.strip() for name in header]
            columns = self._csv_columns(header)
            key = self._key_column if self.mapping is not None else _find_key(header, self.key)
            self._csv_layout = (columns, dict(columns).get(key or self.key, -1))
            for record in reader:
                if not any(cell.strip() for cell in record):
                    yield _Record(f"line {reader.line_num}", None)
                    continue
                yield _Record(f"line {reader.line_num}", record)

    def _csv_columns(self, header: list[str]) -> list[tuple[str, int]]:
        """Pick the header positions the mapping needs, or fail naming the missing columns."""
        positions = {name: i for i, name in enumerate(header)}
        if self.mapping is not None:
            missing = [name for name in self.mapping if name not in positions]
            if missing:
                raise SendPulseInputError(
                    f"column_mapping: column(s) {', '.join(map(repr, missing))} not in the file header "
                    f"({', '.join(map(repr, header))})."
                )
            return [(name, positions[name]) for name in self.mapping]
        if not self.has_key_column(header):
            columns = ", ".join(map(repr, header))
            raise SendPulseInputError(
                f"column_mapping: no {self.key_columns} column in the file header ({columns}); "
                f"map yours with column_mapping={{'<column>': {self.key!r}}}."
            )
        return list(positions.items())

    @property
    def key_columns(self) -> str:
        """The identifying column(s), for messages."""
        return repr(self.key)

    def has_key_column(self, header: list[str]) -> bool:
        """Whether an unmapped header names the column that identifies a row."""
        return _find_key(header, self.key) is not None

    def _jsonl_records(self) -> Iterator[_Record]:
        assert self.path is not None
        with open_text(self.path, "r", self.encoding) as text:
            for number, line in enumerate(text, start=1):
                position = f"line {number}"
                if not line.strip():
                    yield _Record(position, None)
                    continue
                try:
                    item = json.loads(line)
                except ValueError:
                    if number == 1 and line.lstrip().startswith("["):
                        raise SendPulseInputError(
                            f"path: {self.path} holds a JSON array; write one JSON object per line instead."
                        ) from None
                    yield _Record(position, None, problem="is not valid JSON")
                    continue
                yield _Record(position, item)

    def _key(self, item: Any) -> str:
        """The key value an item names, stripped and lower-cased, without validating it; ``""``: none."""
        if isinstance(item, str):
            value: Any = item if self.mapping is None else None
        elif not isinstance(item, Mapping):
            value = None
        elif self.mapping is not None:
            self._note_columns(item)
            value = item.get(self._key_column)
        else:
            key = _find_key(item, self.key)
            value = None if key is None else item[key]
        return value.strip().lower() if isinstance(value, str) else ""

    def _note_columns(self, item: Mapping[str, Any]) -> None:
        """Remember which mapped columns some row has (see :meth:`unmatched_columns`)."""
        assert self.mapping is not None
        if len(self._seen) < len(self.mapping):
            self._seen.update(k for k in self.mapping if k in item)

    def _row(self, position: str, item: Any, flat: bool = False) -> Row:
        """Turn one item (an address, or a mapping of columns) into a Row."""
        if isinstance(item, str):
            if self.mapping is not None:
                problem = "is a bare string but column_mapping expects an object"
                return Row(position, None, problem=problem, key=self._key(item))
            return self._finish(position, item.strip(), {})
        if type(item) is not dict and not isinstance(item, Mapping):  # dict first: the ABC check is slow
            problem = f"must be an email or an object, got {type(item).__name__}"
            return Row(position, None, problem=problem, key=self._key(item))
        if self.mapping is not None:
            self._note_columns(item)
            email: Any = None
            variables: dict[str, Any] = {}
            for source, target in self.mapping.items():
                if target == self.key:
                    email = item.get(source)
                elif source in item:
                    variables[target] = item[source]
            if email is None:
                problem = f"has no value for {self._key_column!r}"
                return Row(position, None, problem=problem, key=self._key(item))
        else:
            key = _find_key(item, self.key)
            if key is None:
                return Row(position, None, problem=f"has no {self.key!r}", key=self._key(item))
            email = item[key]
            nested = item.get("variables")
            if not flat and isinstance(nested, Mapping):
                variables = dict(nested)
            else:
                variables = {k: v for k, v in item.items() if k != key}
        if isinstance(email, str):
            email = email.strip()
        return self._finish(position, email, variables)

    def _finish(self, position: str, value: Any, variables: dict[str, Any]) -> Row:
        """Validate a row's (stripped) key value and variables; its key is the value lower-cased."""
        key = value.lower() if isinstance(value, str) else ""
        problem = self._key_problem(value)
        if problem:
            return Row(position, None, problem=f"{self.key} {problem}", key=key)
        clean: dict[str, Any] = {}
        for name, item in variables.items():
            if type(item) is str and type(name) is str and name.strip():  # a CSV cell: the common case
                if item:
                    clean[name] = item
                continue
            problem = variable_problem(name, item)
            if problem:
                return Row(position, None, problem=problem, key=key)
            clean.update(clean_variables({name: item}))
        return Row(position, value, clean, key=key)


def _find_key(keys: Collection[Any], key: str = EMAIL) -> str | None:
    if key in keys:
        return key
    return next((k for k in keys if isinstance(k, str) and k.strip().lower() == key), None)


def _check_mapping(mapping: Mapping[str, str] | None, key: str = EMAIL) -> dict[str, str] | None:
    if mapping is None:
        return None
    if not isinstance(mapping, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) and k and v for k, v in mapping.items()
    ):
        raise SendPulseInputError(
            "column_mapping: expected a mapping of source column to 'email' or a variable name, "
            "e.g. {'Email Address': 'email', 'First name': 'name'}."
        )
    targets = list(mapping.values())
    if targets.count(key) != 1:
        raise SendPulseInputError(
            f"column_mapping: exactly one column must map to {key!r}, got {targets.count(key)}."
        )
    if len(set(targets)) != len(targets):
        raise SendPulseInputError("column_mapping: two columns map to the same target.")
    return dict(mapping)


def _check_items(contacts: Any, field: str = "contacts") -> Sequence[Any]:
    if isinstance(contacts, str):
        text = contacts.strip()
        if text.startswith("["):
            try:
                contacts = json.loads(text)
            except ValueError:
                raise SendPulseInputError(f"{field}: a string that is not a JSON list.") from None
        else:
            raise SendPulseInputError(
                f"{field}: expected a list of emails or objects; to read a file, pass it as path."
            )
    if isinstance(contacts, Mapping):
        raise SendPulseInputError(f"{field}: expected a list of {field}, got a single mapping.")
    if not isinstance(contacts, Sequence):
        try:
            contacts = list(contacts)
        except TypeError:
            raise SendPulseInputError(
                f"{field}: expected a list of emails or objects, got {type(contacts).__name__}."
            ) from None
    return contacts  # type: ignore[no-any-return]


class EventSource(ContactSource):
    """Automation 360 event rows from ``rows`` (list or XCom) or ``path`` (CSV / JSON lines).

    A row names its contact by ``email`` and/or ``phone`` (columns or keys in any case); every other
    column is an event variable (a dict item may also carry them under ``"variables"``). With
    ``column_mapping`` (source column -> ``"email"``, ``"phone"`` or a variable name) unmapped columns are
    ignored. Phones are normalised to international digits.
    """

    what = "rows"

    @property
    def key_columns(self) -> str:
        return "'email' or 'phone'"

    def check_mapping(self, mapping: Mapping[str, str] | None) -> dict[str, str] | None:
        """The column mapping, checked: at most one column each maps to ``email`` and ``phone``, and one
        of them is mapped."""
        if mapping is None:
            return None
        if not isinstance(mapping, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) and k and v for k, v in mapping.items()
        ):
            raise SendPulseInputError(
                "column_mapping: expected a mapping of source column to 'email', 'phone' or a variable "
                "name, e.g. {'Mobile': 'phone', 'Plan': 'plan'}."
            )
        targets = list(mapping.values())
        if targets.count(EMAIL) > 1 or targets.count(PHONE) > 1 or not {EMAIL, PHONE} & set(targets):
            raise SendPulseInputError(
                "column_mapping: map one column to 'email' and/or one to 'phone', e.g. "
                "{'Mobile': 'phone', 'Plan': 'plan'}."
            )
        if len(set(targets)) != len(targets):
            raise SendPulseInputError("column_mapping: two columns map to the same target.")
        return dict(mapping)

    def has_key_column(self, header: list[str]) -> bool:
        return _find_key(header, EMAIL) is not None or _find_key(header, PHONE) is not None

    def _row(self, position: str, item: Any, flat: bool = False) -> Row:
        if isinstance(item, str) and self.mapping is None:
            return _event_row(position, item, None, {})
        if not isinstance(item, Mapping):
            return Row(
                position,
                None,
                problem=f"must be an object with email and/or phone, got {type(item).__name__}",
            )
        email: Any = None
        phone: Any = None
        variables: dict[str, Any] = {}
        if self.mapping is not None:
            self._note_columns(item)
            for source, target in self.mapping.items():
                if target == EMAIL:
                    email = item.get(source)
                elif target == PHONE:
                    phone = item.get(source)
                elif source in item:
                    variables[target] = item[source]
        else:
            keys = list(item)
            email_key, phone_key = _find_key(keys, EMAIL), _find_key(keys, PHONE)
            email = item.get(email_key) if email_key else None
            phone = item.get(phone_key) if phone_key else None
            nested = item.get("variables")
            if not flat and isinstance(nested, Mapping):
                variables = dict(nested)
            else:
                variables = {k: v for k, v in item.items() if k not in (email_key, phone_key)}
        return _event_row(position, email, phone, variables)


def _event_row(position: str, email: Any, phone: Any, variables: dict[str, Any]) -> Row:
    if isinstance(email, str):
        email = email.strip()
    if email in (None, "") and phone in (None, ""):
        return Row(position, None, problem="has no email or phone")
    if email not in (None, ""):
        problem = email_problem(email)
        if problem:
            return Row(position, None, problem=f"email {problem}")
    digits = None
    if phone not in (None, ""):
        digits, problem = normalise_phone(phone)
        if problem:
            return Row(position, None, problem=f"phone {problem}")
    for name, value in variables.items():
        problem = variable_problem(name, value)
        if problem:
            return Row(position, None, problem=problem)
        if isinstance(name, str) and name.strip().lower() in (EMAIL, PHONE):
            return Row(
                position, None, problem=f"variable {name!r} repeats the contact's {name.strip().lower()}"
            )
    return Row(position, email or None, clean_variables(variables), phone=digits)


class RecordSource:
    """Rows as plain mappings from ``rows`` (a list, an XCom or a JSON-list string) or a CSV / JSON-lines
    ``path``, read as a stream that can be read again (a checking pass, then a sending pass).

    Each row comes as ``(position, mapping)``; a row that is not an object comes with ``None`` and is
    reported by the caller. CSV cells are strings; blank lines are skipped.
    """

    def __init__(
        self,
        *,
        rows: Any = None,
        path: str | os.PathLike[str] | None = None,
        file_format: str | None = None,
        delimiter: str = ",",
        encoding: str = "utf-8-sig",
        storage_conn_id: str | None = None,
    ) -> None:
        if (rows is None) == (path is None or path == ""):
            raise SendPulseInputError("rows/path: give exactly one of rows (a list or XCom) and path.")
        self.encoding = check_encoding(encoding)
        self.delimiter = check_delimiter(delimiter)
        self.items: Sequence[Any] | None = None
        self.path: Path | ObjectStoragePath | None = None
        if rows is not None:
            self.items = _check_items(rows)
        else:
            assert path is not None
            self.path = as_path(path, storage_conn_id)
            self.format = file_format_of(self.path, file_format)
            if not self.path.exists() or self.path.is_dir():
                raise SendPulseInputError(f"path: {self.path} is not a file.")

    def __iter__(self) -> Iterator[tuple[str, Mapping[str, Any] | None]]:
        if self.items is not None:
            for index, item in enumerate(self.items):
                yield f"rows[{index}]", item if isinstance(item, Mapping) else None
            return
        assert self.path is not None
        with open_text(self.path, "r", self.encoding) as text:
            if self.format == "csv":
                reader = csv.DictReader(text, delimiter=self.delimiter)
                for record in reader:
                    if any((v or "").strip() for v in record.values() if isinstance(v, str)):
                        yield f"line {reader.line_num}", {k.strip(): v for k, v in record.items() if k}
                return
            for number, line in enumerate(text, start=1):
                if not line.strip():
                    continue
                try:
                    item = json.loads(line)
                except ValueError:
                    item = None
                yield f"line {number}", item if isinstance(item, Mapping) else None
