"""No credential anywhere: logs, output, XComs, results, trigger kwargs, errors, the emulator's request log.

An emulator with recognisable credentials runs every matrix scenario without faults and a selection with
faults, with all loggers at DEBUG. Everything the scenarios left behind is then searched for the client
secret, the API key and every access token the emulator issued. Error messages are also searched for
subscriber emails and phone numbers: a message may name the one contact in question, no other.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from airflow.providers.common.compat.sdk import TaskDeferred
from rel_context import TYPED_ERRORS, make_context
from rel_matrix import FAULTS, TARGETS, Env

from airflow_provider_sendpulse.client.auth import reset_token_caches
from airflow_provider_sendpulse.client.errors import SendPulseError
from airflow_provider_sendpulse.emulator import run_emulator
from airflow_provider_sendpulse.emulator.control import EmulatorControl
from airflow_provider_sendpulse.hooks.sendpulse import SendPulseHook
from airflow_provider_sendpulse.sensors.events import SendPulseEventSensor

CLIENT_ID = "rel-client-id"
CLIENT_SECRET = "SECRET-c1i3nt-7Qx9vL2mPz"
API_KEY = "APIKEY-k3y-Wn4sR8tYb6"
FAULTED = ["expired", "revoked", "500", "lost", "malformed", "html", "slow"]
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
PHONE = re.compile(r"\b380\d{9}\b")
DAG_FILE = Path(__file__).parent / "dags" / "rel_secrets_dag.py"
AIRFLOW_MASK_DEBUG = "msg=MaskSecret(value="


@pytest.fixture(scope="module")
def _secret_server() -> Iterator[EmulatorControl]:
    with (
        run_emulator(
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            api_key=API_KEY,
            rate_limit=0,
            campaign_limits=False,
        ) as url,
        EmulatorControl(url) as control,
    ):
        yield control


@pytest.fixture
def secret_emulator(_secret_server: EmulatorControl) -> EmulatorControl:
    _secret_server.reset()
    return _secret_server


def _conn(monkeypatch: pytest.MonkeyPatch, url: str, name: str, *, api_key: bool) -> str:
    connection: dict[str, Any] = {
        "conn_type": "sendpulse",
        "host": url,
        "extra": {"timeout": 0.5, "max_retries": 3, "max_requests_per_second": 1000},
    }
    if api_key:
        connection["extra"]["api_key"] = API_KEY
    else:
        connection.update(login=CLIENT_ID, password=CLIENT_SECRET)
    monkeypatch.setenv(f"AIRFLOW_CONN_{name.upper()}", json.dumps(connection))
    return name


class Evidence:
    """Everything the scenarios produced that a user or an operator could ever see."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.errors: list[BaseException] = []

    def add(self, label: str, value: Any) -> None:
        self.texts.append(f"{label}: {json.dumps(value, default=repr, sort_keys=True)}")

    def add_error(self, error: BaseException) -> None:
        self.errors.append(error)
        self.texts.append("".join(traceback.format_exception(error)))
        self.texts.append(repr(error))


def _run_scenario(env: Env, target: str, fault: str | None, evidence: Evidence) -> None:
    case = TARGETS[target]
    case.setup(env)
    env.hook().get_user_info()
    if fault is not None:
        FAULTS[fault].inject(env.emulator, case.method, case.path)
    run = case.run(env)
    evidence.add(f"{target}/{fault} result", run.result)
    for context in run.contexts:
        evidence.add(f"{target}/{fault} xcom", context["ti"].xcoms)
        evidence.add(f"{target}/{fault} task state", context["task_state_store"].data)
    evidence.add(f"{target}/{fault} data", env.data)
    for error in run.errors:
        evidence.add_error(error)
    env.emulator.clear_faults()


def _trigger_kwargs(env: Env, evidence: Evidence) -> None:
    list_id = env.emulator.create_list("Deferred")
    env.emulator.seed_contacts(list_id, 3)
    sensor = SendPulseEventSensor(
        task_id="sense",
        event_type="new_subscriber",
        list_id=list_id,
        sendpulse_conn_id=env.conn,
        timeout=60,
        deferrable=True,
    )
    with pytest.raises(TaskDeferred) as deferred:
        sensor.execute(make_context("sense"))
    evidence.add("trigger", deferred.value.trigger.serialize())
    evidence.add("deferral kwargs", deferred.value.kwargs)


def _scan(evidence: Evidence, secrets: list[str]) -> list[str]:
    needles = {s for secret in secrets for s in (secret, quote(secret, safe=""))}
    hits = []
    for text in evidence.texts:
        for needle in needles:
            at = text.find(needle)
            if at >= 0:
                hits.append(f"{needle[:6]}... in ...{text[max(at - 300, 0) : at + 40]!r}")
    return hits


