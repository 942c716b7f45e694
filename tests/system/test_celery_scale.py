"""On a distributed executor: CeleryExecutor with two Celery workers, a Redis broker, one SendPulse account.

Starts Debian's ``redis-server`` on loopback (broker, result backend and the shared rate limit), the
Airflow components and two ``airflow celery worker`` processes, and runs a DAG of 8 mapped contact
imports plus an event sensor against the emulator (limit 10 requests/s), once with the rate limit
shared through Redis and once with the default limiter (the "adaptive" run: adaptive, its state
shared by the task processes of this host through a file, as both workers run here). Every task must
succeed, every contact land once, and the emulator never see more than 10 requests in a second; with
the shared limiter it must not answer 429 either. The 429 count of the default run is printed.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from airflow_stack import AIRFLOW, airflow_stack, emulator_connection_env

from airflow_provider_sendpulse.emulator import run_emulator
from airflow_provider_sendpulse.emulator.config import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from airflow_provider_sendpulse.emulator.control import EmulatorControl
from tests.redis_server import running_redis

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(900)]
pytest.importorskip("airflow.providers.celery", reason="the celery extra is not installed")

DAGS = Path(__file__).resolve().parent / "celery_dags"
CONTACTS = 1500
SHARDS = 8


def peak_window(times: list[float], window: float = 1.0) -> int:
    ordered = sorted(times)
    best = start = 0
    for end, t in enumerate(ordered):
        while ordered[start] <= t - window:
            start += 1
        best = max(best, end - start + 1)
    return best


def test_mapped_imports_on_two_celery_workers(tmp_path: Path) -> None:
    with running_redis() as redis_url, run_emulator(rate_limit=10) as url, EmulatorControl(url) as emulator:
        base = redis_url.rsplit("/", 1)[0]
        lists = {mode: emulator.create_list(f"celery-{mode}") for mode in ("shared", "adaptive")}
        shared_conn = {
            "conn_type": "sendpulse",
            "host": url,
            "login": DEFAULT_CLIENT_ID,
            "password": DEFAULT_CLIENT_SECRET,
            "extra": {"rate_limit_store": f"{base}/2"},
        }
        env = {
            **emulator_connection_env(url, poll_interval=2),
            "AIRFLOW_CONN_SENDPULSE_SHARED": json.dumps(shared_conn),
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            "AIRFLOW__CORE__PARALLELISM": "16",
            "AIRFLOW__CELERY__BROKER_URL": f"{base}/0",
            "AIRFLOW__CELERY__RESULT_BACKEND": f"redis://{base.split('://', 1)[1]}/1",
            "AIRFLOW__CELERY__WORKER_CONCURRENCY": "4",
            "SENDPULSE_CELERY_CONTACTS": str(CONTACTS),
            "SENDPULSE_CELERY_LIST_SHARED": str(lists["shared"]),
            "SENDPULSE_CELERY_LIST_ADAPTIVE": str(lists["adaptive"]),
        }
        with airflow_stack(tmp_path, DAGS, env) as stack:
            for n in (1, 2):
                log = (tmp_path / f"celery-worker-{n}.log").open("wb")
                stack.processes[f"celery-worker-{n}"] = subprocess.Popen(
                    [AIRFLOW, "celery", "worker", "--celery-hostname", f"w{n}@%h", "--skip-serve-logs"],
                    env=stack.env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            counts: dict[str, dict[str, int]] = {}
            for mode in ("shared", "adaptive"):
                dag_id = f"sendpulse_celery_{mode}"
                stack.wait_for_dag(dag_id)
                emulator.clear_requests()
                run_id = stack.trigger(dag_id)
                state = stack.wait_for_run(dag_id, run_id, timeout=420)
                states = stack.query(
                    "SELECT task_id, map_index, state FROM task_instance WHERE dag_id = ? AND run_id = ?",
                    dag_id,
                    run_id,
                )
                assert state == "success", states
                assert len(states) == SHARDS + 2, states
                assert all(s == "success" for *_, s in states), states
                logged = [r for r in emulator.requests() if r["path"] != "/oauth/access_token"]
                accepted = [r["time"] for r in logged if r["status"] != 429]
                counts[mode] = {
                    "requests": len(logged),
                    "refused": sum(1 for r in logged if r["status"] == 429),
                    "peak_per_s": peak_window(accepted),
                }
                total = emulator.state(contacts_cap=0)["lists"]
                in_list = next(b["total"] for b in total if b["id"] == lists[mode])
                assert in_list == SHARDS * CONTACTS  # every contact landed, none twice
                assert counts[mode]["peak_per_s"] <= 10
            received = [
                (tmp_path / f"celery-worker-{n}.log").read_text(errors="replace").count("] received")
                for n in (1, 2)
            ]
            assert all(received), f"tasks per Celery worker: {received}"  # both workers took tasks
            print(f"\ncelery scale: {json.dumps(counts)}; tasks per worker: {received}")
            assert counts["shared"]["refused"] == 0
