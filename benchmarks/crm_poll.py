"""What CRM event polling costs: requests per poll of every CRM event type, by number of deals/contacts.

For each size, deals (spread over the last 100 days, 20 per second, a few won, lost or moved) or contacts
are seeded in the emulator; each event type records its position, then one idle poll and one poll after
10 changes are counted (requests the detection sends, the token mint left out) and timed.

Contacts are measured twice: created over the last 100 days, and all created today, because their
filter is a day: ``crm_contact_updated`` reads every contact changed since the position's day.

    .venv/bin/python benchmarks/crm_poll.py [--sizes 1000,100000]
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from airflow_provider_sendpulse.client.api import Call
from airflow_provider_sendpulse.emulator.control import EmulatorControl
from airflow_provider_sendpulse.events import drive, get_event_source
from airflow_provider_sendpulse.hooks.sendpulse import SendPulseHook

DEAL_TYPES = ("deal_created", "deal_updated", "deal_stage_changed", "deal_won", "deal_lost")
CONTACT_TYPES = ("crm_contact_created", "crm_contact_updated")
DAYS = 100
PER_SECOND = 20
"""Records created in one second when seeding (a busy account, not a bulk import)."""
DAY = 86_400
CHANGES = 10


class Counting:
    """A client that counts the calls one detection makes."""

    def __init__(self, conn_id: str) -> None:
        self.client = SendPulseHook(conn_id).get_conn()
        self.calls = 0

    def run(self, call: Call[Any]) -> Any:
        self.calls += 1
        return self.client.run(call)


def _measure(runner: Counting, event_type: str, cursor: dict[str, Any]) -> tuple[int, float, int, Any]:
    runner.calls = 0
    started = time.perf_counter()
    result = drive(runner, get_event_source(event_type).poll(cursor, 100))
    return runner.calls, time.perf_counter() - started, len(result.events), result.cursor


def _spread(control: EmulatorControl, size: int, seed: Any) -> None:
    """Seed ``size`` records over the last ``DAYS`` days, at most ``PER_SECOND`` sharing a second."""
    now = int(control.now())
    seconds = -(-size // PER_SECOND)
    step = DAYS * DAY // seconds
    for n in range(seconds):
        seed(min(PER_SECOND, size - n * PER_SECOND), now - DAYS * DAY + n * step)


def deal_costs(control: EmulatorControl, conn_id: str, size: int) -> list[dict[str, Any]]:
    """Idle and 10-change poll costs of every deal event type with ``size`` deals."""
    control.reset()
    pipeline = control.add_pipeline("Sales", ["New", "Offer", "Closing"])
    pipeline_id, steps = int(pipeline["id"]), [int(s["id"]) for s in pipeline["steps"]]
    _spread(control, size, lambda n, created: control.seed_deals(n, pipeline_id, steps[0], created=created))
    newest = [d["id"] for d in control.crm_state(cap=CHANGES * 4)["deals"]]
    for deal_id in newest[:3]:
        control.move_deal(deal_id, steps[1])
    control.win_deal(newest[3])
    control.lose_deal(newest[4])
    control.advance_clock(1)
    runner = Counting(conn_id)
    cursors = {t: drive(runner, get_event_source(t).poll(None, 100)).cursor for t in DEAL_TYPES}
    rows = {t: {"event_type": t, "records": size} for t in DEAL_TYPES}
    for event_type, cursor in cursors.items():
        calls, seconds, _, cursors[event_type] = _measure(runner, event_type, cursor)
        rows[event_type].update(idle_requests=calls, idle_s=round(seconds, 3))
    control.advance_clock(1)
    changed = newest[CHANGES : CHANGES * 2]
    control.seed_deals(2, pipeline_id, steps[0], prefix="Fresh")
    for n, deal_id in enumerate(changed):
        if n % 3 == 0:
            control.move_deal(deal_id, steps[2])
        elif n % 3 == 1:
            control.win_deal(deal_id)
        else:
            control.update_deal(deal_id, price=n + 1)
    for event_type, cursor in cursors.items():
        calls, seconds, events, _ = _measure(runner, event_type, cursor)
        rows[event_type].update(changed_requests=calls, changed_events=events, changed_s=round(seconds, 3))
    return list(rows.values())


def contact_costs(control: EmulatorControl, conn_id: str, size: int, spread: bool) -> list[dict[str, Any]]:
    """Idle and 10-change poll costs of the contact event types with ``size`` contacts."""
    control.reset()
    if spread:
        _spread(control, size, lambda n, created: control.seed_crm_contacts(n, created=created))
    else:
        control.seed_crm_contacts(size)
    control.advance_clock(1)
    runner = Counting(conn_id)
    cursors = {t: drive(runner, get_event_source(t).poll(None, 100)).cursor for t in CONTACT_TYPES}
    label = f"{size:,} over {DAYS} days" if spread else f"{size:,} all today"
    rows = {t: {"event_type": t, "records": size, "contacts": label} for t in CONTACT_TYPES}
    for event_type, cursor in cursors.items():
        calls, seconds, _, cursors[event_type] = _measure(runner, event_type, cursor)
        rows[event_type].update(idle_requests=calls, idle_s=round(seconds, 3))
    control.advance_clock(1)
    newest = [c["id"] for c in control.crm_state(cap=CHANGES * 2)["contacts"]]
    control.seed_crm_contacts(2, prefix="fresh")
    for n, contact_id in enumerate(newest[:CHANGES]):
        control.update_crm_contact(contact_id, first_name=f"Changed {n}")
    for event_type, cursor in cursors.items():
        calls, seconds, events, _ = _measure(runner, event_type, cursor)
        rows[event_type].update(changed_requests=calls, changed_events=events, changed_s=round(seconds, 3))
    return list(rows.values())


def crm_costs(control: EmulatorControl, conn_id: str, sizes: tuple[int, ...]) -> dict[str, Any]:
    """Deal and contact poll costs at every size."""
    deals = [row for size in sizes for row in deal_costs(control, conn_id, size)]
    contacts = [
        row
        for size in sizes
        for spread in (True, False)
        for row in contact_costs(control, conn_id, size, spread)
    ]
    control.reset()
    return {"deals": deals, "contacts": contacts}


def main() -> None:
    """Run against an emulator in its own process and print the figures."""
    import hook_overhead
    from run import BENCH_CONN_ID, connection

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,100000")
    args = parser.parse_args()
    sizes = tuple(int(s) for s in args.sizes.split(","))
    with (
        hook_overhead.emulator_process() as url,
        EmulatorControl(url, timeout=600) as control,
        connection(BENCH_CONN_ID, url, 100_000),
    ):
        result = crm_costs(control, BENCH_CONN_ID, sizes)
    for row in result["deals"] + result["contacts"]:
        print(row)


if __name__ == "__main__":
    main()
