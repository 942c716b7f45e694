"""Several processes importing into one account at once: share of the ceiling and refused requests.

Each process is a fresh Python process (as each Airflow task is) that streams its own contacts into
its own list through ``SendPulseHook.add_contacts``; all start at the same instant against one emulator
limiting the account at ``rate_limit`` requests per second. Limiters: *host* (the default: the
processes of the host share one adaptive limiter's state through a file), *adaptive* (each process
adapts alone, as processes on separate hosts do: ``rate_limit_store="process"``) and, with
``--shared``, *shared* (one limiter through Redis; ``redis-server`` must be installed, one is started
on loopback). Each run gets a fresh temporary folder, so no state carries over between runs.

    python benchmarks/multi_process.py                           # 1, 2, 4, 8 processes, host and adaptive
    python benchmarks/multi_process.py --processes 4 --repeats 3 --shared
    python benchmarks/multi_process.py --mints                   # token mints of 100 mapped tasks

Share of the ceiling = contacts landed / (ceiling x the send phase), the send phase running from the
first add request the emulator logged to the last accepted one, plus one gap (so N requests exactly at
the limit score 100%). Refused = add requests answered 429 / all add requests.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from airflow_provider_sendpulse.emulator.config import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from airflow_provider_sendpulse.emulator.control import EmulatorControl

CONN_ID = "sendpulse_default"
TOKEN_PATH = "/oauth/access_token"
START_DELAY = 5.0
"""Seconds between spawning the processes and their common start (Python and Airflow import first)."""


def _is_add(entry: dict[str, Any]) -> bool:
    path = str(entry["path"])
    return entry["method"] == "POST" and path.startswith("/addressbooks/") and path.endswith("/emails")


def connection_env(url: str, extra: dict[str, Any]) -> dict[str, str]:
    """The environment of a worker: the Airflow connection to the emulator, with ``extra``."""
    conn = {
        "conn_type": "sendpulse",
        "host": url,
        "login": DEFAULT_CLIENT_ID,
        "password": DEFAULT_CLIENT_SECRET,
        "extra": extra,
    }
    return {**os.environ, f"AIRFLOW_CONN_{CONN_ID.upper()}": json.dumps(conn)}


def worker(list_id: int, first: int, count: int, batch_size: int, start_at: float) -> dict[str, Any]:
    """One process's import: ``count`` contacts from number ``first``, starting at ``start_at`` (epoch)."""
    from airflow_provider_sendpulse.hooks.sendpulse import SendPulseHook

    hook = SendPulseHook(CONN_ID)
    hook.get_conn().core.auth.token()  # mint before the common start (not an add request)
    contacts = ({"email": f"mp{n}@example.com"} for n in range(first, first + count))
    time.sleep(max(start_at - time.time(), 0.0))
    summary = hook.add_contacts(list_id, contacts, batch_size=batch_size)
    return {"sent": summary.contacts, "finished_at": time.time()}


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """A throw-away ``redis-server`` on loopback; yields its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed (Debian: apt-get install redis-server)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with tempfile.TemporaryDirectory() as tmp:
        process = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", tmp],
            stdout=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 10
            while True:
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                    break
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("redis-server did not start")
                time.sleep(0.05)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            process.terminate()
            process.wait(10)


def run_processes(
    control: EmulatorControl, processes: int, total: int, batch_size: int, extra: dict[str, Any]
) -> dict[str, Any]:
    """``processes`` workers importing ``total`` contacts between them into one account."""
    share = total // processes
    lists = [control.create_list(f"mp-{processes}-{n}-{time.time_ns()}") for n in range(processes)]
    control.clear_requests()
    start_at = time.time() + START_DELAY + 0.25 * processes
    with tempfile.TemporaryDirectory() as tmp:
        env = {**connection_env(control.url, extra), "TMPDIR": tmp}  # the host limiter's state file
        children = []
        for n, list_id in enumerate(lists):
            out = Path(tmp) / f"{n}.json"
            params = json.dumps([list_id, n * share, share, batch_size, start_at])
            command = [sys.executable, str(Path(__file__).resolve()), "--worker", params, str(out)]
            children.append((subprocess.Popen(command, env=env, stderr=subprocess.PIPE), out))
        results = []
        for child, out in children:
            _, err = child.communicate(timeout=1800)
            if child.returncode != 0:
                raise RuntimeError(f"import process failed:\n{err.decode(errors='replace')[-3000:]}")
            results.append(json.loads(out.read_text()))
    logged = control.requests()
    adds = [r for r in logged if _is_add(r)]
    refused = sum(1 for r in adds if r["status"] == 429)
    totals = {b["id"]: b["total"] for b in control.state(contacts_cap=0)["lists"]}
    landed = sum(int(totals[list_id]) for list_id in lists)
    rate = float(control.config()["rate_limit"])
    accepted = sorted(r["time"] for r in adds if r["status"] == 200)
    span = accepted[-1] - min(r["time"] for r in adds) + 1.0 / rate  # n at the ceiling take n / rate s
    return {
        "processes": processes,
        "contacts": share * processes,
        "landed": landed,
        "send_phase_s": round(span, 2),
        "late_start_s": round(max(min(r["time"] for r in adds) - start_at, 0.0), 2),
        "fraction_of_ceiling": round(landed / span / (rate * batch_size), 4),
        "add_requests": len(adds),
        "refused": refused,
        "refused_fraction": round(refused / len(adds), 4) if adds else 0.0,
        "token_mints": sum(1 for r in logged if r["path"] == TOKEN_PATH),
        "peak_requests_per_s": peak_window([r["time"] for r in adds if r["status"] != 429]),
    }


def peak_window(times: Sequence[float], window: float = 1.0) -> int:
    """Most accepted requests in any ``window``-second interval."""
    ordered = sorted(times)
    best = start = 0
    for end, t in enumerate(ordered):
        while ordered[start] <= t - window:
            start += 1
        best = max(best, end - start + 1)
    return best


def bench(
    control: EmulatorControl,
    *,
    counts: Sequence[int] = (1, 2, 4, 8),
    total: int = 200_000,
    batch_size: int = 1000,
    rate_limit: int = 10,
    repeats: int = 2,
    shared: bool = True,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Every process count: host limiter, adaptive limiter alone and (if ``shared`` and redis-server
    exists) shared through Redis."""
    modes: list[tuple[str, dict[str, Any]]] = [("host", {}), ("adaptive", {"rate_limit_store": "process"})]
    runs: list[dict[str, Any]] = []
    with contextlib.ExitStack() as stack:
        if shared:
            if shutil.which("redis-server"):
                url = stack.enter_context(redis_server())
                modes.append(("shared", {"rate_limit_store": url}))
            else:
                log("multi-process: redis-server is not installed; shared limiter rows left out")
        for repeat in range(repeats):
            for mode, extra in modes:
                for processes in counts:
                    control.reset()
                    control.configure(rate_limit=rate_limit)
                    run = run_processes(control, processes, total, batch_size, extra)
                    run.update(mode=mode, repeat=repeat)
                    runs.append(run)
                    log(
                        f"multi-process {mode} x{processes} #{repeat + 1}: "
                        f"{run['fraction_of_ceiling']:.1%} of ceiling, {run['refused']} refused "
                        f"of {run['add_requests']}, peak {run['peak_requests_per_s']}/s"
                    )
    control.reset()
    return {"rate_limit_rps": rate_limit, "batch_size": batch_size, "total": total, "runs": runs}


