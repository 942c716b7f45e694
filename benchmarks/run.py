"""Run every benchmark against the SendPulse emulator and write ``benchmarks/results/``.

    python benchmarks/run.py              # full run (about 4 hours): latest.json, latest.md, chart
    python benchmarks/run.py --small      # the same measurements on small inputs, in minutes
    python benchmarks/run.py --only import,idle_poll --out /tmp/bench
    python benchmarks/run.py --merge /tmp/a/latest.json /tmp/b/latest.json   # sections run apart, one report

Measurements (see benchmarks/README.md): bulk import through the provider and through the official
client ``pysendpulse`` against an emulator limiting at 10 requests/s; requests per idle
``new_subscriber`` poll against a naive set-difference scan; 1,000 event triggers in one event loop;
the hook's per-call cost against a bare ``requests.Session``; the Automation 360 events operator (one
request per row) against the 10 requests/s ceiling. The emulator runs in its own process, and
each import and trigger-fleet run in a fresh worker process so its peak memory is its own.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import gc
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR) not in sys.path:
    sys.path.append(str(BENCH_DIR))  # last: its module names must not shadow anyone else's

import automation_events  # noqa: E402
import import_contacts  # noqa: E402
import pysendpulse_import  # noqa: E402
from pysendpulse_import import rss_peak_mib  # noqa: E402

from airflow_provider_sendpulse.emulator.config import (  # noqa: E402
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
)
from airflow_provider_sendpulse.emulator.control import EmulatorControl  # noqa: E402

TOKEN_PATH = "/oauth/access_token"
DEFAULT_CLIENT_RPS = 10.0
"""The connection's default client-side limit; the full run leaves it untouched."""
BENCH_CONN_ID = "sendpulse_bench"
IMPORT_CONN_ID = "sendpulse_default"
MEASUREMENTS = (
    "import",
    "idle_poll",
    "crm_poll",
    "fleet",
    "hook_overhead",
    "import_cost",
    "chatbot_poll",
    "events",
    "multi_process",
)
CLIENTS = ("operator", "hook", "pysendpulse")
SERIES_POINTS = 250


@dataclass(frozen=True)
class Settings:
    """Sizes and repeats of one run."""

    rate_limit: int = 10
    batch_size: int = 1000
    import_rows: tuple[int, ...] = (100_000, 1_000_000)
    import_repeats: int = 3
    hook_rows: tuple[int, ...] = (100_000,)
    poll_sizes: tuple[int, ...] = (1_000, 100_000, 1_000_000)
    crm_sizes: tuple[int, ...] = (1_000, 100_000)
    fleet_triggers: int = 1000
    fleet_lists: int = 50
    fleet_list_size: int = 1000
    fleet_seconds: float = 30.0
    fleet_limited_seconds: float = 20.0
    fleet_poll_interval: float = 5.0
    overhead_calls: int = 300
    overhead_runs: int = 5
    client_cost_calls: int = 20_000
    import_cost_runs: int = 5
    chatbot_dialogs: tuple[int, ...] = (10, 10_000)
    events_rows: tuple[int, ...] = (10_000, 100_000)
    events_rate_limit: int = 10
    mp_processes: tuple[int, ...] = (1, 2, 4, 8)
    mp_contacts: int = 200_000
    mp_repeats: int = 2
    mint_tasks: int = 100

    @property
    def ceiling(self) -> float:
        """Contacts per second at the rate limit: ``rate_limit`` requests x ``batch_size`` contacts."""
        return float(self.rate_limit * self.batch_size)


FULL = Settings()
SMALL = Settings(
    rate_limit=50,
    batch_size=100,
    import_rows=(500, 2_000),
    import_repeats=2,
    hook_rows=(500,),
    poll_sizes=(100, 1_000, 5_000),
    crm_sizes=(100, 1_000),
    fleet_triggers=20,
    fleet_lists=4,
    fleet_list_size=100,
    fleet_seconds=2.0,
    fleet_limited_seconds=1.5,
    fleet_poll_interval=0.5,
    overhead_calls=20,
    overhead_runs=3,
    client_cost_calls=2_000,
    import_cost_runs=1,
    chatbot_dialogs=(10, 1_000),
    events_rows=(500, 2_000),
    events_rate_limit=50,
    mp_processes=(2,),
    mp_contacts=2_000,
    mp_repeats=1,
    mint_tasks=3,
)


