"""docs/reliability.md, generated from the fault matrix, the bad-input catalogue and the last chaos run."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from rel_catalogue import CASES
from rel_matrix import CLIENT_RETRIES, CLIENT_TIMEOUT, EXPECTED, FAULTS, NOTES, TARGETS

DOC = Path(__file__).resolve().parents[2] / "docs" / "reliability.md"
CHAOS_BEGIN = "<!-- chaos figures: written by `python -m tests.reliability.report --chaos` -->"
CHAOS_END = "<!-- end of chaos figures -->"

INTRO = """# Reliability and security

What the provider does when SendPulse or the network misbehaves, measured against the emulator
(`airflow_provider_sendpulse.emulator`), and what it refuses before sending anything. Everything here is
a test in `tests/reliability/` and runs in `make test`. This page is generated: after changing the matrix
or the catalogue run `python -m tests.reliability.report` (add `--chaos` to refresh the chaos figures);
`test_rel_docs.py` fails while the page is stale.
"""

MATRIX_INTRO = f"""## Fault matrix

Every operator, the event sensor and the campaign trigger, against every fault, injected through the
emulator's `/_emulator/faults` on the route the task is about, after a warm token cache. The connection has
a {CLIENT_TIMEOUT:g} s timeout and {CLIENT_RETRIES} client retries; the task runs with Airflow-style retries
(up to 3 tries, `try_number` incremented, the task state store kept between tries, XComs not). Each case
then checks the emulator's state: no contact lost or duplicated, no list, campaign or SMS created twice.

Outcomes: **ok** (first try), **ok, try N** (a task retry was needed), **fails: E** (every try ends in the
typed error E, with nothing half done). Source: `tests/reliability/rel_matrix.py`,
`tests/reliability/test_rel_faults.py`.
"""

OTHER_SECTIONS = """## Triggerer restarts

`tests/triggers/test_tr_exactly_once.py` (hypothesis) rebuilds the event trigger from its serialized kwargs
at random points of short plans. `tests/reliability/test_rel_restarts.py` is the stress variant: a producer
adds 250 batches of subscribers while the trigger is killed hundreds of times, often in the middle of an
HTTP request, 20% of the batches it fires are lost before the cursor is committed (a triggerer dying
between firing and the task resuming), and 10% of the polling requests fail (500, 503, dropped
connection). Every subscriber is delivered exactly once and in order.

## Secrets

`tests/reliability/test_rel_secrets.py` runs every matrix scenario without faults and a selection with
faults (expired and revoked credentials, 5xx, lost and malformed answers, HTML pages, slow answers), once
with API ID and secret and once with a static API key, all loggers at DEBUG. It searches captured log
records and their arguments, stdout and stderr, task results, XComs, the task state store, trigger kwargs,
exception messages with their tracebacks, the client's and the config's `repr`, the emulator's request log
and state for the client secret, the API key and every access token the emulator issued
(`GET /_emulator/tokens`), also URL-encoded: zero hits. A DAG run through `dag.test()` (import, campaign,
a deferred campaign sensor run by the in-process triggerer, SMS, and a task failing on a SendPulse error),
with Airflow's logging at DEBUG, is scanned the same way: its output, every file of the Airflow home (task
logs) and the raw bytes of the metadata database (XComs, trigger kwargs). The only hits are Airflow's own:
at DEBUG its task runner logs each value handed to `mask_secret()` as it forwards it to the supervisor
(`Sending request ... msg=MaskSecret(value=...)`), so keep task logging at INFO or above. Error messages of
failed imports, sends and lookups name no subscriber email or phone number other than the one in question
(bad rows are named by position).

## Fuzzing the client's answer handling

