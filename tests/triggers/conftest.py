"""Fixtures for trigger tests: connections to the emulator without a tight rate limit, and an emulator
in a process of its own."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest
from account_zone import emulator_connection

from airflow_provider_sendpulse.emulator.control import EmulatorControl


@pytest.fixture
def fast_conn(emulator: EmulatorControl, monkeypatch: pytest.MonkeyPatch) -> str:
    """Connection ``sendpulse_fast`` to the emulator: client limit 1000 req/s, no client retries."""
    connection = emulator_connection(emulator.url, max_requests_per_second=1000, max_retries=0)
    monkeypatch.setenv("AIRFLOW_CONN_SENDPULSE_FAST", json.dumps(connection))
    return "sendpulse_fast"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def emulator_process() -> Iterator[str]:
    """Base URL of an emulator in its own process, so that its work does not compete with the event loop
    under test for the interpreter lock (rate and campaign limits off, request bodies recorded)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "airflow_provider_sendpulse.emulator", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--rate-limit", "0", "--no-campaign-limits", "--record-bodies"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/_emulator/state", timeout=1).status_code == 200:
                    break
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
