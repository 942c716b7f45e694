"""The chaos run: a whole workflow under a seeded random fault rate, retried the way a DAG retries tasks.

Workflow: create a list, import contacts from a CSV file, create a campaign to the list and wait for it to be
sent (campaign trigger), record the subscriber position (event sensor), add new subscribers, detect them.
Faults: a share ``rate`` of all API requests (token route included) hit by one of several kinds at random,
and every access token expired each ``expire_every`` seconds. The final state is compared with a fault-free
run of the same workflow.

Garbled HTTP-200 bodies are left out of the random mix: the client does not retry an unreadable answer, so
each one fails a whole task try, and an import restarts from its first row (the fault matrix covers them).
"""

from __future__ import annotations

import asyncio
import csv
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from airflow.providers.common.compat.sdk import PokeReturnValue
from rel_context import TaskRun, make_context, run_with_retries

from airflow_provider_sendpulse.emulator.control import EmulatorControl
from airflow_provider_sendpulse.operators import (
    SendPulseAddContactsOperator,
    SendPulseCreateCampaignOperator,
    SendPulseCreateMailingListOperator,
)
from airflow_provider_sendpulse.sensors.events import SendPulseEventSensor
from airflow_provider_sendpulse.triggers.campaigns import SendPulseCampaignTrigger
from airflow_provider_sendpulse.waiting.campaigns import campaign_result

TASK_RETRIES = 5
"""``retries`` of every task, as in the DAG's default_args."""
NEW_SUBSCRIBERS = 50
HTML = "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>"


def _kinds(timeout: float) -> list[dict[str, Any]]:
    """The fault kinds of the random mix (each a set of ``add_fault`` arguments)."""
    return [
        {"status": 429},
        {"status": 429, "error_code": 2020202020},
        {"status": 500},
        {"status": 502},
        {"status": 503},
        {"status": 504},
        {"status": 503, "body": HTML},
        {"drop": True},
        {"drop": True, "after": True},
        {"delay": timeout * 2, "after": True},
    ]


def inject_chaos(emulator: EmulatorControl, rate: float, seed: int, timeout: float) -> None:
    """Rules that together hit a share ``rate`` of all requests, each kind equally often."""
    kinds = _kinds(timeout)
    # Rules are tried in order, each with its own probability: choose them so that every kind hits
    # rate / len(kinds) of all requests (the n-th rule sees only what the earlier ones spared).
    share = rate / len(kinds)
    left = 1.0
    for n, kind in enumerate(kinds):
        emulator.add_fault(
            method="*", path="**", times=None, probability=share / left, seed=seed * 1000 + n, **kind
        )
        left -= share


@contextmanager
def expiring_tokens(emulator: EmulatorControl, every: float | None) -> Iterator[list[int]]:
    """Expire all access tokens every ``every`` seconds in the background; yields the expiry count."""
    expired = [0]
    stop = threading.Event()

    def loop() -> None:
        while every and not stop.wait(every):
            emulator.expire_tokens()
            expired[0] += 1

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield expired
    finally:
        stop.set()
        thread.join()


@dataclass
class ChaosResult:
    """Figures and the normalised final state of one run."""

    contacts: int
    seed: int
    rate: float
    seconds: float = 0.0
    requests: int = 0
    faults: int = 0
    token_expiries: int = 0
    task_tries: dict[str, int] = field(default_factory=dict)
    detected: list[str] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def task_retries(self) -> int:
        return sum(tries - 1 for tries in self.task_tries.values())


def write_source(path: Path, count: int) -> Path:
    """A CSV file of ``count`` contacts with a name and a number."""
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["email", "name", "n"])
        for n in range(count):
            writer.writerow([f"subscriber{n}@example.com", f"Subscriber {n}", n])
    return path


def normalised_state(emulator: EmulatorControl, contacts_cap: int) -> dict[str, Any]:
    """The account without ids, times and counters that legitimately differ between runs."""
    state = emulator.state(contacts_cap=contacts_cap)
    return {
        "lists": sorted(
            (
                book["name"],
                book["total"],
                book["active"],
                sorted((c["email"], c["status"], sorted(c["variables"].items())) for c in book["contacts"]),
            )
            for book in state["lists"]
        ),
        "campaigns": sorted((c["name"], c["status"], c["recipients"]) for c in state["campaigns"]),
        "sms_campaigns": len(state["sms_campaigns"]),
    }


def _task(result: ChaosResult, name: str, attempt: Callable[[dict[str, Any]], Any]) -> Any:
    run: TaskRun = run_with_retries(name, attempt, tries=TASK_RETRIES + 1)
    result.task_tries[name] = run.tries
    if not run.succeeded:
        raise AssertionError(f"task {name} failed {run.tries} tries: {run.errors[-1]!r}")
    return run.result


