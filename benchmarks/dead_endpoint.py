"""How long the connection Test takes against a SendPulse base URL where nothing listens.

Usage: ``.venv/bin/python benchmarks/dead_endpoint.py`` (defaults: 5 retries, 30 s timeout).
Prints the elapsed time, the number of connection attempts and the message the Test button shows.
"""

from __future__ import annotations

import json
import os
import socket
import time
from unittest import mock

import requests


def free_port() -> int:
    """A loopback port nothing listens on (bound once, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def main() -> None:
    """Run one Test of a connection to a dead endpoint and print what it cost."""
    conn = {"conn_type": "sendpulse", "login": "id", "password": "secret"}
    conn["host"] = f"http://127.0.0.1:{free_port()}"
    os.environ["AIRFLOW_CONN_SENDPULSE_DEAD"] = json.dumps(conn)
    from airflow_provider_sendpulse.hooks.sendpulse import SendPulseHook

    attempts = 0
    real_send = requests.Session.send

    def counting_send(self: requests.Session, request: requests.PreparedRequest, **kwargs: object) -> object:
        nonlocal attempts
        attempts += 1
        return real_send(self, request, **kwargs)

    with mock.patch.object(requests.Session, "send", counting_send):
        started = time.monotonic()
        ok, message = SendPulseHook("sendpulse_dead").test_connection()
        elapsed = time.monotonic() - started
    print(f"test_connection against a dead endpoint: {elapsed:.1f} s, {attempts} attempts, ok={ok}")
    print(f"message: {message}")


if __name__ == "__main__":
    main()
