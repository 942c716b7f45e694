"""The rate limiter's state shared by every process of one host, through a small locked file.

Airflow runs each task in a process of its own, and a Celery worker or the LocalExecutor runs many of
them at once on one host, all on one account. Each process's limiter alone learns of the others only
from refusals. With the state (the next free slot, the current rate, the slots of the last second) in
one file that every process reads and writes under an exclusive lock, the processes of a host book
their slots as one sender: what one learns from a refusal, all know at once. Processes on other hosts
are still met only through refusals, or exactly through a Redis store
(:mod:`~airflow_provider_sendpulse.client.shared_ratelimit`).

The file is a fixed-size binary record, memory-mapped: a send costs a lock and a few memory reads and
writes, never a disk write on the caller's path (it may be a triggerer's event loop). It lives in
``/dev/shm`` (memory) where the host has it, else in the temporary folder, in a folder only this user
may enter (``airflow-provider-sendpulse-<uid>``), named by a digest of the account key; it holds
times and rates, no credential. Times come from the monotonic clock, which all processes of a host
share; a state left from before a reboot is recognised and dropped. If the file cannot be used, the
process keeps its state in memory and says so once; a call never fails because of it.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import mmap
import os
import struct
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from airflow_provider_sendpulse.client.ratelimit import SLOT_MEMORY, LimiterState, ProcessState
from airflow_provider_sendpulse.client.token_file import private_folder

log = logging.getLogger(__name__)

STALE_AFTER = 3600.0
"""A state whose times lie further than this in the future comes from another boot, and is dropped."""

_MAGIC = b"SPRL0002"
_HEADER = struct.Struct("<8s6dqII")  # magic, 6 times and rates, last booker, slot and sent counts
_TIMES = struct.Struct(f"<{SLOT_MEMORY}d")
SIZE = _HEADER.size + 2 * _TIMES.size


SHARED_MEMORY = Path("/dev/shm")  # noqa: S108 (the folder made in it is private, and checked to be)
"""Linux's memory-backed folder shared by the processes of a host (or of a container)."""


def default_folder(shm: Path = SHARED_MEMORY) -> Path:
    """This user's folder for limiter state files: in ``shm`` if the host has it, else in the
    temporary folder (``TMPDIR`` moves it)."""
    base = shm if shm.is_dir() and os.access(shm, os.W_OK | os.X_OK) else Path(tempfile.gettempdir())
    return base / f"airflow-provider-sendpulse-{os.getuid()}"


def _times(values: list[float]) -> bytes:
    kept = values[-SLOT_MEMORY:]
    return _TIMES.pack(*kept, *([0.0] * (SLOT_MEMORY - len(kept))))


def pack(state: LimiterState) -> bytes:
    """The file's record of ``state``."""
    header = _HEADER.pack(
        _MAGIC,
        state.current,
        state.last_refused,
        state.since,
        state.next,
        state.last_slot,
        state.hold_until,
        state.last_booker,
        min(len(state.slots), SLOT_MEMORY),
        min(len(state.sent), SLOT_MEMORY),
    )
    return header + _times(state.slots) + _times(state.sent)


def unpack(record: bytes) -> LimiterState | None:
    """The state in a record, or None for an empty or foreign one."""
    if len(record) < SIZE:
        return None
    magic, current, last_refused, since, next_, last_slot, hold_until, booker, slots, sent = (
        _HEADER.unpack_from(record)
    )
    if magic != _MAGIC or slots > SLOT_MEMORY or sent > SLOT_MEMORY or not current > 0:
        return None
    return LimiterState(
        current=current,
        last_refused=last_refused,
        since=since,
        next=next_,
        last_slot=last_slot,
        last_booker=booker,
        hold_until=hold_until,
        slots=list(_TIMES.unpack_from(record, _HEADER.size)[:slots]),
        sent=list(_TIMES.unpack_from(record, _HEADER.size + _TIMES.size)[:sent]),
    )


class HostState:
    """One account's limiter state in a file shared by the processes of this host.

    :param account: the account key (only its digest names the file).
    :param folder: where the file lives; :func:`default_folder` if None.
    :param clock: the monotonic clock the limiter uses.
    """

    def __init__(
        self,
        account: tuple[str, str],
        folder: str | os.PathLike[str] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        digest = hashlib.sha256("\0".join(account).encode()).hexdigest()[:24]
        self.path = Path(folder if folder is not None else default_folder()) / f"ratelimit-{digest}"
        self._clock = clock
        self._lock = threading.Lock()  # flock excludes processes, not the threads of one process
        self._fd: int | None = None
        self._map: mmap.mmap | None = None
        self._pid = 0
        self._memory: ProcessState | None = None

    def __repr__(self) -> str:
        return f"HostState({str(self.path)!r})"

    @property
    def shared(self) -> bool:
        """Whether the state lives in the file (False once the file failed and memory took over)."""
        return self._memory is None

    @contextlib.contextmanager
    def locked(self, fresh: Callable[[], LimiterState]) -> Iterator[LimiterState]:
        """The state, held under the thread lock and an exclusive lock on the file."""
        with self._lock:
            shared = self._locked_map()
            if shared is None:
                assert self._memory is not None
                with self._memory.locked(fresh) as state:
                    yield state
                return
            fd, record = shared
            try:
                state = self._read(record, fresh)
                yield state
                record[:SIZE] = pack(state)
            finally:
                with contextlib.suppress(OSError):
                    fcntl.flock(fd, fcntl.LOCK_UN)

    def clear(self) -> None:
        """Delete the file: the next send, in any process, starts from a fresh state."""
        with self._lock:
            if self._memory is not None:
                self._memory.clear()
            self._close()
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()

    def _close(self) -> None:
        if self._map is not None:
            self._map.close()
            self._map = None
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None

    def _locked_map(self) -> tuple[int, mmap.mmap] | None:
        """The file's descriptor (locked) and mapping; None when memory holds the state."""
        if self._memory is not None:
            return None
        try:
            if self._fd is None or self._map is None or self._pid != os.getpid():
                # A forked child shares its parent's open file, and with it the parent's lock: reopen.
                self._open()
            assert self._fd is not None
            assert self._map is not None
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            return self._fd, self._map
        except (OSError, ValueError) as exc:
            self._give_up(exc)
            return None

    def _open(self) -> None:
        self._fd, self._map = None, None  # a forked child's copies belong to the parent
        private_folder(self.path.parent, setting="rate limit state folder")
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        try:
            if os.fstat(fd).st_size < SIZE:
                os.ftruncate(fd, SIZE)  # zeros: no state yet
            self._map = mmap.mmap(fd, SIZE)
        except BaseException:
            os.close(fd)
            raise
        self._fd, self._pid = fd, os.getpid()

    def _give_up(self, exc: BaseException) -> None:
        log.warning(
            "SendPulse rate limit: cannot share the limiter's state through %s (%s); this process "
            "paces itself alone",
            self.path,
            exc,
        )
        self._close()
        self._memory = ProcessState()

    def _read(self, record: mmap.mmap, fresh: Callable[[], LimiterState]) -> LimiterState:
        """The stored state, or ``fresh()`` when there is none, it is foreign or from another boot."""
        state = unpack(record[:SIZE])
        if state is None:
            return fresh()
        if max(state.since, state.next, state.last_slot, *state.sent) > self._clock() + STALE_AFTER:
            return fresh()
        return state
