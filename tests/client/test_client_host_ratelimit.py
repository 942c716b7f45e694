"""The limiter state shared by the processes of one host through a locked file."""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from pathlib import Path

import pytest

from airflow_provider_sendpulse.client import host_ratelimit, ratelimit
from airflow_provider_sendpulse.client.core import ClientConfig, account_limiter
from airflow_provider_sendpulse.client.host_ratelimit import HostState, default_folder
from airflow_provider_sendpulse.client.ratelimit import ProcessState, RateLimiter, rate_limiter_for

ACCOUNT = ("https://api.sendpulse.com", "client-id")


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _limiter(folder: Path, clock: FakeClock, rate: float = 10) -> RateLimiter:
    """One process's limiter of ``ACCOUNT`` (each has its own open file, as separate processes do)."""
    return RateLimiter(
        rate, headroom=0.0, clock=clock, rng=lambda: 0.5, store=HostState(ACCOUNT, folder, clock)
    )


def test_limiters_sharing_the_file_book_one_sequence_of_slots(tmp_path: Path) -> None:
    clock = FakeClock()
    first, second = _limiter(tmp_path, clock), _limiter(tmp_path, clock)
    waits = [limiter.reserve() for _ in range(5) for limiter in (first, second)]
    # Ten bookings at once from two "processes", one sequence: slots 0.1 s apart, and wider once a
    # booked slot lies ahead (queued callers).
    assert waits[:3] == pytest.approx([0.0, 0.1, 0.2])
    assert waits[-1] == pytest.approx(0.2 + 7 * 0.1 * (1 + ratelimit.QUEUED_HEADROOM))