def _wait_for_campaign(conn: str, campaign_id: int) -> dict[str, Any]:
    async def first_event() -> dict[str, Any]:
        trigger = SendPulseCampaignTrigger(
            campaign_id=campaign_id, sendpulse_conn_id=conn, poll_interval=0.05
        )
        async for event in SendPulseCampaignTrigger(**trigger.serialize()[1]).run():
            payload: dict[str, Any] = event.payload
            return payload
        raise AssertionError("the campaign trigger ended without an event")

    return campaign_result(asyncio.run(asyncio.wait_for(first_event(), 60)))


def _sensor(conn: str, list_id: int) -> SendPulseEventSensor:
    return SendPulseEventSensor(
        task_id="detect",
        event_type="new_subscriber",
        list_id=list_id,
        sendpulse_conn_id=conn,
        max_events=NEW_SUBSCRIBERS * 2,
        deferrable=False,
        mode="poke",
    )


def run_workflow(
    emulator: EmulatorControl,
    conn: str,
    workdir: Path,
    contacts: int,
    *,
    seed: int = 0,
    rate: float = 0.0,
    timeout: float = 0.5,
    expire_every: float | None = None,
) -> ChaosResult:
    """Run the workflow once (with faults when ``rate`` > 0) and return its figures and final state."""
    result = ChaosResult(contacts, seed, rate)
    source = write_source(workdir / "contacts.csv", contacts)
    started = time.monotonic()
    emulator.configure(campaign_step_seconds=0.05)
    emulator.clear_requests()
    if rate:
        inject_chaos(emulator, rate, seed, timeout)
    with expiring_tokens(emulator, expire_every) as expired:
        list_id = _task(
            result,
            "create_list",
            lambda ctx: SendPulseCreateMailingListOperator(
                task_id="create_list", sendpulse_conn_id=conn, name="Chaos"
            ).execute(ctx),
        )
        _task(
            result,
            "import",
            lambda ctx: SendPulseAddContactsOperator(
                task_id="import", sendpulse_conn_id=conn, list_id=list_id, path=str(source), batch_size=1000
            ).execute(ctx),
        )
        campaign = _task(
            result,
            "create_campaign",
            lambda ctx: SendPulseCreateCampaignOperator(
                task_id="create_campaign",
                sendpulse_conn_id=conn,
                list_ids=[list_id],
                subject="News",
                body_html="<h1>Hello {{name}}</h1>",
                sender_name="Shop",
                sender_email="sender@example.com",
            ).execute(ctx),
        )
        _task(result, "wait_for_campaign", lambda ctx: _wait_for_campaign(conn, campaign["id"]))

        def poke_until_found(ctx: dict[str, Any]) -> Any:
            for _ in range(100):
                answer = _sensor(conn, list_id).poke(ctx)
                if isinstance(answer, PokeReturnValue):
                    return answer.xcom_value
                time.sleep(0.01)
            raise AssertionError("no new subscribers detected")

        baseline = _sensor(conn, list_id)
        _task(
            result, "record_position", lambda ctx: baseline.poke(make_context("detect", 1, run_id="baseline"))
        )
        newcomers = [{"email": f"newcomer{n}@example.com", "n": n} for n in range(NEW_SUBSCRIBERS)]
        _task(
            result,
            "add_newcomers",
            lambda ctx: SendPulseAddContactsOperator(
                task_id="add_newcomers", sendpulse_conn_id=conn, list_id=list_id, contacts=newcomers
            ).execute(ctx),
        )
        events = _task(result, "detect_new_subscribers", poke_until_found)
    emulator.clear_faults()
    result.detected = [e["email"] for e in events]
    result.token_expiries = expired[0]
    log = emulator.requests()
    result.requests = len(log)
    result.faults = sum(1 for entry in log if entry.get("fault"))
    result.state = normalised_state(emulator, contacts + NEW_SUBSCRIBERS)
    result.seconds = time.monotonic() - started
    return result


def expected_fault_share(rate: float) -> tuple[float, float]:
    """A generous band around ``rate`` for a few hundred requests."""
    return max(rate - 0.1, 0.0), min(rate + 0.1, 1.0)


def summary(result: ChaosResult, clean: ChaosResult) -> dict[str, Any]:
    """The figures published in docs/reliability.md."""
    return {
        "contacts": result.contacts,
        "seed": result.seed,
        "fault_rate": result.rate,
        "requests": result.requests,
        "requests_fault_free": clean.requests,
        "faults_injected": result.faults,
        "observed_fault_share": round(result.faults / max(result.requests, 1), 3),
        "token_expiries": result.token_expiries,
        "task_retries": result.task_retries,
        "task_tries": dict(result.task_tries),
        "extra_requests": result.requests - clean.requests,
        "seconds": round(result.seconds, 1),
        "seconds_fault_free": round(clean.seconds, 1),
        "final_state_equal": result.state == clean.state and result.detected == clean.detected,
    }
