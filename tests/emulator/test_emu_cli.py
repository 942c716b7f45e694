"""`python -m airflow_provider_sendpulse.emulator`: help text and a real start."""

from __future__ import annotations

import re
import subprocess
import sys
import time

import httpx

from airflow_provider_sendpulse.emulator.__main__ import build_parser


def test_help_documents_defaults() -> None:
    text = " ".join(build_parser().format_help().split())
    for option, default in [
        ("--host", "127.0.0.1"),
        ("--port", "8089"),
        ("--rate-limit", "10"),
        ("--token-ttl", "3600"),
        ("--campaign-step-seconds", "10.0"),
        ("--client-id", "sendpulse-emulator-id"),
        ("--campaign-limits", "True"),
    ]:
        assert option in text
        assert f"(default: {default})" in text


def test_serves_from_the_command_line_on_the_port_it_announces() -> None:
    command = [sys.executable, "-m", "airflow_provider_sendpulse.emulator", "--port", "0", "--api-key", "k1"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+) ", banner)
        assert match, (banner, process.stderr.read() if process.poll() is not None and process.stderr else "")
        port = int(match.group(1))
        assert port != 0
        deadline = time.monotonic() + 20
        while True:
            try:
                response = httpx.get(
                    f"http://127.0.0.1:{port}/balance", headers={"Authorization": "Bearer k1"}
                )
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stderr.read() if process.stderr else ""
                assert time.monotonic() < deadline
                time.sleep(0.1)
        assert response.status_code == 200
        assert response.json()["currency"] == "USD"
    finally:
        process.terminate()
        process.wait(10)
