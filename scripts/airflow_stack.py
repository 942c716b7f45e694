"""Start real Airflow processes (scheduler, triggerer, DAG processor, API server) on SQLite for tests."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

AIRFLOW = str(Path(sys.executable).with_name("airflow"))
COMPONENTS = ("scheduler", "triggerer", "dag-processor", "api-server")
ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_DAGS = ROOT / "example_dags"


def emulator_connection_env(url: str, poll_interval: float) -> dict[str, str]:
    """Point ``sendpulse_default`` at the emulator and shorten the default poll intervals.

    Configuration, not DAG edits: ``[sendpulse] default_poll_interval`` and
    ``default_campaign_poll_interval``.
    """
    from airflow_provider_sendpulse.emulator.control import airflow_connection

    return {
        "AIRFLOW_CONN_SENDPULSE_DEFAULT": json.dumps(airflow_connection(url)),
        "AIRFLOW__SENDPULSE__DEFAULT_POLL_INTERVAL": str(poll_interval),
        "AIRFLOW__SENDPULSE__DEFAULT_CAMPAIGN_POLL_INTERVAL": str(poll_interval),
    }


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def airflow_env(home: Path, dags_folder: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Environment for an isolated Airflow on SQLite in ``home`` that listens on loopback only."""
    api_port = free_port()
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__PARALLELISM": "4",
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(api_port),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "2",
        "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "5",
        "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "1",
        "AIRFLOW__TRIGGERER__JOB_HEARTBEAT_SEC": "1",
    }
    env.update(extra or {})
    return env


@dataclass
class AirflowStack:
    """Handle on a running set of Airflow processes."""

    home: Path
    env: dict[str, str]
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def cli(self, *args: str, timeout: float = 120) -> str:
        """Run an ``airflow`` CLI command against this stack and return its standard output."""
        result = subprocess.run(
            [AIRFLOW, *args], env=self.env, capture_output=True, text=True, timeout=timeout, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(f"airflow {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """Read the metadata database directly."""
        with sqlite3.connect(self.home / "airflow.db") as db:
            return db.execute(sql, params).fetchall()

    def wait_for_dag(self, dag_id: str, timeout: float = 180) -> None:
        """Wait until the DAG processor has serialized ``dag_id``; fail with its import error otherwise."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.query("SELECT 1 FROM serialized_dag WHERE dag_id = ?", dag_id):
                return
            time.sleep(1)
        errors = self.query("SELECT filename, stacktrace FROM import_error")
        raise TimeoutError(f"DAG {dag_id} was not parsed in {timeout} s; import errors: {errors}")

    def trigger(self, dag_id: str, conf: Mapping[str, Any] | None = None) -> str:
        """Unpause and trigger ``dag_id``; return the run id."""
        self.cli("dags", "unpause", dag_id)
        self.cli("dags", "trigger", dag_id, "--conf", json.dumps(dict(conf or {})), "--output", "json")
        (run_id,) = self.query("SELECT run_id FROM dag_run WHERE dag_id = ?", dag_id)[-1:]
        return str(run_id[0])

    def wait_for_run(self, dag_id: str, run_id: str, timeout: float = 300) -> str:
        """Wait until the run leaves the running states; return its final state."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            (state,) = self.query(
                "SELECT state FROM dag_run WHERE dag_id = ? AND run_id = ?", dag_id, run_id
            )[0]
            if state in ("success", "failed"):
                return str(state)
            self._check_alive()
            time.sleep(1)
        raise TimeoutError(f"run {run_id} of {dag_id} did not finish in {timeout} s")

    def task_events(self, dag_id: str, run_id: str) -> list[tuple[str, str]]:
        """(task_id, event) rows Airflow logged for the run, in order: running, deferred, success, ..."""
        rows = self.query(
            "SELECT task_id, event FROM log"
            " WHERE dag_id = ? AND run_id = ? AND task_id IS NOT NULL ORDER BY id",
            dag_id,
            run_id,
        )
        return [(str(task), str(event)) for task, event in rows]

    def task_log(self, dag_id: str, run_id: str, task_id: str, suffix: str = "") -> str:
        """The concatenated task (or, with ``suffix='.trigger'``, trigger) logs of all attempts."""
        folder = self.home / "logs" / f"dag_id={dag_id}" / f"run_id={run_id}" / f"task_id={task_id}"
        files = sorted(p for p in folder.glob("attempt=*.log*") if (".trigger" in p.name) == bool(suffix))
        return "\n".join(p.read_text(errors="replace") for p in files)

    def _check_alive(self) -> None:
        dead = {name: proc.returncode for name, proc in self.processes.items() if proc.poll() is not None}
        if dead:
            raise RuntimeError(f"Airflow components exited: {dead}; see logs in {self.home}")


@contextmanager
def airflow_stack(
    home: Path, dags_folder: Path, extra_env: Mapping[str, str] | None = None
) -> Iterator[AirflowStack]:
    """Migrate a fresh SQLite metadata DB in ``home``, start every component, stop them all on exit."""
    stack = AirflowStack(home=home, env=airflow_env(home, dags_folder, extra_env))
    stack.cli("db", "migrate", timeout=300)
    try:
        for component in COMPONENTS:
            log = (home / f"{component}.log").open("wb")
            stack.processes[component] = subprocess.Popen(
                [AIRFLOW, component],
                env=stack.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        yield stack
    finally:
        _stop(stack.processes.values())


def _stop(processes: Any) -> None:
    procs = list(processes)
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + 30
    for proc in procs:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
