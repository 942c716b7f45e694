"""Opt-in token cache shared by the processes of one host: one file per credential.

Each Airflow task runs in a new process, so without this every task mints its own token. With a
token cache folder set (connection extra or ``[sendpulse] token_cache_dir``), a process first looks
for a fresh token in the folder; only when there is none does it mint, holding an exclusive lock on
the credential's lock file meanwhile, so that processes starting together mint once and the host
mints about once an hour.

The trade-off: a live bearer token rests on disk. The file is created readable and writable by its
owner only (0600) in a folder only the owner may enter (0700), is written atomically (a temporary
file renamed over it) and named by a slow salted digest of the credential, never by the API ID or
secret. Files that another user owns or that others may read are ignored. A token that SendPulse
refuses is deleted from the file as well as from memory.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import stat
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from airflow_provider_sendpulse.client.auth import DEFAULT_EXPIRES_IN, MintedToken, renewal_lead

log = logging.getLogger(__name__)

_SALT = b"airflow-provider-sendpulse host token cache v1"
_ITERATIONS = 20_000
"""PBKDF2 rounds for the file name: cheap once per process, costly for guessing a secret from it."""


def credential_digest(base_url: str, material: str) -> str:
    """A stable, slow digest of ``base_url`` and the credential: the same in every process of the host."""
    key = hashlib.pbkdf2_hmac("sha256", f"{base_url}\0{material}".encode(), _SALT, _ITERATIONS)
    return key.hex()[:40]


def private_folder(folder: str | os.PathLike[str], setting: str = "token_cache_dir") -> Path:
    """``folder``, created with mode 0700 if missing; refuses one that others may write to or enter.

    ``setting`` names where the folder came from, for the error.
    """
    path = Path(folder).expanduser()
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = path.stat()
    if info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise ValueError(
            f"{setting} {str(path)!r} must belong to this user and be closed to others (chmod 700)"
        )
    return path


class HostTokenFile:
    """The token file of one credential in a private folder.

    :param folder: the token cache folder.
    :param base_url: the account's API base URL.
    :param material: the whole credential (API ID and secret), only ever digested.
    :param clock: wall clock (tokens outlive processes, so monotonic clocks do not compare).
    """

    def __init__(
        self,
        folder: str | os.PathLike[str],
        base_url: str,
        material: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.folder = private_folder(folder)
        name = "sendpulse-token-" + credential_digest(base_url, material)
        self.path = self.folder / f"{name}.json"
        self._lock_path = self.folder / f"{name}.lock"
        self._clock = clock
        self.minted = 0

    def __repr__(self) -> str:
        return f"HostTokenFile({str(self.path)!r})"

    def get(self, mint: Callable[[], MintedToken]) -> MintedToken:
        """A fresh token from the file, or one minted with ``mint`` (once per host) and stored."""
        found = self._read()
        if found is not None:
            return found
        with self._locked():
            found = self._read()  # another process may have minted while this one waited
            if found is not None:
                return found
            started = self._clock()
            minted = mint()
            self.minted += 1
            self._write(minted, started)
            return minted

    def invalidate(self, value: str) -> None:
        """Delete the file if it holds ``value`` (SendPulse refused it).

        Takes no lock (it may run on an event loop): at worst it deletes a token another process has
        just stored, which costs one extra mint.
        """
        if self._stored_value() == value:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def _load(self) -> dict[str, Any] | None:
        """The file's content if it is ours, private and well-formed; else None."""
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            return None
        with os.fdopen(fd, "rb") as f:
            info = os.fstat(f.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
                log.warning("Ignoring SendPulse token file %s: not private to this user", self.path)
                return None
            try:
                data = json.loads(f.read(65536))
            except ValueError:
                return None
        ok = (
            isinstance(data, dict)
            and isinstance(data.get("access_token"), str)
            and isinstance(data.get("expires_at"), int | float)
            and isinstance(data.get("renew_at"), int | float)
        )
        return data if ok else None

    def _stored_value(self) -> str | None:
        data = self._load()
        return None if data is None else str(data["access_token"])

    def _read(self) -> MintedToken | None:
        """The stored token while it is not due for renewal, with its remaining lifetime."""
        data = self._load()
        if data is None:
            return None
        now = self._clock()
        if now >= float(data["renew_at"]):
            return None
        return MintedToken(str(data["access_token"]), float(data["expires_at"]) - now)

    def _write(self, minted: MintedToken, started: float) -> None:
        """Store ``minted`` atomically (temporary file in the folder, then rename)."""
        lifetime = minted.expires_in if minted.expires_in > 0 else DEFAULT_EXPIRES_IN
        body = json.dumps(
            {
                "access_token": minted.access_token,
                "expires_at": started + lifetime,
                "renew_at": started + lifetime - renewal_lead(lifetime),
            }
        ).encode()
        fd, temporary = tempfile.mkstemp(dir=self.folder, prefix=".sendpulse-token-", suffix=".tmp")
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(body)
                f.flush()
                os.fsync(f.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise


_files: dict[tuple[str, str, str], HostTokenFile] = {}
_files_lock = threading.Lock()


def host_token_file(folder: str, base_url: str, client_id: str, client_secret: str) -> HostTokenFile:
    """The token file of a credential in ``folder`` (one object per process, digest computed once)."""
    material = f"id\0{client_id}\0{client_secret}"
    key = (folder, base_url, hashlib.sha256(material.encode()).hexdigest())
    with _files_lock:
        found = _files.get(key)
        if found is None:
            found = _files[key] = HostTokenFile(folder, base_url, material)
        return found


def reset_host_token_files() -> None:
    """Forget this process's token file objects (for tests); the files stay."""
    with _files_lock:
        _files.clear()
