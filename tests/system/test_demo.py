"""`make demo` runs every example DAG to success against the emulator and reports what happened."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from airflow_stack import ROOT
from wire_audit import collect

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(900)]


def test_demo_runs_every_example_dag(tmp_path: Path) -> None:
    request_log = tmp_path / "requests.json"
    env = {
        **os.environ,
        "SENDPULSE_DEMO_HOME": str(tmp_path / "demo"),
        "SENDPULSE_DEMO_REQUEST_LOG": str(request_log),
    }
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "demo.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=840,
        check=False,
    )
    output = result.stdout
    assert result.returncode == 0, output[-3000:] + result.stderr[-3000:]
    assert "Mailing list #" in output
    assert ": 20 contacts" in output
    assert "still 20 contacts" in output
    assert "13 (creating (copying addresses)) -> 14 (queued) -> 2 (sending) -> 3 (sent)" in output
    assert "Welcome SMS sent: 2 (one per new subscriber with a phone)" in output
    assert "it greeted 4 new subscribers" in output
    assert "success; the bot sent 1 reply to the customer" in output
    assert "0 rate-limit answers" in output
    collect(json.loads(request_log.read_text()))  # the demo's emulator ran in its process