_TASK = """
import sys
from airflow_provider_sendpulse.client import ClientConfig, SendPulseClient, api
url, client_id, secret, folder = sys.argv[1:5]
config = ClientConfig(base_url=url, client_id=client_id, client_secret=secret, token_cache_dir=folder or None)
with SendPulseClient(config) as client:
    client.run(api.get_user_info())
"""


def token_mints(control: EmulatorControl, tasks: int = 100, concurrency: int = 8) -> dict[str, Any]:
    """Token mints of ``tasks`` mapped tasks (one fresh process each, ``concurrency`` at a time).

    Every task builds its client from scratch, as an Airflow task process does, and makes one call.
    Without the host cache each task mints; with it the host mints once per token lifetime (an hour),
    so the mints of one run shorter than that are the mints per hour.
    """
    result: dict[str, Any] = {"tasks": tasks, "concurrency": concurrency}
    for mode in ("process", "host_cache"):
        control.reset()
        control.configure(rate_limit=0)
        with tempfile.TemporaryDirectory() as tmp:
            folder = str(Path(tmp) / "tokens") if mode == "host_cache" else ""
            command = [
                sys.executable,
                "-c",
                _TASK,
                control.url,
                DEFAULT_CLIENT_ID,
                DEFAULT_CLIENT_SECRET,
                folder,
            ]
            started = time.perf_counter()
            running: list[subprocess.Popen[bytes]] = []
            for _ in range(tasks):
                if len(running) >= concurrency:
                    running.pop(0).wait(120)
                running.append(subprocess.Popen(command, stdout=subprocess.DEVNULL))
            codes = [child.wait(120) for child in running]
            seconds = time.perf_counter() - started
        logged = control.requests()
        result[mode] = {
            "token_mints": sum(1 for r in logged if r["path"] == TOKEN_PATH),
            "calls": sum(1 for r in logged if r["path"] == "/user/info" and r["status"] == 200),
            "seconds": round(seconds, 1),
            "failed_tasks": sum(1 for code in codes if code),
        }
    control.reset()
    return result


