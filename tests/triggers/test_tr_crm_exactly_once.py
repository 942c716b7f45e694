"""Deal events exactly once: triggers rebuilt from their kwargs while deals are created, changed and moved."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tr_helpers import DeferredSensor

from airflow_provider_sendpulse.emulator.control import EmulatorControl
from airflow_provider_sendpulse.events import Cursor, drive, get_event_source
from airflow_provider_sendpulse.hooks.sendpulse import SendPulseHook

TYPES = ("deal_created", "deal_updated", "deal_stage_changed", "deal_won", "deal_lost")

steps = st.lists(
    st.one_of(
        st.tuples(st.just("create"), st.integers(1, 4)),  # n deals created in one second
        st.tuples(st.just("edit"), st.integers(0, 99)),  # a price change of one deal
        st.tuples(st.just("move"), st.integers(0, 99)),  # one deal to its next step
        st.tuples(st.just("move_many"), st.integers(2, 4)),  # several deals moved in one second
        st.tuples(st.just("win"), st.integers(0, 99)),
        st.tuples(st.just("lose"), st.integers(0, 99)),
        st.tuples(st.just("take"), st.just(0)),  # deliver a batch and commit its cursor
        st.tuples(st.just("crash"), st.just(0)),  # take a batch, die before committing it
        st.tuples(st.just("restart"), st.just(0)),  # triggerer restart: same kwargs again
    ),
    min_size=1,
    max_size=14,
)


class Runner(DeferredSensor):
    """One deferred sensor of one event type, keeping whole events."""

    def __init__(self, conn: str, event_type: str, cursor: Cursor, max_events: int) -> None:
        super().__init__(
            None,
            event_type=event_type,
            sendpulse_conn_id=conn,
            cursor=cursor,
            poll_interval=0.02,
            max_events=max_events,
            fail_on_error=True,
        )
        self.event_type = event_type


class Deals:
    """What the scenario did to the emulator's deals, and the events that must follow."""

    def __init__(self, emulator: EmulatorControl, pipeline_id: int, steps: list[int]) -> None:
        self.emulator = emulator
        self.pipeline_id = pipeline_id
        self.steps = steps
        self.ids: list[int] = []
        self.step: dict[int, int] = {}
        self.status: dict[int, int] = {}
        self.created: list[int] = []
        self.moves: Counter[tuple[int, int]] = Counter()
        self.won: Counter[int] = Counter()
        self.lost: Counter[int] = Counter()
        self.changed: set[int] = set()

    def tick(self) -> None:
        # A second per action: two changes of one deal within a second are one change (docs/crm.md).
        self.emulator.advance_clock(1)

    def pick(self, n: int) -> int | None:
        return self.ids[n % len(self.ids)] if self.ids else None

    def create(self, n: int) -> None:
        self.tick()
        new = self.emulator.seed_deals(n, self.pipeline_id, self.steps[0])
        self.ids += new
        self.created += new
        for deal_id in new:
            self.step[deal_id], self.status[deal_id] = self.steps[0], 1

    def edit(self, n: int) -> None:
        deal_id = self.pick(n)
        if deal_id is not None:
            self.tick()
            self.emulator.update_deal(deal_id, price=n + 1 + len(self.changed) * 100)
            self.changed.add(deal_id)

    def move(self, deal_ids: list[int]) -> None:
        self.tick()
        for deal_id in deal_ids:
            target = self.steps[(self.steps.index(self.step[deal_id]) + 1) % len(self.steps)]
            self.emulator.move_deal(deal_id, target)
            self.step[deal_id] = target
            self.moves[(deal_id, target)] += 1
            self.changed.add(deal_id)

    def set_status(self, n: int, status: int) -> None:
        deal_id = self.pick(n)
        if deal_id is None or self.status[deal_id] == status:
            return
        self.tick()
        self.emulator.update_deal(deal_id, status=status)
        self.status[deal_id] = status
        (self.won if status == 3 else self.lost)[deal_id] += 1
        self.changed.add(deal_id)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=steps, max_events=st.integers(1, 6))
def test_every_deal_event_is_delivered_once(
    emulator: EmulatorControl, fast_conn: str, plan: list[tuple[str, int]], max_events: int
) -> None:
    emulator.reset()
    pipeline = emulator.add_pipeline("Sales", ["New", "Offer", "Closing"])
    deals = Deals(emulator, int(pipeline["id"]), [int(s["id"]) for s in pipeline["steps"]])
    deals.create(2)
    client = SendPulseHook(fast_conn).get_conn()
    runners = {
        t: Runner(fast_conn, t, drive(client, get_event_source(t).poll(None, max_events)).cursor, max_events)
        for t in TYPES
    }
    deals.created.clear()  # made before the baselines: not events

    async def act(step: str, n: int) -> None:
        if step == "create":
            await asyncio.to_thread(deals.create, n)
        elif step == "edit":
            await asyncio.to_thread(deals.edit, n)
        elif step == "move" and deals.ids:
            await asyncio.to_thread(deals.move, [deals.ids[n % len(deals.ids)]])
        elif step == "move_many":
            await asyncio.to_thread(deals.move, deals.ids[-n:])
        elif step in ("win", "lose"):
            await asyncio.to_thread(deals.set_status, n, 3 if step == "win" else 2)

    async def scenario() -> None:
        for index, (step, n) in enumerate(plan):
            runner = runners[TYPES[index % len(TYPES)]]
            if step == "take":
                for each in runners.values():
                    await each.take(0.3)
            elif step == "crash":
                await runner.next_batch(0.3)
                runner.restart()
            elif step == "restart":
                for each in runners.values():
                    each.restart()
            else:
                await act(step, n)

    asyncio.run(scenario())
    for runner in runners.values():  # what is left, from each committed cursor
        cursor, source = runner.kwargs["cursor"], get_event_source(runner.event_type)
        while (left := drive(client, source.poll(cursor, max_events))).events:
            runner.delivered += left.events
            cursor = left.cursor
    delivered = {t: r.delivered for t, r in runners.items()}
    assert [e["id"] for e in delivered["deal_created"]] == deals.created
    moves = Counter((e["id"], e["new_step_id"]) for e in delivered["deal_stage_changed"])
    assert moves == deals.moves
    assert Counter(e["id"] for e in delivered["deal_won"]) == deals.won
    assert Counter(e["id"] for e in delivered["deal_lost"]) == deals.lost
    versions = [(e["id"], e["updatedAt"]) for e in delivered["deal_updated"]]
    assert len(versions) == len(set(versions)), "a deal version was delivered twice"
    assert {deal_id for deal_id, _ in versions} == deals.changed
    final = {d["id"]: d["updatedAt"] for d in drive(client, _all_deals()) if d["id"] in deals.changed}
    assert {(i, t) for i, t in versions if final.get(i) == t} == set(final.items())


def _all_deals() -> Any:
    from airflow_provider_sendpulse.client import api

    page: list[dict[str, Any]] = yield api.list_deals(100, 0)
    return page
