"""Token mints and per-call overhead of SendPulseHook, measured against the emulator.

Prints:
- token mints for 1,000 sequential hook calls in one process;
- token mints for 1,000 concurrent async calls (one event loop);
- the hook's per-call time against a bare ``requests.Session`` on the same emulator route, as a
  ratio of medians over several runs.

The client-side rate limit is raised for the overhead runs so the limiter does not dominate
(its cost of booking a slot is still included). Run: ``python benchmarks/hook_overhead.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import requests

from airflow_provider_sendpulse.client import ClientConfig, SendPulseClient, api
from airflow_provider_sendpulse.client.auth import reset_token_caches
from airflow_provider_sendpulse.client.transport import RawResponse
from airflow_provider_sendpulse.emulator.config import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from airflow_provider_sendpulse.emulator.control import EmulatorControl
from airflow_provider_sendpulse.hooks.sendpulse import SendPulseHook

CONN_ID = "sendpulse_bench"
TOKEN_PATH = "/oauth/access_token"


@contextmanager
def emulator_process() -> Iterator[str]:
    """The emulator in its own process (so it does not share the GIL with the measured client)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "airflow_provider_sendpulse.emulator", "--port", str(port)]
    process = subprocess.Popen([*command, "--rate-limit", "0"], stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"{url}/_emulator/config", timeout=1).raise_for_status()
                break
            except requests.RequestException:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the emulator did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def _use_connection(url: str, rate: float) -> None:
    conn = {
        "conn_type": "sendpulse",
        "host": url,
        "login": DEFAULT_CLIENT_ID,
        "password": DEFAULT_CLIENT_SECRET,
        "extra": {"max_requests_per_second": rate},
    }
    os.environ[f"AIRFLOW_CONN_{CONN_ID.upper()}"] = json.dumps(conn)


def _mints(control: EmulatorControl) -> int:
    return sum(1 for r in control.requests() if r["path"] == TOKEN_PATH)


def sequential_mints(control: EmulatorControl, calls: int) -> int:
    """Mints for ``calls`` sequential calls, each through a fresh hook (as separate tasks would)."""
    reset_token_caches()
    control.clear_requests()
    for _ in range(calls):
        SendPulseHook(CONN_ID).get_user_info()
    return _mints(control)


def concurrent_mints(control: EmulatorControl, calls: int) -> int:
    """Mints for ``calls`` concurrent async calls started cold."""
    reset_token_caches()
    control.clear_requests()

    async def run() -> None:
        async with await SendPulseHook(CONN_ID).get_async_client() as client:
            await asyncio.gather(*(client.run(api.get_user_info()) for _ in range(calls)))

    asyncio.run(run())
    return _mints(control)


def _timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def overhead(control: EmulatorControl, url: str, list_id: int, calls: int, runs: int) -> tuple[float, float]:
    """Median per-call seconds, hook vs bare session, on ``GET /addressbooks/{id}/emails/total``.

    Hook and bare calls alternate one by one, so drifts in machine load hit both alike; each run
    takes the median call, and the result is the median over runs.
    """
    hook = SendPulseHook(CONN_ID)
    hook.count_contacts(list_id)  # mint and warm up
    token = hook.get_conn().core.auth.token()
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    route = f"{url}/addressbooks/{list_id}/emails/total"

    def bare() -> object:
        response = session.get(route, timeout=30)
        response.raise_for_status()
        return response.json()["total"]

    def with_hook() -> object:
        return hook.count_contacts(list_id)

    bare()
    hook_medians, bare_medians = [], []
    for _ in range(runs):
        control.clear_requests()
        hook_samples, bare_samples = [], []
        for i in range(calls):
            first, second = (with_hook, bare) if i % 2 == 0 else (bare, with_hook)
            a, b = _timed(first), _timed(second)
            hook_samples.append(a if first is with_hook else b)
            bare_samples.append(b if first is with_hook else a)
        hook_medians.append(statistics.median(hook_samples))
        bare_medians.append(statistics.median(bare_samples))
    return statistics.median(hook_medians), statistics.median(bare_medians)


def client_side_cost(calls: int = 20_000) -> float:
    """Seconds the client adds per call with the network taken out (a canned answer)."""
    config = ClientConfig(api_key="benchmark", max_requests_per_second=1e9)
    client = SendPulseClient(config)
    answer = RawResponse(200, {"total": 1}, True)
    client.transport.send = lambda request, what: answer  # type: ignore[method-assign]
    started = time.perf_counter()
    for _ in range(calls):
        client.run(api.count_contacts(1))
    return (time.perf_counter() - started) / calls


def main() -> None:
    """Run the three measurements and print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000, help="calls for the mint counts")
    parser.add_argument("--overhead-calls", type=int, default=300, help="calls per overhead run")
    parser.add_argument("--runs", type=int, default=5, help="overhead runs (median taken)")
    args = parser.parse_args()

    with emulator_process() as url, EmulatorControl(url) as control:
        _use_connection(url, rate=100_000)
        list_id = control.create_list("bench")
        control.seed_contacts(list_id, 10)
        seq = sequential_mints(control, args.calls)
        conc = concurrent_mints(control, args.calls)
        hook_s, bare_s = overhead(control, url, list_id, args.overhead_calls, args.runs)

    print(f"token mints, {args.calls} sequential hook calls: {seq}")
    print(f"token mints, {args.calls} concurrent async calls: {conc}")
    print(
        f"per call: hook {hook_s * 1e3:.3f} ms, bare requests.Session {bare_s * 1e3:.3f} ms, "
        f"ratio {hook_s / bare_s:.2f}x, overhead {(hook_s - bare_s) * 1e6:.0f} us "
        f"(median of {args.runs} runs x {args.overhead_calls} alternating calls)"
    )
    print(f"client-side cost per call with the network taken out: {client_side_cost() * 1e6:.1f} us")


if __name__ == "__main__":
    main()
