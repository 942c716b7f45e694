"""How much CRM the SendPulse emulator holds, and what a `get-list` costs at that size.

Prints the traced Python allocations of 100,000 deals and 100,000 contacts in the CRM state, the resident
size of a real emulator process before and after seeding them over the admin API, and the mean time of
`POST /crm/v1/deals/get-list` and `/contacts/get-list` requests at that size (an idle poll that matches
nothing, a first page, a deep page).

    .venv/bin/python benchmarks/emulator_crm_capacity.py [--deals 100000] [--contacts 100000] [--requests 20]
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR) not in sys.path:
    sys.path.append(str(BENCH_DIR))  # last: its module names must not shadow anyone else's

from emulator_capacity import AUTH, free_port, rss_mib, start_emulator  # noqa: E402

from airflow_provider_sendpulse.emulator.control import EmulatorControl  # noqa: E402
from airflow_provider_sendpulse.emulator.crm import CrmState  # noqa: E402


def traced_crm_size(deals: int, contacts: int) -> tuple[float, float]:
    """MiB allocated for the deals and contacts in one CRM state, and seconds to create them."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    started = time.perf_counter()
    crm = CrmState(time.time)
    pipeline = crm.add_pipeline("Sales", ["New", "Won"])
    for n in range(deals):
        crm.create_deal(pipeline.id, pipeline.steps[0].id, name=f"Deal {n}", price=n % 1000)
    for n in range(contacts):
        crm.create_contact(crm.owner.id, f"contact{n}", "", emails=[f"contact{n}@example.com"])
    elapsed = time.perf_counter() - started
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return (after - before) / 2**20, elapsed


def mean_ms(client: httpx.Client, path: str, body: dict[str, Any], count: int) -> float:
    """Mean milliseconds of `count` identical POSTs (each must answer 200)."""
    started = time.perf_counter()
    for _ in range(count):
        response = client.post(path, json=body)
        response.raise_for_status()
    return (time.perf_counter() - started) / count * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, default=100_000)
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=20)
    options = parser.parse_args()

    mib, seconds = traced_crm_size(options.deals, options.contacts)
    print(
        f"CRM state, {options.deals:,} deals + {options.contacts:,} contacts: "
        f"{mib:.1f} MiB traced, built in {seconds:.2f} s"
    )

    port = free_port()
    process = start_emulator(port)
    url = f"http://127.0.0.1:{port}"
    try:
        empty = rss_mib(process.pid)
        with EmulatorControl(url, timeout=300) as control:
            pipeline = control.add_pipeline("Sales", ["New", "Won"])
            started = time.perf_counter()
            control.seed_deals(options.deals, pipeline["id"], pipeline["steps"][0]["id"])
            control.seed_crm_contacts(options.contacts)
            seeded_in = time.perf_counter() - started
            now = control.now()
        full = rss_mib(process.pid)
        print(
            f"emulator process RSS: {empty:.1f} MiB empty, {full:.1f} MiB with the CRM above "
            f"(+{full - empty:.1f} MiB; seeded over HTTP in {seeded_in:.2f} s)"
        )
        later = datetime.fromtimestamp(now + 60, UTC).isoformat()
        idle = {
            "filter": [{"name": "updatedAt", "expression": "gte", "value": later}],
            "sortBy": {"fieldName": "updatedAt", "direction": "asc"},
            "limit": 100,
        }
        with httpx.Client(base_url=url + "/crm/v1", headers=AUTH, timeout=60) as client:
            figures = {
                "deals get-list, idle poll (updatedAt >= future, nothing matches)": (
                    "/deals/get-list",
                    idle,
                ),
                "deals get-list, first page of 100 of all, by updatedAt": (
                    "/deals/get-list",
                    {"limit": 100, "sortBy": {"fieldName": "updatedAt", "direction": "asc"}},
                ),
                "deals get-list, last page of 100 by id": (
                    "/deals/get-list",
                    {"limit": 100, "offset": max(options.deals - 100, 0)},
                ),
                "contacts get-list, updateFrom today (everything matches), first page of 100": (
                    "/contacts/get-list",
                    {"limit": 100, "updateFrom": datetime.fromtimestamp(now, UTC).date().isoformat()},
                ),
            }
            for label, (path, body) in figures.items():
                print(f"{label}: {mean_ms(client, path, body, options.requests):.1f} ms per request")
    finally:
        process.terminate()
        process.wait(timeout=30)


if __name__ == "__main__":
    main()
