"""Shared fixtures: one SendPulse emulator per test session, reset before each test that uses it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# Airflow reads AIRFLOW_HOME on first import: keep the tests' configuration and files out of ~/airflow.
os.environ["AIRFLOW_HOME"] = tempfile.mkdtemp(prefix="sendpulse-tests-airflow-home-")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
# A Fernet key, as every Airflow deployment has one: the event sensor seals its delivered batch with it.
os.environ.setdefault("AIRFLOW__CORE__FERNET_KEY", "jLiGbh53yXtDhQvs3wOUhyqq0yGj6oJKCNXKJkR6W8o=")

from account_zone import EMULATOR_TIMEZONE, emulator_connection
from wire_audit import PENDING, WireAudit, collect

from airflow_provider_sendpulse.client.auth import reset_token_caches
from airflow_provider_sendpulse.client.ratelimit import reset_rate_limiters
from airflow_provider_sendpulse.emulator import run_emulator
from airflow_provider_sendpulse.emulator.app import Emulator
from airflow_provider_sendpulse.emulator.control import EmulatorControl
from airflow_provider_sendpulse.emulator.frontdoor import RequestLog
from airflow_provider_sendpulse.sensors import cursor_store
from airflow_provider_sendpulse.sensors.cursor_store import SensorState


@pytest.fixture(scope="session")
def emulator_url() -> Iterator[str]:
    """Base URL of a session-wide emulator with the rate limit and the campaign limits off."""
    with run_emulator(rate_limit=0, campaign_limits=False, timezone=EMULATOR_TIMEZONE) as url:
        yield url


@pytest.fixture(scope="session")
def _emulator_control(emulator_url: str) -> Iterator[EmulatorControl]:
    with EmulatorControl(emulator_url) as control:
        yield control


@pytest.fixture
def emulator(_emulator_control: EmulatorControl) -> EmulatorControl:
    """The session emulator, reset (state, faults, settings, request log, clock); `.url` is its base URL."""
    _emulator_control.reset()
    return _emulator_control


@pytest.fixture
def sendpulse_conn(emulator: EmulatorControl, monkeypatch: pytest.MonkeyPatch) -> str:
    """An Airflow connection `sendpulse_default` pointing at the emulator with the default credentials."""
    monkeypatch.setenv("AIRFLOW_CONN_SENDPULSE_DEFAULT", json.dumps(emulator_connection(emulator.url)))
    return "sendpulse_default"


@pytest.fixture(scope="session", autouse=True)
def _private_rate_limit_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Host-shared limiter state of this test session in its own folder: two suites running at once on
    one machine (say, on two Airflow versions) must not pace each other's tests."""
    from airflow_provider_sendpulse.client import host_ratelimit

    folder = tmp_path_factory.mktemp("ratelimit")
    folder.chmod(0o700)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(host_ratelimit, "default_folder", lambda: folder)
        yield


@pytest.fixture(autouse=True)
def _fresh_client_state() -> Iterator[None]:
    """Every test starts without cached tokens or rate limiters (they are process-wide by design)."""
    reset_token_caches()
    reset_rate_limiters()
    yield
    reset_token_caches()
    reset_rate_limiters()


@pytest.fixture(scope="session")
def dag_test_env(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path], dict[str, str]]:
    """Make an Airflow home with a migrated SQLite database and ``dag_file`` in its DAGs folder.

    Returns the environment for running ``dag.test()`` there in a subprocess.
    """

    def make(dag_file: Path) -> dict[str, str]:
        home = tmp_path_factory.mktemp("airflow-home")
        dags = home / "dags"
        dags.mkdir()
        shutil.copy(dag_file, dags / dag_file.name)
        env = {
            **os.environ,
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__UNIT_TEST_MODE": "True",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
        }
        airflow = Path(sys.executable).with_name("airflow")
        subprocess.run([str(airflow), "db", "migrate"], env=env, check=True, capture_output=True, timeout=240)
        return env

    return make


@pytest.fixture
def variables(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Airflow Variables as a dict: where the event sensor's ``cursor_store`` reads and writes cursors."""
    store: dict[str, Any] = {}

    def load(key: str) -> SensorState:
        return SensorState.from_json(store.get(key))

    def save(key: str, state: SensorState) -> None:
        store[key] = state.to_json()

    monkeypatch.setattr(cursor_store, "load", load)
    monkeypatch.setattr(cursor_store, "save", save)
    return store


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip ``stress`` tests unless SENDPULSE_STRESS=1: they can time out on a busy 2-core machine."""
    if os.environ.get("SENDPULSE_STRESS") == "1":
        return
    skip = pytest.mark.skip(reason="stress test: set SENDPULSE_STRESS=1 to run it")
    for item in items:
        if "stress" in item.keywords:
            item.add_marker(skip)


# --- the wire-format audit -----------------------------------------------------------------------
# Every in-process emulator records request bodies. Its request log is collected whenever it is cleared
# and after every test, and checked (tests/wire_audit.py) after the test, outside its timing. The
# emulator's own tests send malformed requests on purpose and are not audited.

WIRE_AUDIT = WireAudit()
_EMULATORS: list[Emulator] = []
_current_test: list[str] = ["(session)"]
_exempt: list[bool] = [False]
_original_init = Emulator.__init__
_original_clear = RequestLog.clear


def _collect(log: RequestLog) -> None:
    if not _exempt[0] and not _current_test[0].startswith("tests/emulator/"):
        collect(log.entries())


def _recording_init(self: Emulator, *args: Any, **kwargs: Any) -> None:
    _original_init(self, *args, **kwargs)
    self.initial_config.record_bodies = True
    self.config.record_bodies = True
    _EMULATORS.append(self)


def _collecting_clear(self: RequestLog) -> None:
    _collect(self)
    _original_clear(self)


Emulator.__init__ = _recording_init  # type: ignore[method-assign]
RequestLog.clear = _collecting_clear  # type: ignore[method-assign]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    """Attribute requests to the test that sends them (``wire_exempt`` tests send bad ones on purpose)."""
    _current_test[0] = item.nodeid
    _exempt[0] = item.get_closest_marker("wire_exempt") is not None
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Fail the test whose requests break SendPulse's wire conventions, naming request and rule."""
    try:
        return (yield)
    finally:
        for emulator in _EMULATORS:
            emulator.requests.clear()
        entries = list(PENDING)
        PENDING.clear()
        found = list(dict.fromkeys(WIRE_AUDIT.audit(entries)))
        if found:
            shown = "\n  ".join(found[:20])
            raise AssertionError(f"{len(found)} request(s) break SendPulse's wire conventions:\n  {shown}")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Report how much of the wire the audit saw."""
    if WIRE_AUDIT.requests:
        terminalreporter.write_line(WIRE_AUDIT.summary())
