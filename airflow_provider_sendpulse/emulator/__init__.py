"""An emulator of the SendPulse REST API, for offline tests, demos and benchmarks.

Start it with ``python -m airflow_provider_sendpulse.emulator --port 8089`` or, from Python, with
``run_emulator()`` (a context manager yielding the base URL of a server on a free port)::

    with run_emulator(rate_limit=0) as url:
        ...

It serves SendPulse's routes (``/oauth/access_token``, ``/addressbooks...``, ``/emails...``,
``/campaigns...``, ``/senders``, ``/templates``, ``/template...``, ``/balance``, ``/user/...``, ``/sms/...``)
with SendPulse's field names, answer shapes, status codes and error envelope, from an in-memory account.
Default credentials: client id ``sendpulse-emulator-id``, secret ``sendpulse-emulator-secret``, static API key
``sendpulse-emulator-api-key`` (sent as ``Authorization: Bearer <key>``). An active sender
``sender@example.com`` and three SendPulse-owned templates exist from the start.

Admin API (no auth; ``EmulatorControl`` wraps it):

- ``GET /_emulator/state[?contacts_cap=N]`` -- lists with their contacts, campaigns with statuses, SMS
  campaigns, senders, templates, settings.
- ``GET /_emulator/requests`` -- every API request received, oldest first:
  ``{"method", "path", "query", "status", "time", "account"}`` (time in epoch seconds on the emulator clock;
  status null for a dropped connection). ``DELETE`` clears it.
- ``POST /_emulator/reset`` -- empty account, start-up settings, no faults, empty log, clock at wall time.
- ``POST /_emulator/expire-tokens`` -- every minted token becomes unknown (401); the API key keeps working.
- ``GET|POST /_emulator/clock`` -- ``{"advance": seconds}`` moves emulator time forward.
- ``GET|POST|DELETE /_emulator/faults`` -- ``{"method": "POST", "path": "/addressbooks/*/emails",
  "times": 3}`` plus ``"status"`` (and ``"error_code"``, ``"message"``), ``"delay"`` (seconds),
  ``"drop": true`` (close the connection without an answer) or ``"body"`` (raw body, e.g. an HTML 500 page;
  ``"content_type"``); ``"after": true`` runs the route first, then drops, replaces or delays its answer;
  ``"probability"`` (with ``"seed"``) hits only that share of matching requests. ``*`` matches within a
  path segment, ``**`` across segments; ``times: null`` = forever.
- ``GET /_emulator/tokens`` -- every access token minted since the last reset, expired ones included.
- ``GET|POST /_emulator/config`` -- ``rate_limit`` (0 = off), ``token_ttl``, ``campaign_step_seconds``,
  ``campaign_limits``, ``timezone`` (the account's IANA zone: dates are read and written in it).
- ``POST /_emulator/lists`` ``{"name"}`` -- create a list; ``POST /_emulator/seed`` ``{"list_id", "count",
  "prefix", "variables"}`` -- append active contacts ``<prefix><n>@example.com`` in bulk.

See docs/emulator.md for the behaviour in detail and where it departs from the vendor's OpenAPI documents.
"""

from __future__ import annotations

from .app import Emulator, create_app
from .config import EmulatorConfig
from .server import EmulatorServer, run_emulator

__all__ = ["Emulator", "EmulatorConfig", "EmulatorServer", "create_app", "run_emulator"]
