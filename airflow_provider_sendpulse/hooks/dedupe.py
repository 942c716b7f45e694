"""Which rows of an import a later row with the same email replaces, in flat memory.

Each row's email key is reduced to a 64-bit keyed hash (Python's ``hash`` of a string is SipHash with a
key random per process) and buffered, with the row's ordinal, in one of :data:`PARTITIONS` partitions
chosen by the hash; a full buffer is appended to its partition's temporary file (16 bytes per row, in a
private temporary folder). :meth:`DuplicateTable.finish` then reads one partition at a time: same email,
same partition, so a dictionary of one partition finds every replaced row. What stays in memory is one
bit per row (125 kB per million rows), the write buffers and one partition.

Valid rows that a later row replaces are *kept* aside in a temporary SQLite file, in case that later row
turns out invalid: then the kept row is the last valid one and is sent in its place. Duplicates are few
in most imports, so this file is only created when the first one is kept.

Two different addresses share a 64-bit hash with a probability of about 3e-8 in a million-row import
(n^2 / 2^65); the later row would then replace the earlier.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from array import array
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, Any

PARTITIONS = 64
"""Spill files: a million rows make partitions of about 16,000 entries (250 kB)."""
_FLUSH_AT = 2 * 2048
"""Array items (hash, ordinal pairs) a partition buffers before writing them."""


class DuplicateTable:
    """Row ordinals (0, 1, ... in source order) by email key; knows which a later row replaces.

    Record every row's key with :meth:`record`, call :meth:`finish` once, then ask :meth:`replaced`.
    Use it as a context manager (or call :meth:`close`) so the temporary files go away.
    """

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="sendpulse-import-")
        self._files: list[IO[bytes] | None] = [None] * PARTITIONS  # opened on their first spill
        self._buffers = [array("q") for _ in range(PARTITIONS)]
        self._replaced = bytearray()
        self._kept: sqlite3.Connection | None = None
        self.rows = 0
        self.replaced_count = 0

    def __enter__(self) -> DuplicateTable:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def record(self, keys: Iterable[str | None]) -> None:
        """Record each row's email key, in source order (``None`` or ``""``: the row names no email)."""
        buffers = self._buffers
        ordinal = self.rows
        for key in keys:
            if key:
                digest = hash(key)
                partition = digest % PARTITIONS
                buffer = buffers[partition]
                buffer.append(digest)
                buffer.append(ordinal)
                if len(buffer) >= _FLUSH_AT:
                    self._spill(partition)
            ordinal += 1
        self.rows = ordinal

    def finish(self) -> None:
        """Find the replaced rows (one bit each) and delete the spill files."""
        replaced = bytearray((self.rows + 7) // 8)
        count = 0
        for buffer, file in zip(self._buffers, self._files, strict=True):
            pairs = array("q")
            if file is not None:
                file.seek(0)
                pairs.frombytes(file.read())
                file.close()
            pairs.extend(buffer)
            del buffer[:]
            # Pairs are in source order within a partition: a repeated hash replaces its previous row.
            last: dict[int, int] = {}
            for digest, ordinal in zip(pairs[0::2], pairs[1::2], strict=True):
                earlier = last.get(digest)
                if earlier is not None:
                    replaced[earlier >> 3] |= 1 << (earlier & 7)
                    count += 1
                last[digest] = ordinal
        self._replaced = replaced
        self.replaced_count = count

    def _spill(self, partition: int) -> None:
        file = self._files[partition]
        if file is None:
            file = self._files[partition] = (Path(self._dir.name) / f"{partition}.bin").open("w+b")
        self._buffers[partition].tofile(file)
        del self._buffers[partition][:]

    def replaced(self, ordinal: int) -> bool:
        """Whether a later row names the same email as row ``ordinal``."""
        index = ordinal >> 3
        return index < len(self._replaced) and bool(self._replaced[index] >> (ordinal & 7) & 1)

    def keep(self, key: str, email: str, variables: Mapping[str, Any]) -> None:
        """Set a replaced valid row aside (the latest kept row per email key wins)."""
        if self._kept is None:
            self._kept = sqlite3.connect(Path(self._dir.name) / "kept.db", isolation_level=None)
            self._kept.executescript(
                "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
                "CREATE TABLE kept (digest INTEGER PRIMARY KEY, email TEXT NOT NULL, variables TEXT NOT NULL)"
            )
        self._kept.execute(
            "INSERT OR REPLACE INTO kept VALUES (?, ?, ?)", (hash(key), email, json.dumps(variables))
        )

    def take(self, key: str) -> tuple[str, dict[str, Any]] | None:
        """The row last kept for ``key`` (and forget it), or ``None``."""
        if self._kept is None:
            return None
        found = self._kept.execute(
            "DELETE FROM kept WHERE digest = ? RETURNING email, variables", (hash(key),)
        ).fetchone()
        return None if found is None else (str(found[0]), json.loads(found[1]))

    def close(self) -> None:
        """Close and delete the temporary files."""
        for file in self._files:
            if file is not None:
                file.close()
        if self._kept is not None:
            self._kept.close()
        self._dir.cleanup()
