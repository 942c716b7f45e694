"""Streamed export of a mailing list's contacts to a CSV or JSON-lines file (local or object storage).

CSV columns are ``email``, then ``status`` when asked for, then the list's variables; a JSON line is
``{"email", "status", "variables"}``. A local file is written next to the target and renamed at the end,
so a failed export leaves no half file.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import IO, Any

from airflow.sdk import ObjectStoragePath

from airflow_provider_sendpulse.hooks.files import FileFormat, written_atomically

Writer = Callable[[Mapping[str, Any]], None]


def write_contacts(
    contacts: Iterable[Mapping[str, Any]],
    target: Path | ObjectStoragePath,
    fmt: FileFormat,
    variables: list[str],
    *,
    include_status: bool = False,
    on_contact: Callable[[int], None] | None = None,
) -> tuple[int, set[str]]:
    """Write ``contacts`` to ``target``; returns how many, and the variables CSV left out."""
    count = 0
    dropped: set[str] = set()
    with written_atomically(target) as out:
        write = _json_writer(out) if fmt == "jsonl" else _csv_writer(out, variables, include_status, dropped)
        for contact in contacts:
            write(contact)
            count += 1
            if on_contact is not None:
                on_contact(count)
    return count, dropped


def _json_writer(out: IO[str]) -> Writer:
    def write(contact: Mapping[str, Any]) -> None:
        record = {
            "email": contact.get("email"),
            "status": contact.get("status"),
            "variables": variables_of(contact),
        }
        out.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")

    return write


def _csv_writer(out: IO[str], variables: list[str], include_status: bool, dropped: set[str]) -> Writer:
    known = set(variables)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["email", *(["status"] if include_status else []), *variables])

    def write(contact: Mapping[str, Any]) -> None:
        values = variables_of(contact)
        row = [contact.get("email")]
        if include_status:
            row.append(contact.get("status"))
        row.extend(values.get(name, "") for name in variables)
        writer.writerow(row)
        if not values.keys() <= known:
            dropped.update(values.keys() - known)

    return write


def variables_of(contact: Mapping[str, Any]) -> dict[str, Any]:
    """Contact variables arrive as a mapping from list reads but as ``[{name, value}]`` from single reads."""
    raw = contact.get("variables") or {}
    if isinstance(raw, Mapping):
        return dict(raw)
    if isinstance(raw, list):
        return {str(v.get("name")): v.get("value") for v in raw if isinstance(v, Mapping)}
    return {}
