"""The fault matrix: every task against every fault; success or a typed error, nothing lost or doubled."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from rel_matrix import EXPECTED, FAULTS, TARGETS, Env, outcome_of

from airflow_provider_sendpulse.emulator.control import EmulatorControl

RECORD = os.environ.get("SENDPULSE_RECORD_MATRIX")
"""Set to a file path to write the observed outcomes there (to review and update EXPECTED)."""


@pytest.mark.slow
@pytest.mark.parametrize("fault", sorted(FAULTS))
@pytest.mark.parametrize("target", sorted(TARGETS))
def test_fault_matrix(
    emulator: EmulatorControl, rel_conn: str, tmp_path: Path, target: str, fault: str
) -> None:
    case = TARGETS[target]
    env = Env(emulator, rel_conn, tmp_path, {})
    case.setup(env)
    env.hook().get_user_info()  # a warm token cache, as in a worker that already ran tasks
    FAULTS[fault].inject(emulator, case.method, case.path)
    run = case.run(env)
    case.check(env, run)
    fired = sum(rule["hits"] for rule in emulator.faults()) + sum(
        1 for r in emulator.requests() if r.get("fault")
    )
    assert fired, "the fault never fired: the target route is wrong"
    outcome = outcome_of(run)
    if RECORD:
        path = Path(RECORD)
        observed = json.loads(path.read_text()) if path.exists() else {}
        observed.setdefault(target, {})[fault] = outcome
        path.write_text(json.dumps(observed, indent=1, sort_keys=True))
    expected = EXPECTED.get(target, {}).get(fault)
    if expected is not None or not RECORD:
        assert outcome == expected, [f"{type(e).__name__}: {e}" for e in run.errors]


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_without_faults_first_try_succeeds(
    emulator: EmulatorControl, rel_conn: str, tmp_path: Path, target: str
) -> None:
    case = TARGETS[target]
    env = Env(emulator, rel_conn, tmp_path, {})
    case.setup(env)
    run = case.run(env)
    case.check(env, run)
    assert outcome_of(run) == "ok", run.errors


def _run_case(emulator: EmulatorControl, conn: str, tmp_path: Path, target: str, fault: str) -> bool:
    case = TARGETS[target]
    env = Env(emulator, conn, tmp_path, {})
    case.setup(env)
    FAULTS[fault].inject(emulator, case.method, case.path)
    run = case.run(env)
    case.check(env, run)
    return run.succeeded


def test_unsubscribe_survives_a_lost_answer(emulator: EmulatorControl, rel_conn: str, tmp_path: Path) -> None:
    assert _run_case(emulator, rel_conn, tmp_path, "unsubscribe", "lost")


def test_delete_survives_a_lost_answer(emulator: EmulatorControl, rel_conn: str, tmp_path: Path) -> None:
    assert _run_case(emulator, rel_conn, tmp_path, "delete_list", "lost")


def test_revoked_credentials_say_what_to_check(
    emulator: EmulatorControl, rel_conn: str, tmp_path: Path
) -> None:
    case = TARGETS["add_contacts"]
    env = Env(emulator, rel_conn, tmp_path, {})
    case.setup(env)
    FAULTS["revoked"].inject(emulator, case.method, case.path)
    run = case.run(env)
    assert not run.succeeded
    assert {str(e) for e in run.errors} == {
        "SendPulse POST /oauth/access_token failed: Client authentication failed (HTTP 401)"
    }
    assert env.book(env.data["list_id"])["total"] == 0