@pytest.mark.slow
@pytest.mark.parametrize("auth", ["client_credentials", "api_key"])
def test_no_secret_anywhere(
    secret_emulator: EmulatorControl,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    variables: dict[str, Any],
    auth: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    conn = _conn(monkeypatch, secret_emulator.url, "sendpulse_secret", api_key=auth == "api_key")
    evidence = Evidence()
    cases: list[tuple[str, str | None]] = [(target, None) for target in sorted(TARGETS)]
    cases += [
        (target, fault) for target in ("add_contacts", "create_campaign", "send_sms") for fault in FAULTED
    ]
    cases += [("event_sensor", "expired"), ("campaign_trigger", "expired"), ("campaign_trigger", "revoked")]
    for n, (target, fault) in enumerate(cases):
        secret_emulator.reset()
        reset_token_caches()
        variables.clear()
        _run_scenario(Env(secret_emulator, conn, tmp_path / str(n), {}), target, fault, evidence)
        evidence.add("requests", secret_emulator.requests())
        evidence.add("emulator state", secret_emulator.state())
    _trigger_kwargs(Env(secret_emulator, conn, tmp_path, {}), evidence)
    evidence.add("hook", repr(SendPulseHook(conn).get_conn()))
    evidence.add("config", repr(SendPulseHook(conn).get_client_config()))
    captured = capfd.readouterr()
    evidence.texts += [captured.out, captured.err]
    evidence.texts += [record.getMessage() for record in caplog.records]
    evidence.texts += [str(record.args) for record in caplog.records]

    tokens = secret_emulator.issued_tokens()
    if auth == "client_credentials":
        assert tokens, "no token was minted: the scan proves nothing"
    assert len(caplog.records) > 100
    assert evidence.errors, "no scenario failed: the error messages were not scanned"
    assert _scan(evidence, [CLIENT_SECRET, API_KEY, *tokens]) == []


def test_the_scan_finds_a_leak() -> None:
    evidence = Evidence()
    evidence.add("xcom", {"token": "abc-SECRET-c1i3nt-7Qx9vL2mPz"})
    evidence.add_error(SendPulseError(f"bad key {quote(API_KEY)}"))
    assert len(_scan(evidence, [CLIENT_SECRET, API_KEY])) == 3  # the xcom, the traceback, the repr


@pytest.mark.slow
def test_errors_name_no_other_subscriber(
    emulator: EmulatorControl, rel_conn: str, tmp_path: Path, variables: dict[str, Any]
) -> None:
    """Failing imports, sends and lookups: messages carry no email or phone but the one in question."""
    messages: list[tuple[str, set[str]]] = []
    for target in ("add_contacts", "send_sms", "remove_contacts", "unsubscribe", "export", "add_phones"):
        for fault in ("revoked", "429", "malformed", "html"):
            emulator.reset()
            variables.clear()
            case = TARGETS[target]
            env = Env(emulator, rel_conn, tmp_path / f"{target}-{fault}", {})
            case.setup(env)
            FAULTS[fault].inject(emulator, case.method, case.path)
            for error in case.run(env).errors:
                messages.append((str(error), set()))
    hook = SendPulseHook(rel_conn)
    list_id = emulator.create_list("People")
    emulator.seed_contacts(list_id, 50)
    try:
        hook.get_contact(list_id, "missing@example.com")
    except SendPulseError as error:
        messages.append((str(error), {"missing@example.com"}))
    from airflow_provider_sendpulse.operators import SendPulseAddContactsOperator

    bad = [f"user{n}@example.com" for n in range(30)] + ["not-an-email", "other@"]
    try:
        SendPulseAddContactsOperator(
            task_id="t", sendpulse_conn_id=rel_conn, list_id=list_id, contacts=bad
        ).execute(make_context("t"))
    except TYPED_ERRORS as error:
        messages.append((str(error), set()))
    assert len(messages) > 20
    for message, allowed in messages:
        assert set(EMAIL.findall(message)) <= allowed | {"sender@example.com"}, message
        assert PHONE.findall(message) == [], message


@pytest.mark.slow
@pytest.mark.integration
def test_no_secret_in_a_dag_run(secret_emulator: EmulatorControl, tmp_path: Path) -> None:
    """``dag.test()``: task logs, triggerer output, XComs and the whole metadata database."""
    home = tmp_path / "airflow-home"
    dags = home / "dags"
    dags.mkdir(parents=True)
    dag_file = dags / DAG_FILE.name
    shutil.copy(DAG_FILE, dag_file)
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "True",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "DEBUG",
    }
    airflow = Path(sys.executable).with_name("airflow")
    subprocess.run([str(airflow), "db", "migrate"], env=env, check=True, capture_output=True, timeout=240)
    secret_emulator.configure(campaign_step_seconds=0.2)
    connection = {
        "conn_type": "sendpulse",
        "host": secret_emulator.url,
        "login": CLIENT_ID,
        "password": CLIENT_SECRET,
        "extra": {"timeout": 5, "max_retries": 1},
    }
    done = subprocess.run(
        [sys.executable, str(dag_file)],
        env={**env, "AIRFLOW_CONN_SENDPULSE_DEFAULT": json.dumps(connection)},
        capture_output=True,
        text=True,
        timeout=240,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, f"dag.test() printed no result:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    result = json.loads(lines[-1].removeprefix("RESULT "))
    tasks = result["tasks"]
    assert tasks["missing_campaign"] == "failed", tasks
    assert {state for task, state in tasks.items() if task != "missing_campaign"} == {"success"}, tasks
    assert "SendPulseNotFoundError" in done.stdout + done.stderr
    tokens = secret_emulator.issued_tokens()
    assert tokens
    files = [path for path in home.rglob("*") if path.is_file()]
    assert any(path.name == "airflow.db" for path in files)
    texts = [done.stdout, done.stderr, json.dumps(result)]
    texts += [path.read_bytes().decode("latin-1") for path in files]
    # At DEBUG, Airflow's own task runner logs each value handed to mask_secret() as it forwards it to the
    # supervisor ("Sending request ... msg=MaskSecret(value=...)"). That is Airflow's line, not the
    # provider's; every other line must be clean.
    evidence = Evidence()
    airflow_debug_lines = 0
    for text in texts:
        lines = text.splitlines()
        kept = [line for line in lines if AIRFLOW_MASK_DEBUG not in line]
        airflow_debug_lines += len(lines) - len(kept)
        evidence.texts.append("\n".join(kept))
    assert airflow_debug_lines > 0
    assert _scan(evidence, [CLIENT_SECRET, API_KEY, *tokens]) == []
