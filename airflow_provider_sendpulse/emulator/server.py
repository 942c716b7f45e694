"""Serving the emulator with uvicorn, in the foreground (CLI) or on a background thread (tests)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

from .app import create_app
from .config import EmulatorConfig


def bind_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port``; port 0 lets the system pick a free one (see ``getsockname``)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


class EmulatorServer:
    """An emulator on a background thread; `url` is its base URL once `start()` returned."""

    def __init__(self, config: EmulatorConfig | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.config = config or EmulatorConfig()
        self.host = host
        self.port = port
        self.app = create_app(self.config)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Base URL, e.g. `http://127.0.0.1:43117`."""
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> str:
        """Start serving and wait until connections are accepted; returns the base URL."""
        sock = bind_socket(self.host, self.port)
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self.app, log_level="warning", access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name="sendpulse-emulator", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"SendPulse emulator did not start on {self.url}")
            time.sleep(0.01)
        with socket.create_connection((self.host, self.port), timeout=timeout):
            pass
        return self.url

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving and wait for the thread to end."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
        self._server = None
        self._thread = None


@contextmanager
def run_emulator(host: str = "127.0.0.1", port: int = 0, **options: Any) -> Iterator[str]:
    """Run an emulator on a free port in a background thread and yield its base URL.

    `options` are `EmulatorConfig` fields: client_id, client_secret, api_key, rate_limit (0 or None: off),
    token_ttl, campaign_step_seconds, campaign_limits, seed.
    """
    server = EmulatorServer(EmulatorConfig(**options), host=host, port=port)
    url = server.start()
    try:
        yield url
    finally:
        server.stop()
