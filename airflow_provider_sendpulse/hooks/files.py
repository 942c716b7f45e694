"""Files for imports and exports: local paths or object storage, CSV or JSON lines, ``.gz`` or not."""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Literal

from airflow.sdk import ObjectStoragePath

from airflow_provider_sendpulse.hooks.errors import SendPulseInputError

FileFormat = Literal["csv", "jsonl"]
_SUFFIX_FORMATS: dict[str, FileFormat] = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
}


def as_path(path: str | os.PathLike[str], conn_id: str | None = None) -> Path | ObjectStoragePath:
    """Local paths stay ``Path``; URLs (``s3://``, ``file://``...) become ``ObjectStoragePath``."""
    if isinstance(path, ObjectStoragePath):
        return path
    text = os.fspath(path)
    if "://" in text:
        return ObjectStoragePath(text, conn_id=conn_id)
    return Path(text)


def file_format_of(path: Path | ObjectStoragePath, file_format: str | None) -> FileFormat:
    """The explicit format, else the one the suffix names (``.gz`` is looked through)."""
    if file_format is not None:
        if file_format not in ("csv", "jsonl"):
            raise SendPulseInputError(f"file_format: must be 'csv' or 'jsonl', got {file_format!r}.")
        return file_format  # type: ignore[return-value]
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    found = _SUFFIX_FORMATS.get(suffixes[-1]) if suffixes else None
    if found is None:
        raise SendPulseInputError(
            f"file_format: cannot tell the format of {path.name!r} from its name; "
            "set file_format='csv' or 'jsonl'."
        )
    return found


@contextmanager
def written_atomically(target: Path | ObjectStoragePath) -> Iterator[IO[str]]:
    """Write text to ``target``; a local file is written beside it and renamed when complete."""
    # ObjectStoragePath is a Path subclass on some Airflow versions, hence the exact check.
    local = target if isinstance(target, Path) and not isinstance(target, ObjectStoragePath) else None
    partial = local.with_name(local.name + ".partial") if local is not None else None
    if local is not None:
        local.parent.mkdir(parents=True, exist_ok=True)
    with open_text(partial or target, "w") as out:
        yield out
    if partial is not None and local is not None:
        os.replace(partial, local)


@contextmanager
def open_text(
    path: Path | ObjectStoragePath, mode: Literal["r", "w"], encoding: str = "utf-8"
) -> Iterator[IO[str]]:
    """Open a local or object-storage file as text, (de)compressing ``.gz`` on the fly."""
    raw: IO[bytes] = path.open(mode + "b")
    try:
        stream: IO[bytes] = raw
        if path.name.lower().endswith(".gz"):
            stream = gzip.GzipFile(fileobj=raw, mode=mode + "b")  # type: ignore[assignment]
        text = io.TextIOWrapper(stream, encoding=encoding, newline="")
        try:
            yield text
        finally:
            if mode == "w":
                text.flush()
            text.detach()
            if stream is not raw:
                stream.close()
    finally:
        raw.close()


def write_records(
    records: Iterable[Mapping[str, Any]],
    target: Path | ObjectStoragePath,
    file_format: FileFormat,
    columns: Sequence[str],
    on_record: Callable[[int], None] | None = None,
) -> int:
    """Stream flat records to a CSV (``columns`` in order) or JSON-lines file; returns how many.

    A local file is written next to the target and renamed when complete, so a failed write leaves no
    half file; object storage writes the object once, on close.
    """
    local = target if isinstance(target, Path) and not isinstance(target, ObjectStoragePath) else None
    partial = local.with_name(local.name + ".partial") if local is not None else None
    if local is not None:
        local.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with open_text(partial or target, "w") as out:
        writer = csv.writer(out, lineterminator="\n") if file_format == "csv" else None
        if writer is not None:
            writer.writerow(columns)
        for record in records:
            if writer is not None:
                writer.writerow(["" if record.get(c) is None else record.get(c) for c in columns])
            else:
                out.write(
                    json.dumps({c: record.get(c) for c in columns}, ensure_ascii=False, default=str) + "\n"
                )
            count += 1
            if on_record is not None:
                on_record(count)
    if partial is not None and local is not None:
        os.replace(partial, local)
    return count
