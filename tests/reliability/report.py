"""Rewrite docs/reliability.md: ``python -m tests.reliability.report [--chaos] [--contacts N] [--runs K]``.

Without ``--chaos`` the matrix and catalogue tables are regenerated and the chaos figures kept; with it the
chaos run is repeated against a private emulator (``--contacts 100000`` for the published size).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

# The reliability helpers import each other and the shared test fakes as top-level modules, as pytest does.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import rel_docs


def _chaos(contacts: int, seed: int, runs: int) -> list[dict[str, Any]]:
    from conftest import REL_CONN_ID, connection
    from rel_chaos import run_workflow, summary

    from airflow_provider_sendpulse.client.auth import reset_token_caches
    from airflow_provider_sendpulse.client.core import ClientConfig
    from airflow_provider_sendpulse.emulator import run_emulator
    from airflow_provider_sendpulse.emulator.control import EmulatorControl
    from airflow_provider_sendpulse.hooks import sendpulse as hook_module
    from airflow_provider_sendpulse.sensors import cursor_store
    from airflow_provider_sendpulse.sensors.cursor_store import SensorState

    store: dict[str, Any] = {}
    cursor_store.load = lambda key: SensorState.from_json(store.get(key))  # type: ignore[assignment]
    cursor_store.save = lambda key, state: store.__setitem__(key, state.to_json())  # type: ignore[assignment]
    read = hook_module.client_config

    def quick(**kwargs: Any) -> ClientConfig:
        return dataclasses.replace(read(**kwargs), retry_initial_wait=0.005, retry_max_wait=0.02)

    hook_module.client_config = quick  # type: ignore[assignment]

    figures = []
    with (
        run_emulator(rate_limit=0, campaign_limits=False) as url,
        EmulatorControl(url) as emulator,
        tempfile.TemporaryDirectory() as tmp,
    ):
        os.environ[f"AIRFLOW_CONN_{REL_CONN_ID.upper()}"] = json.dumps(connection(url))
        emulator.reset()
        clean = run_workflow(emulator, REL_CONN_ID, Path(tmp), contacts)
        for run_seed in range(seed, seed + runs):
            emulator.reset()
            store.clear()
            reset_token_caches()
            chaos = run_workflow(
                emulator, REL_CONN_ID, Path(tmp), contacts, seed=run_seed, rate=0.2, expire_every=0.25
            )
            figures.append(summary(chaos, clean))
            print(json.dumps(figures[-1]), file=sys.stderr)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chaos", action="store_true", help="run the chaos workflow and publish its figures")
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    chaos = None
    if args.chaos:
        figures = _chaos(args.contacts, args.seed, args.runs)
        command = (
            f"python -m tests.reliability.report --chaos --contacts {args.contacts} --seed {args.seed} "
            f"--runs {args.runs}"
        )
        chaos = rel_docs.render_chaos(figures, command)
        if not all(f["final_state_equal"] for f in figures):
            rel_docs.write(chaos)
            print("final state differs from the fault-free run", file=sys.stderr)
            return 1
    print(rel_docs.write(chaos))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
