"""Measure SendPulseAutomationEventOperator: share of the rate-limit ceiling, refused requests, memory.

Each run writes a CSV of ``rows`` buyers, then starts one Automation 360 event per row through the
operator's ``execute()`` in a fresh worker process (so its peak RSS is its own), against the emulator
limited to ``rate_limit`` requests per second (SendPulse's 10 by default). One request per row: the
ceiling is ``rate_limit`` rows per second, so 100,000 rows take at least 10,000 s (2 h 47 min).

    python benchmarks/run.py --only events           # 10,000 and 100,000 rows at 10 requests/s (~3 h)
    python benchmarks/run.py --small --only events   # 500 and 2,000 rows at 50 requests/s
"""

from __future__ import annotations

import csv
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from airflow_provider_sendpulse.emulator.control import EmulatorControl

EVENT = "order_paid"
EVENT_PATH = f"/events/name/{EVENT}"
CONN_ID = "sendpulse_events_bench"


class _Store:
    """A task state store kept in memory (the operator writes its checkpoint once per row)."""

    def __init__(self) -> None:
        self.data: dict[str, Any] = {}
        self.writes = 0

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def set(self, key: str, value: Any, **_: Any) -> None:
        self.writes += 1
        self.data[key] = value


def write_rows(path: Path, rows: int) -> None:
    """A paid-orders export: email, phone, order id, amount, plan."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["email", "phone", "order_id", "amount", "plan"])
        for n in range(rows):
            writer.writerow([f"buyer{n}@example.com", f"38050{n:07d}", f"A-{n}", f"{n % 500}.99", "gold"])


def events_worker(url: str, csv_path: str, rows: int, rate_limit: int) -> dict[str, Any]:
    """One run of the operator over ``csv_path``; its figures."""
    import run as bench  # the orchestrator's helpers (sys.path holds benchmarks/)

    from airflow_provider_sendpulse.operators.automation import SendPulseAutomationEventOperator

    control = EmulatorControl(url, timeout=600)
    with bench.connection(CONN_ID, url, rate_limit):
        bench.cold_start()
        operator = SendPulseAutomationEventOperator(
            task_id="events", event_name=EVENT, path=csv_path, sendpulse_conn_id=CONN_ID
        )
        store = _Store()
        ti = SimpleNamespace(dag_id="bench", task_id="events", run_id="manual", try_number=1, map_index=-1)
        rss_before = bench.rss_peak_mib()
        clock = time.perf_counter()
        summary = operator.execute({"ti": ti, "task_instance": ti, "task_state_store": store})  # type: ignore[arg-type]
        wall = time.perf_counter() - clock
        rss_peak = bench.rss_peak_mib()
    logged = control.requests()
    starts = int(control.automation_state(cap=0)["events"][0]["starts"])
    control.close()
    counts = bench.log_counts(logged)
    return {
        "rows": rows,
        "rate_limit_rps": rate_limit,
        "wall_s": round(wall, 2),
        "sent": summary["sent"],
        "failed": summary["failed"],
        "unknown": summary["unknown"],
        "starts_landed": starts,
        "event_requests": sum(1 for r in logged if r["path"] == EVENT_PATH),
        **counts,
        "requests_per_s": round(starts / wall, 2),
        "fraction_of_ceiling": round(starts / wall / rate_limit, 4),
        "peak_requests_per_s": bench.peak_window([r["time"] for r in logged if r["path"] == EVENT_PATH]),
        "state_writes": store.writes,
        "rss_before_mib": round(rss_before, 1),
        "rss_peak_mib": round(rss_peak, 1),
    }


def bench(
    control: EmulatorControl,
    rows_list: tuple[int, ...],
    rate_limit: int,
    worker: Callable[[str, dict[str, Any]], dict[str, Any]],
    log: Callable[[str], None],
) -> dict[str, Any]:
    """The events operator over each row count, each in a fresh worker and a reset emulator."""
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for rows in rows_list:
            path = Path(tmp) / f"orders-{rows}.csv"
            write_rows(path, rows)
            control.reset()
            control.configure(rate_limit=rate_limit)
            control.add_automation_event(EVENT)
            run = worker(
                "events", {"url": control.url, "csv_path": str(path), "rows": rows, "rate_limit": rate_limit}
            )
            runs.append(run)
            log(
                f"events {rows:,} rows: {run['wall_s']:.1f} s, {run['fraction_of_ceiling']:.1%} of "
                f"{rate_limit} requests/s, {run['rate_limited']} x 429, {run['starts_landed']:,} started, "
                f"peak RSS {run['rss_peak_mib']} MiB"
            )
    control.reset()
    smallest, largest = runs[0], runs[-1]
    return {
        "rate_limit_rps": rate_limit,
        "runs": runs,
        "memory_growth_mib": round(largest["rss_peak_mib"] - smallest["rss_peak_mib"], 1),
    }


def combine(sections: list[dict[str, Any]]) -> dict[str, Any]:
    """One section from runs measured apart (say, 10,000 rows and then 100,000 rows in another run):
    every row count once (the latest run of it), and the memory growth across them."""
    if len({s["rate_limit_rps"] for s in sections}) != 1:
        raise ValueError("events runs at different rate limits do not combine")
    runs = {run["rows"]: run for section in sections for run in section["runs"]}
    ordered = [runs[rows] for rows in sorted(runs)]
    return {
        "rate_limit_rps": sections[0]["rate_limit_rps"],
        "runs": ordered,
        "memory_growth_mib": round(ordered[-1]["rss_peak_mib"] - ordered[0]["rss_peak_mib"], 1),
    }


def targets(events: dict[str, Any], add: Callable[[str, str, str, bool], None]) -> None:
    """The issue's targets for the events operator."""
    runs = events["runs"]
    worst = min(r["fraction_of_ceiling"] for r in runs)
    add(
        "events throughput",
        f">= 90% of {events['rate_limit_rps']} requests/s",
        ", ".join(f"{r['rows']:,}: {r['fraction_of_ceiling']:.1%}" for r in runs),
        worst >= 0.90,
    )
    refused = max(r["rate_limited"] for r in runs)
    add("events refused requests (429)", "0", str(refused), refused == 0)
    landed = all(r["starts_landed"] == r["rows"] == r["sent"] for r in runs)
    add("events started once per row", "every row, once", "yes" if landed else "no", landed)
    growth_mb = events["memory_growth_mib"] * 2**20 / 1e6
    add(
        "events memory growth",
        f"flat (< 20 MB) from {runs[0]['rows']:,} to {runs[-1]['rows']:,} rows",
        f"{growth_mb:+.1f} MB (peak RSS {runs[0]['rss_peak_mib']} -> {runs[-1]['rss_peak_mib']} MiB)",
        growth_mb < 20,
    )


def markdown(events: dict[str, Any]) -> list[str]:
    """The report section."""
    out = [
        "## Automation 360 events operator",
        "",
        f"One request per row against the emulator limited to {events['rate_limit_rps']} requests/s.",
        "",
        "| rows | wall s | requests/s | share of ceiling | 429 | started | peak RSS MiB |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in events["runs"]:
        out.append(
            f"| {r['rows']:,} | {r['wall_s']:.1f} | {r['requests_per_s']:.2f} "
            f"| {r['fraction_of_ceiling']:.1%} | {r['rate_limited']} | {r['starts_landed']:,} "
            f"| {r['rss_peak_mib']} |"
        )
    return [*out, ""]