def summarize(runs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per mode and process count: worst, best and median share of the ceiling and refused fraction."""
    rows = []
    keys = sorted({(r["mode"], r["processes"]) for r in runs})
    for mode, processes in keys:
        group = [r for r in runs if r["mode"] == mode and r["processes"] == processes]
        shares = sorted(r["fraction_of_ceiling"] for r in group)
        refused = sorted(r["refused_fraction"] for r in group)
        rows.append(
            {
                "mode": mode,
                "processes": processes,
                "repeats": len(group),
                "share_min": shares[0],
                "share_max": shares[-1],
                "refused_min": refused[0],
                "refused_max": refused[-1],
                "refused_counts": [r["refused"] for r in group],
                "add_requests": max(r["add_requests"] for r in group),
                "peak_requests_per_s": max(r["peak_requests_per_s"] for r in group),
                "landed_all": all(r["landed"] == r["contacts"] for r in group),
            }
        )
    return rows


def _spread(low: float, high: float) -> str:
    return f"{low:.1%}" if low == high else f"{low:.1%}-{high:.1%}"


def evaluate(section: dict[str, Any]) -> list[tuple[str, str, str, bool]]:
    """The targets of this section: ``(name, wanted, measured, met)``; every run must meet them."""
    rows = {(r["mode"], r["processes"]): r for r in section["summary"]}
    targets = []
    alone = rows.get(("host", 1))
    if alone:
        targets.append(
            (
                "one process at the ceiling",
                ">= 95% of the ceiling, 0 refused",
                f"{_spread(alone['share_min'], alone['share_max'])}, refused {alone['refused_counts']}",
                alone["share_min"] >= 0.95 and alone["refused_max"] == 0,
            )
        )
    for mode, name in (
        ("host", "4 processes on one host, default limiter"),
        ("adaptive", "4 processes, adaptive limiter alone (as on 4 hosts)"),
    ):
        four = rows.get((mode, 4))
        if four:
            targets.append(
                (
                    name,
                    ">= 90% of the ceiling, <= 2% refused",
                    f"{_spread(four['share_min'], four['share_max'])}, "
                    f"refused {_spread(four['refused_min'], four['refused_max'])}",
                    four["share_min"] >= 0.90 and four["refused_max"] <= 0.02,
                )
            )
    shared = [r for r in section["summary"] if r["mode"] == "shared"]
    if shared:
        refused = sum(sum(r["refused_counts"]) for r in shared)
        targets.append(
            (
                "shared limiter: no refusals",
                "0 refused at every process count",
                ", ".join(f"x{r['processes']}: {sum(r['refused_counts'])}" for r in shared),
                refused == 0,
            )
        )
    landed = all(r["landed_all"] for r in section["summary"])
    targets.append(("multi-process contacts landed", "100%", "100%" if landed else "missing", landed))
    mints = section.get("mints")
    if mints:
        cached = mints["host_cache"]["token_mints"]
        targets.append(
            (
                f"token mints, {mints['tasks']} task processes",
                "about 1 per host per hour with the host cache",
                f"{mints['process']['token_mints']} without, {cached} with",
                cached <= 1 and mints["host_cache"]["failed_tasks"] == 0,
            )
        )
    return targets


def markdown(section: dict[str, Any]) -> list[str]:
    """The report section: one row per mode and process count, and the token mints."""
    out = [
        "## 6. Several processes on one account",
        "",
        f"{section['total']:,} contacts shared out between 1..N fresh processes, each importing into its own "
        f"list through `SendPulseHook.add_contacts` (batches of {section['batch_size']:,}), all starting "
        f"together against one emulator limiting the account at {section['rate_limit_rps']} requests/s. "
        "*host* (the default): the processes share one adaptive limiter's state through a file on the "
        "host; *adaptive*: each process adapts alone, as on separate hosts (`rate_limit_store=process`); "
        "*shared*: one limiter through a local `redis-server` (`rate_limit_store` = its URL). Share of "
        "the ceiling = contacts landed / (ceiling x send phase); refused = add requests answered 429. "
        "Ranges are the spread over the repeats (the machine is shared, so figures are noisy). "
        "See `benchmarks/multi_process.py`.",
        "",
        "| Limiter | Processes | Runs | Of ceiling | Refused | Refused requests | Peak (req/s) | Landed |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in section["summary"]:
        out.append(
            f"| {r['mode']} | {r['processes']} | {r['repeats']} | "
            f"{_spread(r['share_min'], r['share_max'])} | {_spread(r['refused_min'], r['refused_max'])} | "
            f"{' / '.join(map(str, r['refused_counts']))} | "
            f"{r['peak_requests_per_s']} | {'all' if r['landed_all'] else 'missing'} |"
        )
    mints = section.get("mints")
    if mints:
        out += [
            "",
            f"Token mints of {mints['tasks']} mapped tasks (a fresh process each, "
            f"{mints['concurrency']} at a time, one API call each; the run is shorter than a token's hour, "
            "so mints per run = mints per hour):",
            "",
            "| Tokens | Mints | Calls | Failed tasks | Seconds |",
            "|---|---|---|---|---|",
        ]
        for mode, label in (("process", "per process (default)"), ("host_cache", "host token cache")):
            m = mints[mode]
            out.append(
                f"| {label} | {m['token_mints']} | {m['calls']} | {m['failed_tasks']} | {m['seconds']} |"
            )
    return [*out, ""]


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: run the measurement and print one line per run and a summary."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--total", type=int, default=200_000, help="contacts shared out between processes")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--shared", action="store_true", help="also with the Redis-shared limiter")
    parser.add_argument("--mints", action="store_true", help="token mints of 100 mapped tasks instead")
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        params, out = args.worker
        Path(out).write_text(json.dumps(worker(*json.loads(params))))
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from hook_overhead import emulator_process

    with emulator_process() as url, EmulatorControl(url, timeout=600) as control:
        if args.mints:
            print(json.dumps(token_mints(control)))
            return
        result = bench(
            control, counts=args.processes, total=args.total, repeats=args.repeats, shared=args.shared
        )
    result["summary"] = summarize(result["runs"])
    print("\n".join(markdown(result)))


if __name__ == "__main__":
    main()