# --- helpers ----------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    """The machine and software the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram_gib = None
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gib = round(int(line.split()[1]) / 2**20, 1)
    versions = {}
    for name in (
        "apache-airflow",
        "airflow-provider-sendpulse",
        "pysendpulse",
        "requests",
        "httpx",
        "uvicorn",
    ):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[name] = metadata.version(name)
    return {
        "cpu": cpu,
        "logical_cores": os.cpu_count(),
        "ram_gib": ram_gib,
        "os": platform.platform(),
        "python": platform.python_version(),
        "versions": versions,
    }


@contextlib.contextmanager
def connection(conn_id: str, url: str, max_rps: float | None = None) -> Iterator[None]:
    """An Airflow connection ``conn_id`` to the emulator, in the environment for the block.

    ``max_rps`` None leaves the connection's client-side limit at its default.
    """
    conn: dict[str, Any] = {
        "conn_type": "sendpulse",
        "host": url,
        "login": DEFAULT_CLIENT_ID,
        "password": DEFAULT_CLIENT_SECRET,
    }
    if max_rps is not None and max_rps != DEFAULT_CLIENT_RPS:
        conn["extra"] = {"max_requests_per_second": max_rps}
    name = f"AIRFLOW_CONN_{conn_id.upper()}"
    previous = os.environ.get(name)
    os.environ[name] = json.dumps(conn)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous


def cold_start() -> None:
    """Forget cached tokens and rate limiters, as in a fresh process."""
    from airflow_provider_sendpulse.client.auth import reset_token_caches
    from airflow_provider_sendpulse.client.ratelimit import reset_rate_limiters

    reset_token_caches()
    reset_rate_limiters()


def peak_window(times: Sequence[float], window: float = 1.0) -> int:
    """Most requests in any ``window``-second interval (sliding, not calendar seconds)."""
    ordered = sorted(times)
    best = start = 0
    for end, t in enumerate(ordered):
        while ordered[start] <= t - window:
            start += 1
        best = max(best, end - start + 1)
    return best


