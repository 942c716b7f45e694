"""The opt-in host token cache: one mint per host, a private file, never the token in logs."""

from __future__ import annotations

import multiprocessing
import os
import stat
from pathlib import Path

import pytest

from airflow_provider_sendpulse.client import ClientConfig, SendPulseClient, api
from airflow_provider_sendpulse.client.auth import MintedToken, reset_token_caches
from airflow_provider_sendpulse.client.token_file import (
    HostTokenFile,
    credential_digest,
    private_folder,
    reset_host_token_files,
)
from airflow_provider_sendpulse.emulator.config import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET

TOKEN_PATH = "/oauth/access_token"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def _file(folder: Path, clock: Clock | None = None, secret: str = "secret") -> HostTokenFile:
    return HostTokenFile(
        folder / "tokens", "https://api.sendpulse.com", f"id\0me\0{secret}", clock or Clock()
    )


def test_second_reader_gets_the_stored_token(tmp_path):
    clock = Clock()
    first, second = _file(tmp_path, clock), _file(tmp_path, clock)
    assert first.get(lambda: MintedToken("tok-1", 3600)).access_token == "tok-1"
    clock.now += 600
    found = second.get(lambda: pytest.fail("minted although a fresh token was stored"))
    assert found.access_token == "tok-1"
    assert found.expires_in == pytest.approx(3000)
    assert (first.minted, second.minted) == (1, 0)


def test_a_token_due_for_renewal_is_minted_again(tmp_path):
    clock = Clock()
    file = _file(tmp_path, clock)
    file.get(lambda: MintedToken("old", 3600))
    clock.now += 3600 - 299  # inside the last five minutes
    assert file.get(lambda: MintedToken("new", 3600)).access_token == "new"


def test_file_and_folder_are_private_and_name_no_credential(tmp_path):
    file = _file(tmp_path)
    file.get(lambda: MintedToken("bearer-XYZ", 3600))
    assert stat.S_IMODE(file.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(file.folder.stat().st_mode) == 0o700
    assert "secret" not in file.path.name
    assert [p.name for p in file.folder.iterdir() if p.suffix == ".tmp"] == []
    assert "bearer-XYZ" not in repr(file)


def test_digest_differs_per_secret_and_is_stable():
    a = credential_digest("https://api.sendpulse.com", "id\0me\0one")
    assert a == credential_digest("https://api.sendpulse.com", "id\0me\0one")
    assert a != credential_digest("https://api.sendpulse.com", "id\0me\0two")
    assert a != credential_digest("http://127.0.0.1:1", "id\0me\0one")


def test_a_file_others_can_read_is_ignored(tmp_path):
    file = _file(tmp_path)
    file.get(lambda: MintedToken("tok", 3600))
    os.chmod(file.path, 0o644)
    assert file.get(lambda: MintedToken("fresh", 3600)).access_token == "fresh"


def test_an_open_folder_is_refused(tmp_path):
    folder = tmp_path / "open"
    folder.mkdir()
    os.chmod(folder, 0o750)  # noqa: S103  (the point: the group may enter)
    with pytest.raises(ValueError, match=r"token_cache_dir .*\(chmod 700\)"):
        private_folder(folder)


def test_a_garbled_file_is_replaced(tmp_path):
    file = _file(tmp_path)
    file.get(lambda: MintedToken("tok", 3600))
    file.path.write_text("{not json")
    assert file.get(lambda: MintedToken("fresh", 3600)).access_token == "fresh"


def test_invalidate_deletes_only_the_refused_token(tmp_path):
    file = _file(tmp_path)
    file.get(lambda: MintedToken("tok", 3600))
    file.invalidate("other")
    assert file.path.exists()
    file.invalidate("tok")
    assert not file.path.exists()


def _mint_in_process(folder: str, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    import time

    file = HostTokenFile(folder, "https://api.sendpulse.com", "id\0me\0secret")

    def mint() -> MintedToken:
        time.sleep(0.2)  # a slow mint: the others must wait on the lock, not mint too
        return MintedToken(f"tok-{os.getpid()}", 3600)

    out.put((file.get(mint).access_token, file.minted))


@pytest.mark.slow
def test_processes_starting_together_mint_once(tmp_path):
    spawn = multiprocessing.get_context("spawn")
    out: multiprocessing.Queue = spawn.Queue()  # type: ignore[type-arg]
    folder = str(tmp_path / "tokens")
    workers = [spawn.Process(target=_mint_in_process, args=(folder, out)) for _ in range(6)]
    for worker in workers:
        worker.start()
    answers = [out.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(10)
    assert len({token for token, _ in answers}) == 1
    assert sum(minted for _, minted in answers) == 1


def test_clients_in_fresh_processes_share_the_token_through_the_file(emulator, tmp_path, caplog):
    config = ClientConfig(
        base_url=emulator.url,
        client_id=DEFAULT_CLIENT_ID,
        client_secret=DEFAULT_CLIENT_SECRET,
        token_cache_dir=str(tmp_path / "tokens"),
    )
    for _ in range(3):
        reset_token_caches()  # as a new task process would start
        reset_host_token_files()
        with SendPulseClient(config) as client:
            client.run(api.get_user_info())
    mints = [r for r in emulator.requests() if r["path"] == TOKEN_PATH]
    assert len(mints) == 1
    token = next(iter((tmp_path / "tokens").glob("*.json"))).read_text()
    assert all(token not in record.getMessage() for record in caplog.records)


def test_a_refused_token_is_dropped_from_the_file_and_reminted(emulator, tmp_path):
    folder = tmp_path / "tokens"
    config = ClientConfig(
        base_url=emulator.url,
        client_id=DEFAULT_CLIENT_ID,
        client_secret=DEFAULT_CLIENT_SECRET,
        token_cache_dir=str(folder),
        retry_initial_wait=0.01,
    )
    with SendPulseClient(config) as client:
        client.run(api.get_user_info())
    emulator.add_fault(method="GET", path="/user/info", times=1, status=401)
    reset_token_caches()
    with SendPulseClient(config) as client:
        client.run(api.get_user_info())
    mints = [r for r in emulator.requests() if r["path"] == TOKEN_PATH]
    assert len(mints) == 2