def test_behind_another_process_the_queue_spacing_is_narrower(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FakeClock()
    first, second = _limiter(tmp_path, clock), _limiter(tmp_path, clock)
    monkeypatch.setattr(ratelimit.os, "getpid", lambda: 101)
    assert [first.reserve(), first.reserve()] == pytest.approx([0.0, 0.1])
    monkeypatch.setattr(ratelimit.os, "getpid", lambda: 202)
    behind_other = second.reserve()  # the slot ahead (0.1 s) is the other process's
    behind_own = second.reserve()  # the slot ahead is now this process's own
    assert behind_other == pytest.approx(0.2)
    assert behind_own == pytest.approx(0.2 + 0.1 * (1 + ratelimit.OTHER_PROCESS_HEADROOM))
    assert second.reserve() == pytest.approx(behind_own + 0.1 * (1 + ratelimit.QUEUED_HEADROOM))


def test_a_refusal_heard_by_one_slows_every_process_of_the_host(tmp_path: Path) -> None:
    clock = FakeClock()
    first, second = _limiter(tmp_path, clock), _limiter(tmp_path, clock)
    for _ in range(10):
        clock.now += first.reserve()
        clock.now += 0.01
    first.refused(None)
    assert second.current_rate == pytest.approx(first.current_rate)
    assert second.current_rate < 10
    assert (first.refusals, second.refusals) == (1, 0)


def test_the_file_holds_times_and_rates_only_and_is_private(tmp_path: Path) -> None:
    clock = FakeClock()
    limiter = _limiter(tmp_path / "state", clock)
    limiter.reserve()
    limiter.reserve()
    store = limiter.store
    assert isinstance(store, HostState)
    assert store.shared
    record = store.path.read_bytes()
    assert len(record) == host_ratelimit.SIZE
    assert b"client-id" not in record
    assert "client-id" not in store.path.name
    state = host_ratelimit.unpack(record)
    assert state is not None
    assert state.slots == [1000.0, 1000.1]
    assert state.last_booker == os.getpid()
    assert os.stat(store.path).st_mode & 0o777 == 0o600
    assert os.stat(store.path.parent).st_mode & 0o777 == 0o700


def test_slots_remembered_are_capped() -> None:
    clock = FakeClock()
    limiter = RateLimiter(1000, clock=clock)
    for _ in range(200):
        limiter.reserve()
    with limiter.store.locked(lambda: pytest.fail("state expected")) as state:
        assert len(state.slots) == ratelimit.SLOT_MEMORY
    state.current = 5.0
    assert host_ratelimit.unpack(host_ratelimit.pack(state)) == state


@pytest.mark.parametrize(
    "content",
    [b"", b"not a record", b"\0" * 4096, b"XXXX0001" + bytes(host_ratelimit.SIZE)],
    ids=["empty", "text", "zeros", "foreign"],
)
def test_an_unreadable_file_starts_afresh(tmp_path: Path, content: bytes) -> None:
    clock = FakeClock()
    tmp_path.chmod(0o700)
    store = HostState(ACCOUNT, tmp_path, clock)
    store.path.write_bytes(content)
    limiter = RateLimiter(10, clock=clock, store=store)
    assert limiter.reserve() == 0
    assert limiter.current_rate == 10
    assert host_ratelimit.unpack(store.path.read_bytes()[: host_ratelimit.SIZE]) is not None


def test_a_state_from_before_a_reboot_is_dropped(tmp_path: Path) -> None:
    clock = FakeClock(now=50_000.0)
    limiter = _limiter(tmp_path, clock)
    limiter.reserve()
    limiter.refused(None)
    rebooted = FakeClock(now=10.0)  # the monotonic clock restarted; the file stayed
    after = _limiter(tmp_path, rebooted)
    assert after.reserve() == 0
    assert after.current_rate == 10


def test_a_folder_others_may_enter_falls_back_to_this_process(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    tmp_path.chmod(0o777)
    clock = FakeClock()
    limiter = _limiter(tmp_path, clock)
    with caplog.at_level(logging.WARNING):
        assert limiter.reserve() == 0
        assert limiter.reserve() == pytest.approx(0.1)  # still paced, in memory
    store = limiter.store
    assert isinstance(store, HostState)
    assert not store.shared
    assert not store.path.exists()
    assert "paces itself alone" in caplog.text


def test_clear_deletes_the_file_and_starts_afresh(tmp_path: Path) -> None:
    clock = FakeClock()
    limiter = _limiter(tmp_path, clock)
    limiter.reserve()
    limiter.refused(None)
    limiter.store.clear()
    assert limiter.current_rate == 10
    assert limiter.reserve() == 0


def test_the_setting_chooses_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", None)  # re-read TMPDIR
    base = {"base_url": "https://api.sendpulse.com", "client_id": "id", "client_secret": "secret"}
    default = account_limiter(ClientConfig(**base))
    host = account_limiter(ClientConfig(**base, rate_limit_store="host"))
    alone = account_limiter(ClientConfig(**base, rate_limit_store="process"))
    assert isinstance(default, RateLimiter)
    assert default is host
    assert isinstance(default.store, HostState)
    assert default.store.path.parent == host_ratelimit.default_folder()  # the session's (conftest)
    mine = f"airflow-provider-sendpulse-{os.getuid()}"
    assert default_folder(shm=tmp_path / "no-shm") == tmp_path / mine  # TMPDIR's
    (tmp_path / "shm").mkdir()
    assert default_folder(shm=tmp_path / "shm") == tmp_path / "shm" / mine
    assert isinstance(alone, RateLimiter)
    assert isinstance(alone.store, ProcessState)
    with pytest.raises(ValueError, match="host, process or a Redis URL"):
        account_limiter(ClientConfig(**base, rate_limit_store="memcached://cache:11211"))


def _book(
    folder: str, count: int, ready: multiprocessing.synchronize.Event, out: multiprocessing.Queue
) -> None:
    """A separate process booking ``count`` slots of the shared account and sending at each."""
    os.environ["TMPDIR"] = folder
    limiter = rate_limiter_for(ACCOUNT, 20)
    ready.wait()
    sent = []
    for _ in range(count):
        limiter.acquire()
        sent.append(time.monotonic())  # one clock for every process of the host
    out.put(sent)


def test_processes_of_one_host_stay_under_the_rate_together(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    out = context.Queue()
    processes = [context.Process(target=_book, args=(str(tmp_path), 12, ready, out)) for _ in range(3)]
    for process in processes:
        process.start()
    ready.set()
    sent = sorted(t for _ in processes for t in out.get(timeout=60))
    for process in processes:
        process.join(timeout=30)
    assert len(sent) == 36
    # Times are taken just after each send was allowed, a little late on a busy machine: count over
    # 0.9 s so that such lateness does not look like a 21st request in a second.
    in_any_window = max(sum(1 for t in sent if start <= t < start + 0.9) for start in sent)
    assert in_any_window <= 20
    assert sent[-1] - sent[0] >= 35 / 20  # three processes paced as one sender at 20/s