def log_counts(logged: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Requests, rate-limit answers and token mints in a request log."""
    return {
        "requests": len(logged),
        "rate_limited": sum(1 for r in logged if r["status"] == 429),
        "token_mints": sum(1 for r in logged if r["path"] == TOKEN_PATH),
    }


def list_total(control: EmulatorControl, list_id: int) -> int:
    """Contacts in a list, as the emulator holds them."""
    lists = control.state(contacts_cap=0)["lists"]
    return int(next(b["total"] for b in lists if b["id"] == list_id))


def _median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


# --- 1. bulk import -------------------------------------------------------------------------------


def import_series(
    logged: Sequence[dict[str, Any]], batch_size: int, landed: int, started: float, wall: float
) -> list[list[float]]:
    """``[seconds since the job started, contacts accepted so far]`` at each accepted batch and the end.

    ``started`` is the job's start (epoch seconds, same clock as the request log), ``wall`` its duration.
    """
    accepted = sorted(r["time"] for r in logged if _is_add(r) and r["status"] == 200)
    points = [[0.0, 0.0]]
    for n, t in enumerate(accepted, 1):
        points.append([round(t - started, 3), float(min(n * batch_size, landed))])
    step = max(1, len(points) // SERIES_POINTS)
    points = points[::step] + ([points[-1]] if (len(points) - 1) % step else [])
    return [*points, [round(max(wall, points[-1][0]), 3), points[-1][1]]]


def _is_add(entry: dict[str, Any]) -> bool:
    path = str(entry["path"])
    return entry["method"] == "POST" and path.startswith("/addressbooks/") and path.endswith("/emails")


def import_worker(
    url: str,
    client: str,
    csv_path: str,
    rows: int,
    batch_size: int,
    rate_limit: int,
    series: bool,
    on_invalid: str = "fail",
) -> dict[str, Any]:
    """One import of ``csv_path`` with the operator (``on_invalid`` as given), the hook or pysendpulse."""
    control = EmulatorControl(url, timeout=600)
    path = Path(csv_path)
    if client == "operator":
        import airflow_provider_sendpulse.operators  # noqa: F401  (imports are not the job's memory)

        with connection(IMPORT_CONN_ID, url, rate_limit):
            cold_start()
            rss_before = rss_peak_mib()
            started = time.time()
            run = import_contacts.run_one(control, path, rows, batch_size, False, on_invalid)
            rss_peak = rss_peak_mib()
        wall, in_list = float(run["wall_s"]), int(run["in_list"])
        errors = None
    elif client == "hook":
        from airflow_provider_sendpulse.hooks.sendpulse import SendPulseHook

        with connection(IMPORT_CONN_ID, url, rate_limit):
            cold_start()
            list_id = control.create_list(f"hook-{rows}-{batch_size}-{time.time_ns()}")
            control.clear_requests()
            rss_before = rss_peak_mib()
            started = time.time()
            clock = time.perf_counter()
            with path.open(newline="", encoding="utf-8") as f:
                SendPulseHook(IMPORT_CONN_ID).add_contacts(list_id, csv.DictReader(f), batch_size=batch_size)
            wall = time.perf_counter() - clock
            rss_peak = rss_peak_mib()
        in_list = list_total(control, list_id)
        errors = None
    elif client == "pysendpulse":
        started = time.time()
        run = pysendpulse_import.official_import(control, path, rows, batch_size)
        wall, in_list = float(run["wall_s"]), int(run["in_list"])
        rss_before, rss_peak = float(run["rss_before_mib"]), float(run["rss_peak_mib"])
        errors = int(run["errors_returned"])
    else:
        raise ValueError(f"unknown client {client!r}")
    logged = control.requests()
    control.close()
    adds = [r for r in logged if _is_add(r)]
    send_phase = max(r["time"] for r in logged) - min(r["time"] for r in logged) if logged else 0.0
    result: dict[str, Any] = {
        "client": client,
        "rows": rows,
        "batch_size": batch_size,
        "wall_s": round(wall, 3),
        **log_counts(logged),
        "add_requests": len(adds),
        "errors_returned": errors,
        "in_list": in_list,
        "landed_fraction": round(in_list / rows, 4),
        "contacts_per_s": round(in_list / wall, 1),
        "fraction_of_ceiling": round(in_list / wall / (rate_limit * batch_size), 4),
        "send_phase_s": round(send_phase, 3),
        "peak_requests_per_s": peak_window([r["time"] for r in logged]),
        "rss_before_mib": round(rss_before, 1),
        "rss_peak_mib": round(rss_peak, 1),
        "job_memory_mib": round(rss_peak - rss_before, 1),
    }
    if series:
        result["series"] = import_series(logged, batch_size, in_list, started, wall)
    return result


def summarize_imports(runs: Sequence[dict[str, Any]], settings: Settings) -> list[dict[str, Any]]:
    """Medians per client and row count (worst case for rate-limit answers and landed contacts)."""
    summary = []
    for client in CLIENTS:
        for rows in settings.import_rows:
            group = [r for r in runs if r["client"] == client and r["rows"] == rows]
            if not group:
                continue
            summary.append(
                {
                    "client": client,
                    "rows": rows,
                    "repeats": len(group),
                    "requests": max(r["requests"] for r in group),
                    "wall_s": round(_median([r["wall_s"] for r in group]), 2),
                    "send_phase_s": round(_median([r["send_phase_s"] for r in group]), 2),
                    "contacts_per_s": round(_median([r["contacts_per_s"] for r in group])),
                    "fraction_of_ceiling": round(_median([r["fraction_of_ceiling"] for r in group]), 4),
                    "rate_limited": max(r["rate_limited"] for r in group),
                    "token_mints": max(r["token_mints"] for r in group),
                    "in_list": min(r["in_list"] for r in group),
                    "landed_fraction": min(r["landed_fraction"] for r in group),
                    "rss_peak_mib": round(_median([r["rss_peak_mib"] for r in group]), 1),
                    "job_memory_mib": round(_median([r["job_memory_mib"] for r in group]), 1),
                }
            )
    return summary


def bench_import(
    control: EmulatorControl, settings: Settings, worker: WorkerRunner, log: Callable[[str], None]
) -> dict[str, Any]:
    """Bulk import with the operator, the hook and pysendpulse: same CSV file, same batch size."""
    runs: list[dict[str, Any]] = []
    smallest = min(settings.import_rows)
    with tempfile.TemporaryDirectory() as tmp:
        for rows in settings.import_rows:
            path = Path(tmp) / f"contacts-{rows}.csv"
            import_contacts.write_csv(path, rows)
            repeats = settings.import_repeats if rows == smallest else 1
            for repeat in range(repeats):
                for client in CLIENTS:
                    if client == "hook" and rows not in settings.hook_rows:
                        continue
                    control.reset()
                    control.configure(rate_limit=settings.rate_limit)
                    params = {
                        "url": control.url,
                        "client": client,
                        "csv_path": str(path),
                        "rows": rows,
                        "batch_size": settings.batch_size,
                        "rate_limit": settings.rate_limit,
                        "series": rows == smallest and repeat == 0,
                    }
                    run = worker("import", params)
                    run["repeat"] = repeat
                    runs.append(run)
                    log(
                        f"import {client} {rows:,} rows #{repeat + 1}: {run['wall_s']:.1f} s, "
                        f"{run['contacts_per_s']:,.0f} contacts/s, {run['rate_limited']} x 429, "
                        f"{run['in_list']:,} landed"
                    )
    control.reset()
    summary = summarize_imports(runs, settings)
    operator = {s["rows"]: s for s in summary if s["client"] == "operator"}
    growth = operator[max(operator)]["rss_peak_mib"] - operator[min(operator)]["rss_peak_mib"]
    return {
        "ceiling_contacts_per_s": settings.ceiling,
        "rate_limit_rps": settings.rate_limit,
        "batch_size": settings.batch_size,
        "summary": summary,
        "operator_memory_growth_mib": round(growth, 1),
        "runs": runs,
    }


# --- 2. idle poll -----------------------------------------------------------------------------------


def naive_scan(control: EmulatorControl, size: int) -> dict[str, Any]:
    """Requests of one idle poll that pages through the whole list and diffs it against the last one."""
    from airflow_provider_sendpulse.hooks.sendpulse import SendPulseHook

    list_id = control.create_list(f"naive-{size}")
    control.seed_contacts(list_id, size, "old")
    hook = SendPulseHook(BENCH_CONN_ID)
    known = {c["email"] for c in hook.iter_contacts(list_id)}
    control.clear_requests()
    started = time.perf_counter()
    current = {c["email"] for c in hook.iter_contacts(list_id)}
    elapsed = time.perf_counter() - started
    new = current - known
    requests = [r for r in control.requests() if r["path"] != TOKEN_PATH]
    return {"naive_idle_poll_requests": len(requests), "naive_new": len(new), "naive_poll_s": elapsed}


def bench_idle_poll(
    control: EmulatorControl, settings: Settings, log: Callable[[str], None]
) -> dict[str, Any]:
    """Requests per idle ``new_subscriber`` poll by list size: the provider's detection vs a full scan."""
    import sensor_poll

    rows = []
    with connection(BENCH_CONN_ID, control.url, 100_000):
        cold_start()
        for size in settings.poll_sizes:
            control.reset()
            costs = sensor_poll.poll_costs(control, size)
            control.reset()
            naive = naive_scan(control, size)
            row = {
                "contacts": size,
                "idle_poll_requests": costs["idle_poll_requests"],
                "poll_with_10_new_requests": costs["poll_with_10_new_requests"],
                "events_10_new": costs["events_10_new"],
                "naive_idle_poll_requests": naive["naive_idle_poll_requests"],
                "naive_new": naive["naive_new"],
                "naive_poll_s_unthrottled": round(naive["naive_poll_s"], 2),
                "naive_poll_s_at_rate_limit": round(
                    naive["naive_idle_poll_requests"] / settings.rate_limit, 1
                ),
                "idle_poll_s_at_rate_limit": round(costs["idle_poll_requests"] / settings.rate_limit, 1),
            }
            rows.append(row)
            log(
                f"idle poll {size:,} contacts: {row['idle_poll_requests']} requests "
                f"(naive scan {row['naive_idle_poll_requests']:,})"
            )
    control.reset()
    return {"sizes": rows}


def bench_chatbot_poll(
    control: EmulatorControl, settings: Settings, log: Callable[[str], None]
) -> dict[str, Any]:
    """Requests per ``chatbot_incoming_message`` poll of one bot by number of dialogs."""
    chatbot_poll = load_sibling("chatbot_poll")
    rows = []
    with connection(BENCH_CONN_ID, control.url, 100_000):
        for dialogs in settings.chatbot_dialogs:
            control.reset()
            row = chatbot_poll.poll_costs(control, dialogs, BENCH_CONN_ID)
            rows.append(row)
            log(
                f"chatbot idle poll {dialogs:,} dialogs: {row['idle_poll_requests']} requests "
                f"(after a reply {row['after_reply_requests']}, 10 new {row['poll_with_10_new_requests']})"
            )
    control.reset()
    return {"sizes": rows}


def bench_crm_poll(
    control: EmulatorControl, settings: Settings, log: Callable[[str], None]
) -> dict[str, Any]:
    """Requests per idle (and 10-change) poll of every CRM event type by number of deals and contacts."""
    crm_poll = load_sibling("crm_poll")
    with connection(BENCH_CONN_ID, control.url, 100_000):
        cold_start()
        result: dict[str, Any] = crm_poll.crm_costs(control, BENCH_CONN_ID, settings.crm_sizes)
    for row in result["deals"] + result["contacts"]:
        what = row.get("contacts") or f"{row['records']:,} deals"
        log(f"idle poll {row['event_type']} ({what}): {row['idle_requests']} requests")
    return result


# --- 3. trigger fleet -------------------------------------------------------------------------------


def fleet_worker(
    url: str,
    triggers: int,
    lists: int,
    list_size: int,
    seconds: float,
    poll_interval: float,
    client_rps: float,
    emulator_rate: int,
) -> dict[str, Any]:
    """``triggers`` event triggers in one event loop for ``seconds``; memory, stalls, mints, peak rate."""
    import sensor_poll

    control = EmulatorControl(url, timeout=300)
    control.reset()
    if emulator_rate:
        control.configure(rate_limit=emulator_rate)
    list_ids = [control.create_list(f"fleet-{i}") for i in range(lists)]
    for list_id in list_ids:
        control.seed_contacts(list_id, list_size)
    with connection(sensor_poll.CONN_ID, url, client_rps):
        cold_start()
        control.clear_requests()
        gc.collect()
        gc.freeze()
        try:
            result = asyncio.run(
                sensor_poll.run_triggers(control, list_ids, triggers, seconds, poll_interval)
            )
        finally:
            gc.unfreeze()
    logged = control.requests()
    control.close()
    api_requests = [r for r in logged if r["path"] != TOKEN_PATH]
    result.update(
        {
            "client_limit_rps": client_rps,
            "emulator_limit_rps": emulator_rate or None,
            **log_counts(logged),
            "api_requests": len(api_requests),
            "api_requests_per_trigger": round(len(api_requests) / triggers, 2),
            "peak_requests_per_s": peak_window([r["time"] for r in logged]),
            "peak_requests_calendar_second": sensor_poll.peak_rate(logged),
        }
    )
    return result


def bench_fleet(
    control: EmulatorControl, settings: Settings, worker: WorkerRunner, log: Callable[[str], None]
) -> dict[str, Any]:
    """The fleet twice: limits off (every trigger polls every interval), then at the account limit."""
    common = {
        "url": control.url,
        "triggers": settings.fleet_triggers,
        "lists": settings.fleet_lists,
        "list_size": settings.fleet_list_size,
        "poll_interval": settings.fleet_poll_interval,
    }
    results = {}
    phases = (
        ("unthrottled", settings.fleet_seconds, 100_000.0, 0),
        ("account_limit", settings.fleet_limited_seconds, float(settings.rate_limit), settings.rate_limit),
    )
    for name, seconds, client_rps, emulator_rate in phases:
        params = {**common, "seconds": seconds, "client_rps": client_rps, "emulator_rate": emulator_rate}
        result = worker("fleet", params)
        results[name] = result
        log(
            f"fleet {name}: {result['memory_per_trigger_kib']} KiB/trigger, "
            f"stall {result['longest_loop_stall_ms']} ms, {result['token_mints']} mint(s), "
            f"peak {result['peak_requests_per_s']} req/s, {result['rate_limited']} x 429"
        )
    control.reset()
    return results


# --- 4. hook overhead -------------------------------------------------------------------------------


def bench_hook_overhead(
    control: EmulatorControl, settings: Settings, log: Callable[[str], None]
) -> dict[str, Any]:
    """Median per-call time of ``count_contacts`` through the hook vs a bare ``requests.Session``."""
    import hook_overhead

    control.reset()
    list_id = control.create_list("overhead")
    control.seed_contacts(list_id, 10)
    with connection(hook_overhead.CONN_ID, control.url, 100_000):
        cold_start()
        hook_s, bare_s = hook_overhead.overhead(
            control, control.url, list_id, settings.overhead_calls, settings.overhead_runs
        )
    client_cost = hook_overhead.client_side_cost(settings.client_cost_calls)
    control.reset()
    result = {
        "route": "GET /addressbooks/{id}/emails/total",
        "calls_per_run": settings.overhead_calls,
        "runs": settings.overhead_runs,
        "hook_ms": round(hook_s * 1e3, 3),
        "bare_session_ms": round(bare_s * 1e3, 3),
        "ratio": round(hook_s / bare_s, 3),
        "overhead_us": round((hook_s - bare_s) * 1e6, 1),
        "client_cost_without_network_us": round(client_cost * 1e6, 1),
    }
    log(f"hook overhead: {result['hook_ms']} ms vs {result['bare_session_ms']} ms, {result['ratio']}x")
    return result


# --- targets ----------------------------------------------------------------------------------------


def evaluate(results: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's targets, each with what was measured and whether it was met."""
    targets: list[dict[str, Any]] = []

    def add(name: str, target: str, measured: str, met: bool) -> None:
        targets.append({"name": name, "target": target, "measured": measured, "met": bool(met)})

    imp = results.get("import")
    if imp and "error" not in imp:
        operator = [s for s in imp["summary"] if s["client"] == "operator"]
        provider = [s for s in imp["summary"] if s["client"] in ("operator", "hook")]
        worst = min(s["fraction_of_ceiling"] for s in operator)
        add(
            "import throughput",
            ">= 90% of the ceiling (operator)",
            ", ".join(f"{s['client']} {s['rows']:,}: {s['fraction_of_ceiling']:.1%}" for s in provider),
            worst >= 0.90,
        )
        limited = max(s["rate_limited"] for s in provider)
        add("import rate-limit answers", "0", str(limited), limited == 0)
        landed = min(s["landed_fraction"] for s in provider)
        add("import contacts landed", "100%", f"{landed:.2%}", landed >= 1.0)
        growth_mb = imp["operator_memory_growth_mib"] * 2**20 / 1e6
        add(
            "import memory growth",
            f"< 50 MB from {min(imp_rows(imp)):,} to {max(imp_rows(imp)):,} rows",
            f"{growth_mb:+.1f} MB (peak RSS)",
            growth_mb < 50,
        )
    poll = results.get("idle_poll")
    if poll and "error" not in poll:
        counts = [row["idle_poll_requests"] for row in poll["sizes"]]
        add(
            "idle poll requests",
            "<= 2, flat across list sizes",
            " / ".join(str(c) for c in counts),
            max(counts) <= 2 and len(set(counts)) == 1,
        )
    crm = results.get("crm_poll")
    if crm and "error" not in crm:
        worst = max(crm["deals"], key=lambda row: row["idle_requests"])
        add(
            "CRM deal idle poll requests",
            "<= 2 for every deal event type and size",
            f"max {worst['idle_requests']} ({worst['event_type']}, {worst['records']:,} deals)",
            worst["idle_requests"] <= 2,
        )
    fleet = results.get("fleet")
    if fleet and "error" not in fleet:
        phases = list(fleet.values())
        per_trigger = max(p["memory_per_trigger_kib"] for p in phases)
        add(
            "fleet memory per trigger",
            "< 100 KB",
            f"{per_trigger * 1.024:.1f} KB",
            per_trigger * 1024 < 100_000,
        )
        stall = max(p["longest_loop_stall_ms"] for p in phases)
        add("fleet longest event-loop stall", "< 50 ms", f"{stall:.1f} ms", stall < 50)
        limited = fleet["account_limit"]
        limit = limited["emulator_limit_rps"]
        add(
            "fleet never over the rate limit",
            f"<= {limit} requests in any 1 s, no 429",
            f"peak {limited['peak_requests_per_s']} in 1 s, {limited['rate_limited']} x 429",
            limited["peak_requests_per_s"] <= limit and limited["rate_limited"] == 0,
        )
        mints = [p["token_mints"] for p in phases]
        add("fleet token mints", "1", " / ".join(str(m) for m in mints), all(m == 1 for m in mints))
    hook = results.get("hook_overhead")
    if hook and "error" not in hook:
        add("hook overhead", "<= 1.15x a bare session", f"{hook['ratio']:.2f}x", hook["ratio"] <= 1.15)
    cost = results.get("import_cost")
    if cost and "error" not in cost:
        worst = max(cost["modules"], key=lambda row: row["after_bases_cpu_ms"])
        heavy = sorted({lib for row in cost["modules"] for lib in row["heavy"]})
        add(
            "DAG-parse import cost per module",
            f"<= {cost['limit_ms']:.0f} ms beyond Airflow's base classes, no HTTP/web library "
            f"(bytecode {cost.get('bytecode', 'compiled in every process')})",
            f"worst {worst['after_bases_cpu_ms']} ms CPU ({worst['module']}); "
            f"loaded: {', '.join(heavy) or 'none'}",
            worst["after_bases_cpu_ms"] <= cost["limit_ms"] and not heavy,
        )
    chat = results.get("chatbot_poll")
    if chat and "error" not in chat:
        counts = [row["idle_poll_requests"] for row in chat["sizes"]]
        sizes = " / ".join(f"{row['dialogs']:,}" for row in chat["sizes"])
        add(
            "chatbot idle poll requests",
            f"<= 2, flat across {sizes} dialogs",
            " / ".join(str(c) for c in counts),
            max(counts) <= 2 and len(set(counts)) == 1,
        )
    events = results.get("events")
    if events and "error" not in events:
        automation_events.targets(events, add)
    multi = results.get("multi_process")
    if multi and "error" not in multi:
        for target in load_sibling("multi_process").evaluate(multi):
            add(*target)
    return targets


def bench_multi_process(
    control: EmulatorControl, settings: Settings, log: Callable[[str], None]
) -> dict[str, Any]:
    """Several processes importing into one account, and the token mints of many task processes."""
    multi = load_sibling("multi_process")
    section: dict[str, Any] = multi.bench(
        control,
        counts=settings.mp_processes,
        total=settings.mp_contacts,
        batch_size=settings.batch_size,
        rate_limit=settings.rate_limit,
        repeats=settings.mp_repeats,
        log=log,
    )
    section["summary"] = multi.summarize(section["runs"])
    section["mints"] = multi.token_mints(control, tasks=settings.mint_tasks)
    log(f"token mints of {settings.mint_tasks} task processes: {section['mints']}")
    return section


def imp_rows(imp: dict[str, Any]) -> list[int]:
    """Row counts of the provider's import runs."""
    return sorted({s["rows"] for s in imp["summary"] if s["client"] == "operator"})


# --- orchestration ----------------------------------------------------------------------------------

WorkerRunner = Callable[[str, dict[str, Any]], dict[str, Any]]
WORKERS: dict[str, Callable[..., dict[str, Any]]] = {
    "import": import_worker,
    "fleet": fleet_worker,
    "events": automation_events.events_worker,
}


def in_process(name: str, params: dict[str, Any]) -> dict[str, Any]:
    """Run a worker in this process (small runs and tests)."""
    return WORKERS[name](**params)


def in_subprocess(name: str, params: dict[str, Any]) -> dict[str, Any]:
    """Run a worker in a fresh Python process, so memory figures are its own."""
    with tempfile.TemporaryDirectory() as tmp:
        out, output = Path(tmp) / "result.json", Path(tmp) / "output.log"
        command = [sys.executable, str(Path(__file__).resolve()), "--worker", name, "--params"]
        with output.open("wb") as sink:
            done = subprocess.run(
                [*command, json.dumps(params), "--result", str(out)],
                stdout=sink,
                stderr=subprocess.STDOUT,
                check=False,
            )
        if done.returncode != 0:
            tail = output.read_text(errors="replace")[-4000:]
            raise RuntimeError(f"benchmark worker {name} failed ({done.returncode}):\n{tail}")
        result: dict[str, Any] = json.loads(out.read_text())
        return result


def run_all(
    control: EmulatorControl,
    settings: Settings,
    *,
    only: Sequence[str] = MEASUREMENTS,
    worker: WorkerRunner = in_subprocess,
    log: Callable[[str], None] = print,
    command: str = "python benchmarks/run.py",
) -> dict[str, Any]:
    """Every selected measurement against the emulator behind ``control``; the results document."""
    started = time.perf_counter()
    results: dict[str, Any] = {
        "command": command,
        "mode": "small" if settings == SMALL else "full" if settings == FULL else "custom",
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(settings).items()},
    }
    steps: dict[str, Callable[[], dict[str, Any]]] = {
        "import": lambda: bench_import(control, settings, worker, log),
        "idle_poll": lambda: bench_idle_poll(control, settings, log),
        "crm_poll": lambda: bench_crm_poll(control, settings, log),
        "fleet": lambda: bench_fleet(control, settings, worker, log),
        "hook_overhead": lambda: bench_hook_overhead(control, settings, log),
        "import_cost": lambda: load_sibling("import_cost").bench(settings.import_cost_runs, log),
        "chatbot_poll": lambda: bench_chatbot_poll(control, settings, log),
        "events": lambda: automation_events.bench(
            control, settings.events_rows, settings.events_rate_limit, worker, log
        ),
        "multi_process": lambda: bench_multi_process(control, settings, log),
    }
    results["failed"] = []
    for name in MEASUREMENTS:
        if name not in only:
            continue
        try:
            results[name] = steps[name]()
        except Exception as exc:  # one broken measurement must not lose the others' figures
            log(f"{name} failed: {type(exc).__name__}: {exc}")
            results[name] = {"error": f"{type(exc).__name__}: {exc}"}
            results["failed"].append(name)
            with contextlib.suppress(Exception):
                control.reset()
    results["targets"] = evaluate(results)
    results["duration_s"] = round(time.perf_counter() - started, 1)
    return results


COMBINE: dict[str, Callable[[list[dict[str, Any]]], dict[str, Any]]] = {"events": automation_events.combine}
"""Sections whose runs at different sizes add up across documents (the rest: the latest one counts)."""


def merge(documents: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One results document from several runs of some sections each (``--only``): a later document's
    section replaces an earlier one's (events: runs of other row counts add up); the targets are
    judged again over the merged sections."""
    if not documents:
        raise ValueError("nothing to merge")
    merged: dict[str, Any] = {
        "command": " ; ".join(d["command"] for d in documents),
        "mode": "merged " + "+".join(sorted({d["mode"] for d in documents})),
        "started_at": min(d["started_at"] for d in documents),
        "machine": documents[-1]["machine"],
        "settings": {name: d["settings"] for d in documents for name in MEASUREMENTS if name in d},
        "failed": sorted({f for d in documents for f in d["failed"]}),
        "duration_s": round(sum(d["duration_s"] for d in documents), 1),
    }
    for name in MEASUREMENTS:
        found = [d[name] for d in documents if name in d and "error" not in d[name]]
        if found:
            merged[name] = COMBINE[name](found) if name in COMBINE else found[-1]
    merged["targets"] = evaluate(merged)
    return merged


def load_sibling(name: str) -> ModuleType:
    """``benchmarks/<name>.py``, even when another module of that name is importable."""
    spec = importlib.util.spec_from_file_location(f"sendpulse_benchmarks_{name}", BENCH_DIR / f"{name}.py")
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load benchmarks/{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def worker_main(name: str, params: str, result: str) -> None:
    """Entry point of a worker process: run one measurement, write its JSON."""
    Path(result).write_text(json.dumps(WORKERS[name](**json.loads(params))))


def main(argv: Sequence[str] | None = None) -> None:
    """Parse arguments, run the measurements, write the results files."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--small", action="store_true", help="small inputs: seconds instead of minutes")
    parser.add_argument("--only", default=",".join(MEASUREMENTS), help="comma-separated measurements")
    parser.add_argument("--out", type=Path, default=BENCH_DIR / "results", help="results folder")
    parser.add_argument("--in-process", action="store_true", help="no worker processes (faster, rougher)")
    parser.add_argument("--events-rows", help="comma-separated row counts of the events section")
    parser.add_argument(
        "--merge", nargs="+", type=Path, metavar="JSON", help="one report from earlier runs' latest.json"
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--params", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker_main(args.worker, args.params, args.result)
        return

    import hook_overhead

    report = load_sibling("report")
    if args.merge:
        results = merge([json.loads(path.read_text()) for path in args.merge])
        paths = report.write_report(results, args.out)
        print("wrote " + ", ".join(str(p) for p in paths))
        return
    only = [m.strip() for m in args.only.split(",") if m.strip()]
    unknown = set(only) - set(MEASUREMENTS)
    if unknown:
        parser.error(f"unknown measurement(s) {sorted(unknown)}; choose from {', '.join(MEASUREMENTS)}")
    settings = SMALL if args.small else FULL
    command = "python benchmarks/run.py" + (" --small" if args.small else "")
    if args.only != parser.get_default("only"):
        command += f" --only {args.only}"
    if args.events_rows:
        try:
            rows = tuple(int(n) for n in args.events_rows.split(","))
        except ValueError:
            parser.error(f"--events-rows: comma-separated whole numbers, got {args.events_rows!r}")
        settings = replace(settings, events_rows=rows)
        command += f" --events-rows {args.events_rows}"
    worker = in_process if args.in_process else in_subprocess

    def log(message: str) -> None:
        print(message, flush=True)

    with hook_overhead.emulator_process() as url, EmulatorControl(url, timeout=600) as control:
        log(f"emulator {url} (own process); {'small' if args.small else 'full'} run")
        results = run_all(control, settings, only=only, worker=worker, log=log, command=command)
    paths = report.write_report(results, args.out)
    log("\n" + report.render_markdown(results))
    log("wrote " + ", ".join(str(p) for p in paths))
    if results["failed"]:
        sys.exit(f"failed measurement(s): {', '.join(results['failed'])}")


if __name__ == "__main__":
    main()
