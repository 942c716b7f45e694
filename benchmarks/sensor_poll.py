"""What event polling costs: requests per poll by list size, and many triggers in one event loop.

Part 1 counts, from the emulator's request log, the requests of one ``new_subscriber`` poll on lists of
1,000 / 100,000 / 1,000,000 contacts: idle, with 10 new contacts, and with adds and removals that
cancel out in the total. Part 2 runs 1,000 ``SendPulseEventTrigger``s in one event loop against one
emulator process (contacts arrive halfway) and reports memory per trigger, the longest event-loop
stall (10 ms probe ticks; Airflow's import heap frozen with ``gc.freeze()``, full collections reported
apart), token mints and the peak requests per second the emulator saw.

    .venv/bin/python benchmarks/sensor_poll.py [--sizes 1000,100000,1000000] [--triggers 1000]
        [--lists 50] [--seconds 30] [--poll-interval 5] [--max-rps 100000] [--no-freeze]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import gc
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from airflow_provider_sendpulse.emulator.config import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from airflow_provider_sendpulse.emulator.control import EmulatorControl
from airflow_provider_sendpulse.events import drive, get_event_source
from airflow_provider_sendpulse.hooks.sendpulse import SendPulseHook
from airflow_provider_sendpulse.triggers.events import SendPulseEventTrigger

TOKEN_PATH = "/oauth/access_token"
CONN_ID = "sendpulse_bench"


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_mib() -> float:
    """Resident set size of this process, in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


