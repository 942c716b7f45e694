"""How much the SendPulse emulator holds and serves.

Prints the memory taken by 1,000,000 contacts in one list (traced Python allocations of the contact store,
and the resident size of a real emulator process before and after seeding), how fast listing pages of that
list is, and how many requests per second the emulator serves on loopback with the rate limit off.

    .venv/bin/python benchmarks/emulator_capacity.py [--contacts 1000000] [--seconds 5] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import socket
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import httpx

from airflow_provider_sendpulse.emulator.config import DEFAULT_API_KEY
from airflow_provider_sendpulse.emulator.contacts import ContactStore
from airflow_provider_sendpulse.emulator.control import EmulatorControl

AUTH = {"Authorization": f"Bearer {DEFAULT_API_KEY}"}


def traced_store_size(count: int) -> tuple[float, float]:
    """MiB allocated for `count` contacts in one store, and seconds to add them."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    started = time.perf_counter()
    store = ContactStore()
    store.bulk_add([f"user{n}@example.com" for n in range(count)], None, now=int(time.time()))
    elapsed = time.perf_counter() - started
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert len(store) == count
    return (after - before) / 2**20, elapsed


def rss_mib(pid: int) -> float:
    """Resident set size of a process, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_emulator(port: int) -> subprocess.Popen[bytes]:
    """An emulator process with the rate limit off, ready for requests."""
    command = [
        sys.executable,
        "-m",
        "airflow_provider_sendpulse.emulator",
        "--port",
        str(port),
        "--rate-limit",
        "0",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/_emulator/clock").raise_for_status()
            return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("emulator did not start")


async def load(port: int, paths: list[str], seconds: float, concurrency: int) -> tuple[int, int]:
    """Requests completed (and how many were not 200) by `concurrency` keep-alive connections in `seconds`.

    A bare HTTP/1.1 client keeps the load generator cheap, so the numbers describe the server rather than
    the client library (both share the machine).
    """
    done = failed = 0
    stop = time.monotonic() + seconds
    requests = [
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {AUTH['Authorization']}\r\n\r\n".encode()
        for path in paths
    ]

    async def worker(offset: int) -> None:
        nonlocal done, failed
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        n = offset
        while time.monotonic() < stop:
            writer.write(requests[n % len(requests)])
            n += 1
            status_line = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            done += 1
            failed += not status_line.startswith(b"HTTP/1.1 200")
        writer.close()

    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    return done, failed


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()

    traced, seconds = traced_store_size(args.contacts)
    print(f"contact store, {args.contacts:,} contacts: {traced:.1f} MiB traced, built in {seconds:.2f} s")

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = start_emulator(port)
    try:
        with EmulatorControl(url, timeout=300) as control:
            empty = rss_mib(process.pid)
            list_id = control.create_list("Capacity")
            started = time.perf_counter()
            control.seed_contacts(list_id, args.contacts)
            seeded_in = time.perf_counter() - started
            full = rss_mib(process.pid)
        print(
            f"emulator process RSS: {empty:.1f} MiB empty, {full:.1f} MiB with {args.contacts:,} contacts "
            f"(+{full - empty:.1f} MiB, {(full - empty) * 2**20 / args.contacts:.0f} B/contact; "
            f"seeded over HTTP in {seeded_in:.2f} s)"
        )
        deep = max(0, args.contacts - 100)
        pages = [f"/addressbooks/{list_id}/emails?limit=100&offset={o}" for o in (0, deep // 2, deep)]
        done, failed = asyncio.run(load(port, pages, args.seconds, args.concurrency))
        print(
            f"list pages of 100 (offsets 0..{deep:,}): "
            f"{done / args.seconds:,.0f} requests/s ({failed} not 200)"
        )
        small = ["/balance", f"/addressbooks/{list_id}/emails/total", f"/addressbooks/{list_id}"]
        done, failed = asyncio.run(load(port, small, args.seconds, args.concurrency))
        print(
            f"small requests, rate limit off, {args.concurrency} concurrent clients on loopback: "
            f"{done / args.seconds:,.0f} requests/s ({failed} not 200)"
        )
    finally:
        process.terminate()
        process.wait(10)


if __name__ == "__main__":
    main()
