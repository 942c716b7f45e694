"""The rate limiter's state shared by every process of one host, through a small locked file.

Airflow runs each task in a process of its own, and a Celery worker or the LocalExecutor runs many of
them at once on one host, all on one account. Each process's limiter alone learns of the others only
from refusals. With the state (the next free slot, the current rate, the slots of the last second) in
one file that every process reads and writes under an exclusive lock, the processes of a host book
their slots as one sender: what one learns from a refusal, all know at once. Processes on other hosts
are still met only through refusals, or exactly through a Redis store
(:mod:`~airflow_provider_sendpulse.client.shared_ratelimit`).

The file holds times and rates, no credential. It is named by a digest of the account key and lives
in a folder only this user may enter (``airflow-provider-sendpulse-<uid>`` in the temporary
folder). Times come from the monotonic clock, which all processes of a host share; a state left from
before a reboot is recognised and dropped. If the file cannot be used, the process keeps its state in
memory and says so once; a call never fails because of it.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, fields
from pathlib import Path

from airflow_provider_sendpulse.client.ratelimit import LimiterState, ProcessState
from airflow_provider_sendpulse.client.token_file import private_folder

log = logging.getLogger(__name__)

STALE_AFTER = 3600.0
"""A state whose times lie further than this in the future comes from another boot, and is dropped."""

_FIELDS = {f.name for f in fields(LimiterState)}


def default_folder() -> Path:
    """This user's folder for limiter state files, in the temporary folder (``TMPDIR`` moves it)."""
    return Path(tempfile.gettempdir()) / f"airflow-provider-sendpulse-{os.getuid()}"


def _parse(data: object) -> LimiterState | None:
    """A state from the file's JSON, or None unless every field is there and a number (slots a list)."""
    if not isinstance(data, dict) or set(data) != _FIELDS:
        return None
    slots = data["slots"]
    numbers = [value for name, value in data.items() if name != "slots"]
    if not isinstance(slots, list) or not all(isinstance(v, int | float) for v in [*numbers, *slots]):
        return None
    return LimiterState(**data)


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
        self.path = Path(folder if folder is not None else default_folder()) / f"ratelimit-{digest}.json"
        self._clock = clock
        self._lock = threading.Lock()  # flock excludes processes, not the threads of one process
        self._fd: int | None = None
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
            fd = self._locked_file()
            if fd is None:
                assert self._memory is not None
                with self._memory.locked(fresh) as state:
                    yield state
                return
            try:
                state = self._read(fd, fresh)
                yield state
                self._write(fd, state)
            finally:
                with contextlib.suppress(OSError):
                    fcntl.flock(fd, fcntl.LOCK_UN)

    def clear(self) -> None:
        """Delete the file: the next send, in any process, starts from a fresh state."""
        with self._lock:
            if self._memory is not None:
                self._memory.clear()
            if self._fd is not None:
                with contextlib.suppress(OSError):
                    os.close(self._fd)
                self._fd = None
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()

    def _locked_file(self) -> int | None:
        """The file's descriptor, locked; None when memory holds the state."""
        if self._memory is not None:
            return None
        try:
            if self._fd is None or self._pid != os.getpid():
                # A forked child shares its parent's open file, and with it the parent's lock: reopen.
                private_folder(self.path.parent, setting="rate limit state folder")
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
                self._pid = os.getpid()
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            return self._fd
        except (OSError, ValueError) as exc:
            self._give_up(exc)
            return None

    def _give_up(self, exc: BaseException) -> None:
        log.warning(
            "SendPulse rate limit: cannot share the limiter's state through %s (%s); this process "
            "paces itself alone",
            self.path,
            exc,
        )
        self._memory = ProcessState()

    def _read(self, fd: int, fresh: Callable[[], LimiterState]) -> LimiterState:
        """The stored state, or ``fresh()`` when there is none, it is unreadable or from another boot."""
        try:
            state = _parse(json.loads(os.pread(fd, 65536, 0) or b"null"))
        except (OSError, ValueError):
            state = None
        now = self._clock()
        if state is None or max(state.since, state.next, state.last_slot) > now + STALE_AFTER:
            return fresh()
        return state

    def _write(self, fd: int, state: LimiterState) -> None:
        body = json.dumps(asdict(state)).encode()
        try:
            os.pwrite(fd, body, 0)
            os.ftruncate(fd, len(body))
        except OSError as exc:
            self._give_up(exc)