@contextlib.contextmanager
def emulator_process() -> Iterator[str]:
    """An emulator in its own process (rate limit off), so it does not share our interpreter lock."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "airflow_provider_sendpulse.emulator", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--rate-limit", "0", "--no-campaign-limits"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/_emulator/state?contacts_cap=0", timeout=1).status_code == 200:
                    break
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def use_connection(url: str, max_rps: float) -> None:
    """Point the ``sendpulse_bench`` connection at the emulator (client-side limit ``max_rps``)."""
    os.environ["AIRFLOW_CONN_SENDPULSE_BENCH"] = json.dumps(
        {
            "conn_type": "sendpulse",
            "host": url,
            "login": DEFAULT_CLIENT_ID,
            "password": DEFAULT_CLIENT_SECRET,
            "extra": {"max_requests_per_second": max_rps, "max_retries": 0},
        }
    )


def api_requests(control: EmulatorControl) -> list[dict[str, Any]]:
    return [r for r in control.requests() if r["path"] != TOKEN_PATH]


# --- part 1 ---------------------------------------------------------------------------------


def poll_costs(control: EmulatorControl, size: int) -> dict[str, Any]:
    """Requests of one poll: idle, 10 new contacts, and adds + removals that cancel out."""
    list_id = control.create_list(f"bench-{size}")
    control.seed_contacts(list_id, size, "old")
    source = get_event_source("new_subscriber", {"list_id": list_id})
    client = SendPulseHook(CONN_ID).get_conn()
    cursor = drive(client, source.poll(None, 100)).cursor

    def one_poll() -> tuple[int, int]:
        nonlocal cursor
        control.clear_requests()
        result = drive(client, source.poll(cursor, 100))
        cursor = result.cursor
        return len(api_requests(control)), len(result.events)

    idle, _ = one_poll()
    control.seed_contacts(list_id, 10, "new")
    new_requests, new_events = one_poll()
    SendPulseHook(CONN_ID).remove_contacts(list_id, ["old5@example.com"])
    control.seed_contacts(list_id, 1, "swap")
    swap_requests, swap_events = one_poll()
    return {
        "contacts": size,
        "idle_poll_requests": idle,
        "poll_with_10_new_requests": new_requests,
        "events_10_new": new_events,
        "add_and_remove_cancel_out_requests": swap_requests,
        "events_cancel_out": swap_events,
    }


# --- part 2 ---------------------------------------------------------------------------------


async def run_triggers(
    control: EmulatorControl, lists: list[int], count: int, seconds: float, poll_interval: float
) -> dict[str, Any]:
    rss_before = rss_mib()
    triggers = [
        SendPulseEventTrigger(
            event_type="new_subscriber",
            event_params={"list_id": lists[i % len(lists)]},
            sendpulse_conn_id=CONN_ID,
            poll_interval=poll_interval,
        )
        for i in range(count)
    ]
    fired = 0

    async def consume(trigger: SendPulseEventTrigger) -> None:
        nonlocal fired
        async for _event in trigger.run():
            fired += 1

    pauses: list[float] = []

    def on_gc(phase: str, info: dict[str, Any], started: list[float] = [0.0]) -> None:  # noqa: B006
        if phase == "start":
            started[0] = time.perf_counter()
        elif info["generation"] == 2:
            pauses.append(time.perf_counter() - started[0])

    gc.callbacks.append(on_gc)
    loop = asyncio.get_running_loop()
    tasks = [asyncio.create_task(consume(t)) for t in triggers]
    worst, worst_at, rss_running = 0.0, 0.0, 0.0
    started = time.perf_counter()
    added = False
    while (elapsed := time.perf_counter() - started) < seconds:
        before = time.perf_counter()
        await asyncio.sleep(0.01)
        lateness = time.perf_counter() - before - 0.01
        if lateness > worst:
            worst, worst_at = lateness, elapsed
        if not added and elapsed > seconds / 2:
            added = True
            rss_running = rss_mib()  # every trigger has polled and idles between polls
            for list_id in lists:
                loop.run_in_executor(None, control.seed_contacts, list_id, 20, "late")
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    gc.callbacks.remove(on_gc)
    return {
        "triggers": count,
        "poll_interval_s": poll_interval,
        "seconds": seconds,
        "batches_fired": fired,
        "rss_mib_before": round(rss_before, 1),
        "rss_mib_running": round(rss_running, 1),
        "memory_per_trigger_kib": round((rss_running - rss_before) * 1024 / count, 1),
        "longest_loop_stall_ms": round(worst * 1000, 1),
        "longest_stall_at_s": round(worst_at, 1),
        "full_gc_pauses_ms": [round(p * 1000, 1) for p in pauses],
    }


def peak_rate(requests: list[dict[str, Any]]) -> int:
    per_second = collections.Counter(int(r["time"]) for r in requests)
    return max(per_second.values(), default=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,100000,1000000")
    parser.add_argument("--triggers", type=int, default=1000)
    parser.add_argument("--lists", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--poll-interval", type=float, default=5.0)
    parser.add_argument("--max-rps", type=float, default=100_000, help="client-side limit per account")
    parser.add_argument("--no-freeze", action="store_true", help="leave the import heap to the collector")
    args = parser.parse_args()

    report: dict[str, Any] = {}
    with emulator_process() as url, EmulatorControl(url, timeout=300) as control:
        use_connection(url, args.max_rps)
        report["polls"] = [poll_costs(control, int(size)) for size in args.sizes.split(",") if size]
        for row in report["polls"]:
            print(json.dumps(row))

        control.reset()
        lists = [control.create_list(f"load-{i}") for i in range(args.lists)]
        for list_id in lists:
            control.seed_contacts(list_id, 1000)
        control.clear_requests()
        gc.collect()
        gc.freeze()
        result = asyncio.run(run_triggers(control, lists, args.triggers, args.seconds, args.poll_interval))
        gc.unfreeze()
        logged = control.requests()
        result["token_mints"] = sum(1 for r in logged if r["path"] == TOKEN_PATH)
        result["api_requests"] = sum(1 for r in logged if r["path"] != TOKEN_PATH)
        result["peak_requests_per_second"] = peak_rate(logged)
        report["triggers"] = result
        print(json.dumps(result))


if __name__ == "__main__":
    main()
