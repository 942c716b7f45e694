"""Measure SendPulseAddContactsOperator: wall time, requests, contacts/s and peak memory.

The emulator runs in a child process with SendPulse's limit of 10 requests per second, so this process's
memory is the operator's alone. For each row count a CSV file is written, then imported into a fresh list
through ``execute()`` (a validation pass, or with ``--on-invalid skip`` a pass reading only the emails,
then the sending pass), once per batch size.

    python benchmarks/import_contacts.py                          # 100,000 and 1,000,000 rows, batch 1000
    python benchmarks/import_contacts.py --rows 100000 --batch-sizes 100 500 1000 2000 5000
    python benchmarks/import_contacts.py --rows 1000000 --tracemalloc   # Python heap peak (slower)
    python benchmarks/import_contacts.py --rows 10000 100000 --on-invalid skip
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from types import SimpleNamespace
from typing import Any

_EMULATOR = """
import sys
from airflow_provider_sendpulse.emulator import run_emulator
with run_emulator(rate_limit=int(sys.argv[1]), campaign_limits=False) as url:
    print(url, flush=True)
    sys.stdin.read()
"""


class _Store:
    def __init__(self) -> None:
        self.data: dict[str, Any] = {}

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def set(self, key: str, value: Any, **_: Any) -> None:
        self.data[key] = value


def _context() -> dict[str, Any]:
    ti = SimpleNamespace(
        dag_id="benchmark", task_id="import", run_id="manual", try_number=1, map_index=-1, xcom_push=print
    )
    return {"ti": ti, "task_instance": ti, "task_state_store": _Store()}


def write_csv(path: Path, rows: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["email", "name", "city"])
        for i in range(rows):
            writer.writerow([f"user{i}@example.com", f"User {i}", "Kyiv"])


def rss_mib() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_one(
    control: Any, path: Path, rows: int, batch_size: int, trace: bool, on_invalid: str = "fail"
) -> dict[str, Any]:
    from airflow_provider_sendpulse.operators import SendPulseAddContactsOperator

    list_id = control.create_list(f"bench-{rows}-{batch_size}-{time.time_ns()}")
    control.clear_requests()
    op = SendPulseAddContactsOperator(
        task_id="import", list_id=list_id, path=str(path), batch_size=batch_size, on_invalid=on_invalid
    )
    if trace:
        tracemalloc.start()
    rss_before = rss_mib()
    started = time.perf_counter()
    summary = op.execute(_context())
    wall = time.perf_counter() - started
    heap_peak = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
    if trace:
        tracemalloc.stop()
    requests = [r for r in control.requests() if r["path"] == f"/addressbooks/{list_id}/emails"]
    limited = sum(1 for r in requests if r["status"] == 429)
    total = int(control.state(contacts_cap=0)["lists"][-1]["total"])
    return {
        "rows": rows,
        "batch_size": batch_size,
        "wall_s": round(wall, 2),
        "requests": len(requests),
        "rate_limited": limited,
        "contacts_per_s": round(rows / wall),
        "added": summary["added"],
        "in_list": total,
        "rss_before_mib": round(rss_before, 1),
        "rss_peak_mib": round(rss_mib(), 1),
        "heap_peak_mib": None if heap_peak is None else round(heap_peak, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[1000])
    parser.add_argument("--rate-limit", type=int, default=10, help="emulator requests/s (0 = off)")
    parser.add_argument("--tracemalloc", action="store_true", help="also trace the Python heap peak")
    parser.add_argument(
        "--on-invalid", choices=("fail", "skip"), default="fail", help="the operator's on_invalid"
    )
    args = parser.parse_args()

    emulator = subprocess.Popen(
        [sys.executable, "-c", _EMULATOR, str(args.rate_limit)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert emulator.stdout is not None
        url = emulator.stdout.readline().strip()
        os.environ["AIRFLOW_CONN_SENDPULSE_DEFAULT"] = json.dumps(
            {
                "conn_type": "sendpulse",
                "host": url,
                "login": "sendpulse-emulator-id",
                "password": "sendpulse-emulator-secret",
            }
        )
        from airflow_provider_sendpulse.emulator.control import EmulatorControl

        control = EmulatorControl(url, timeout=120)
        print(f"emulator {url}, rate limit {args.rate_limit}/s", flush=True)
        with tempfile.TemporaryDirectory() as tmp:
            for rows in args.rows:
                path = Path(tmp) / f"contacts-{rows}.csv"
                write_csv(path, rows)
                size = path.stat().st_size / 2**20
                for batch_size in args.batch_sizes:
                    result = run_one(control, path, rows, batch_size, args.tracemalloc, args.on_invalid)
                    print(json.dumps({"file_mib": round(size, 1), **result}), flush=True)
    finally:
        if emulator.stdin:
            emulator.stdin.close()
        emulator.wait(timeout=30)


if __name__ == "__main__":
    main()
