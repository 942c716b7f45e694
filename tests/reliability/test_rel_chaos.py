"""The chaos run: the workflow under 20% random faults ends in the same state as without faults.

``SENDPULSE_CHAOS_CONTACTS`` sets the import size (default 20,000; the published figures use 100,000),
``SENDPULSE_CHAOS_SEED`` the seed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from rel_chaos import NEW_SUBSCRIBERS, expected_fault_share, run_workflow, summary

from airflow_provider_sendpulse.emulator.control import EmulatorControl

CONTACTS = int(os.environ.get("SENDPULSE_CHAOS_CONTACTS", "20000"))
SEED = int(os.environ.get("SENDPULSE_CHAOS_SEED", "20261127"))
RUNS = int(os.environ.get("SENDPULSE_CHAOS_RUNS", "5"))
RATE = 0.2


@pytest.mark.slow
def test_chaos_run_ends_like_the_fault_free_run(
    emulator: EmulatorControl,
    rel_conn: str,
    tmp_path: Path,
    variables: dict[str, Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    clean = run_workflow(emulator, rel_conn, tmp_path, CONTACTS)
    assert clean.faults == 0
    assert clean.task_retries == 0
    totals = {"requests": 0, "faults": 0, "task_retries": 0}
    for seed in range(SEED, SEED + RUNS):
        emulator.reset()
        variables.clear()  # the sensor's cursor belongs to the previous run's account
        chaos = run_workflow(emulator, rel_conn, tmp_path, CONTACTS, seed=seed, rate=RATE, expire_every=0.25)

        assert chaos.state == clean.state
        assert (
            chaos.detected == clean.detected == [f"newcomer{n}@example.com" for n in range(NEW_SUBSCRIBERS)]
        )
        [book] = chaos.state["lists"]
        assert book[1] == CONTACTS + NEW_SUBSCRIBERS
        assert len(chaos.state["campaigns"]) == 1
        assert chaos.token_expiries >= 1
        figures = summary(chaos, clean)
        assert figures["final_state_equal"]
        for key in totals:
            totals[key] += getattr(chaos, key)
        with capsys.disabled():
            print("\nchaos run:", json.dumps(figures))
    low, high = expected_fault_share(RATE)
    assert low <= totals["faults"] / totals["requests"] <= high
