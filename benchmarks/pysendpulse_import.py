"""The bulk import done with SendPulse's official Python client, ``pysendpulse==0.1.8``.

``PySendPulse.add_emails_to_addressbook`` is called in a loop over batches of a CSV file, as a user of
that client would write it. The client keeps its token in a file (``storage_type="FILE"``, here in a
fresh temporary folder, so each run mints once), sends every request on a new connection, does not pace
its requests and turns failures, rate-limit answers included, into a returned dict instead of an
exception: what landed is read from the emulator at the end.

    python benchmarks/pysendpulse_import.py [--rows 100000] [--batch-size 1000] [--rate-limit 10]
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import logging
import resource
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from airflow_provider_sendpulse.emulator.config import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from airflow_provider_sendpulse.emulator.control import EmulatorControl

TOKEN_PATH = "/oauth/access_token"


def official_client(url: str, token_dir: str) -> Any:
    """A ``PySendPulse`` whose base URL is ``url``, caching its token in a file under ``token_dir``."""
    from pysendpulse.pysendpulse import PySendPulse

    # Its logger has its own handler; keep the level a fresh interpreter would have (warnings only).
    logging.getLogger("pysendpulse.pysendpulse").setLevel(logging.WARNING)

    class EmulatorPySendPulse(PySendPulse):  # type: ignore[misc]
        # The client keeps its base URL in a name-mangled class attribute.
        _PySendPulse__api_url = url

    return EmulatorPySendPulse(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, "FILE", token_dir.rstrip("/") + "/")


def read_batches(path: Path, batch_size: int) -> Iterator[list[dict[str, Any]]]:
    """Batches of ``{"email", "variables"}`` from a CSV file with an ``email`` column, streamed."""
    batch: list[dict[str, Any]] = []
    with path.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            email = row.pop("email")
            batch.append({"email": email, "variables": row})
            if len(batch) == batch_size:
                yield batch
                batch = []
    if batch:
        yield batch


def failed(answer: Any) -> bool:
    """Whether a value returned by the official client reports an error."""
    if not isinstance(answer, dict):
        return True
    data = answer.get("data")
    return bool(answer.get("is_error")) or (isinstance(data, dict) and bool(data.get("is_error")))


def rss_peak_mib() -> float:
    """Peak resident set size of this process so far, in MiB.

    Read from ``VmHWM``: ``ru_maxrss`` survives ``exec`` on Linux, so in a worker started by a large
    parent it reports the parent's size.
    """
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def official_import(control: EmulatorControl, path: Path, rows: int, batch_size: int) -> dict[str, Any]:
    """Import ``path`` into a new list with pysendpulse; wall time, answers and what landed."""
    list_id = control.create_list(f"official-{rows}-{batch_size}-{time.time_ns()}")
    control.clear_requests()
    errors = calls = 0
    rss_before = rss_peak_mib()
    with tempfile.TemporaryDirectory() as token_dir:
        started = time.perf_counter()
        client = official_client(control.url, token_dir)
        for batch in read_batches(path, batch_size):
            calls += 1
            errors += failed(client.add_emails_to_addressbook(list_id, batch))
        wall = time.perf_counter() - started
    rss_peak = rss_peak_mib()
    in_list = next(b["total"] for b in control.state(contacts_cap=0)["lists"] if b["id"] == list_id)
    return {
        "list_id": list_id,
        "wall_s": wall,
        "calls": calls,
        "errors_returned": errors,
        "in_list": int(in_list),
        "rss_before_mib": round(rss_before, 1),
        "rss_peak_mib": round(rss_peak, 1),
    }


def main() -> None:
    """Start an emulator process, import a generated CSV file once, print the figures as JSON."""
    import hook_overhead
    import import_contacts

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--rate-limit", type=int, default=10, help="emulator requests/s (0 = off)")
    args = parser.parse_args()
    with (
        hook_overhead.emulator_process() as url,
        EmulatorControl(url, timeout=300) as control,
        tempfile.TemporaryDirectory() as tmp,
    ):
        control.configure(rate_limit=args.rate_limit)
        path = Path(tmp) / "contacts.csv"
        import_contacts.write_csv(path, args.rows)
        result = official_import(control, path, args.rows, args.batch_size)
        logged = control.requests()
    result["requests"] = len(logged)
    result["rate_limited"] = sum(1 for r in logged if r["status"] == 429)
    result["token_mints"] = sum(1 for r in logged if r["path"] == TOKEN_PATH)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