`tests/reliability/test_rel_fuzz.py` feeds hypothesis-generated answers (wrong types, missing keys, nulls,
huge and non-finite numbers, HTML, truncated, binary and deeply nested JSON, odd `Retry-After` headers) to
every endpoint's reader, to the answer interpretation both clients share, to the OAuth token exchange and
through both transports end to end. Only `SendPulseError` subclasses escape. The inputs that need care,
each pinned by a named example: error codes written with non-ASCII digits or thousands of digits, JSON
nested deeper than the decoder's stack, `Retry-After: nan` or `inf` (no wait rather than a crash), token
answers that are not objects or carry a non-numeric or absurd `expires_in`, and a create call answered 2xx
with an unreadable body (an ambiguous create: looked up, never repeated blindly).
"""


def _cell(outcome: str) -> str:
    return outcome if outcome == "ok" else f"**{outcome}**"


def render_matrix() -> str:
    faults = list(FAULTS)
    lines = [MATRIX_INTRO, "| fault | what is injected |", "|---|---|"]
    lines += [f"| `{key}` | {FAULTS[key].label} |" for key in faults]
    lines += ["", "| task | route | " + " | ".join(f"`{key}`" for key in faults) + " |"]
    lines.append("|---|---|" + "---|" * len(faults))
    for key, target in TARGETS.items():
        cells = " | ".join(_cell(EXPECTED[key][fault]) for fault in faults)
        lines.append(f"| {target.label} | `{target.method} {target.path}` | {cells} |")
    lines += ["", "Notes:", ""]
    lines += [f"- {TARGETS[key].label}: {note}" for key, note in NOTES.items()]
    return "\n".join(lines) + "\n"


def render_catalogue() -> str:
    lines = [
        "## Bad input",
        "",
        f"{len(CASES)} wrong inputs and the exact error each raises, before any request is sent "
        "(`tests/reliability/rel_catalogue.py`, proven by `test_rel_bad_input.py`). Operator errors are "
        "`SendPulseInputError` (an `AirflowFailException`: no pointless retries); sensor and trigger "
        "arguments raise `ValueError` when the DAG file is parsed or the task starts; connection problems "
        "surface when the hook builds its client.",
        "",
        "| # | where | given | error | message |",
        "|---|---|---|---|---|",
    ]
    for n, case in enumerate(CASES, 1):
        given = case.given.replace("|", "\\|")
        message = case.message.replace("|", "\\|")
        lines.append(f"| {n} | {case.area} | `{given}` | {case.error} | {message} |")
    return "\n".join(lines) + "\n"


def render_chaos(figures: list[dict[str, Any]], command: str) -> str:
    """The chaos section from the figures of one or more runs (see ``rel_chaos.summary``)."""
    first = figures[0]
    lines = [
        CHAOS_BEGIN,
        "## Chaos run",
        "",
        "A whole workflow under a seeded random fault rate, each task retried as a DAG with `retries=5` "
        "would: create a list, import contacts from a CSV file, create a campaign and wait until it is sent "
        "(campaign trigger), record the subscriber position (event sensor), add 50 subscribers, detect "
        f"them. {first['fault_rate']:.0%} of all requests (token requests included) get one of: 429, 429 "
        "with error code 2020202020, 500, 502, 503, 504, an HTML 503 page, a dropped connection before or "
        "after the request took effect, an answer slower than the client timeout; and every access token "
        "is expired four times a second. The final state (lists, contacts with variables and statuses, "
        "campaigns with statuses and recipients, SMS) and the detected subscribers are compared with a "
        "fault-free run (`tests/reliability/rel_chaos.py`, `test_rel_chaos.py`).",
        "",
        f"Command: `{command}`",
        "",
        "| contacts | seed | requests | fault-free requests | faults injected | token expiries | client "
        "retries and re-mints (extra requests) | task retries | seconds (fault-free) | final state equal |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for f in figures:
        lines.append(
            f"| {f['contacts']:,} | {f['seed']} | {f['requests']} | {f['requests_fault_free']} | "
            f"{f['faults_injected']} ({f['observed_fault_share']:.0%}) | {f['token_expiries']} | "
            f"{f['extra_requests']} | {f['task_retries']} | {f['seconds']} ({f['seconds_fault_free']}) | "
            f"{'yes' if f['final_state_equal'] else '**no**'} |"
        )
    lines += [
        "",
        "Garbled HTTP 200 bodies are not in the random mix: the client does not retry an unreadable answer, "
        "so each fails a whole task try and an import then starts again from its first row (harmless, "
        "adding is an upsert, but slow for large imports); the fault matrix covers them.",
        "",
        "<details><summary>raw figures</summary>",
        "",
        "```json",
        json.dumps(figures, indent=1),
        "```",
        "",
        "</details>",
        CHAOS_END,
    ]
    return "\n".join(lines) + "\n"


def current_chaos(text: str) -> str:
    """The chaos section of an existing page (kept when the figures are not refreshed)."""
    match = re.search(re.escape(CHAOS_BEGIN) + r".*?" + re.escape(CHAOS_END) + r"\n?", text, re.DOTALL)
    return match.group(0) if match else f"{CHAOS_BEGIN}\n## Chaos run\n\nNot measured yet.\n{CHAOS_END}\n"


def render(chaos: str) -> str:
    return "\n".join([INTRO, render_matrix(), chaos, render_catalogue(), OTHER_SECTIONS])


def write(chaos: str | None = None) -> Path:
    """Rewrite docs/reliability.md (keeping the chaos section unless a new one is given)."""
    old = DOC.read_text() if DOC.exists() else ""
    DOC.write_text(render(chaos if chaos is not None else current_chaos(old)))
    return DOC
