"""CRM event detection against the emulator over real HTTP: positions, shared seconds, costs, cursors."""

from __future__ import annotations

import json
from typing import Any

import pytest

from airflow_provider_sendpulse.client.api import Call
from airflow_provider_sendpulse.emulator.control import EmulatorControl
from airflow_provider_sendpulse.events import Cursor, Poll, drive, get_event_source
from airflow_provider_sendpulse.hooks.sendpulse import SendPulseHook


class Counting:
    """The hook's client, counting the calls a poll makes."""

    def __init__(self, hook: SendPulseHook) -> None:
        self.client = hook.get_conn()
        self.calls: list[str] = []

    def run(self, call: Call[Any]) -> Any:
        self.calls.append(call.describe())
        return self.client.run(call)

    def take(self) -> list[str]:
        calls, self.calls = self.calls, []
        return calls


@pytest.fixture
def runner(sendpulse_conn: str) -> Counting:
    return Counting(SendPulseHook(sendpulse_conn))


@pytest.fixture
def funnel(emulator: EmulatorControl) -> tuple[int, list[int]]:
    pipeline = emulator.add_pipeline("Sales", ["New", "Offer", "Closing"])
    return int(pipeline["id"]), [int(s["id"]) for s in pipeline["steps"]]


def poll(
    runner: Counting, event_type: str, cursor: Cursor | None, max_events: int = 100, **params: Any
) -> Poll:
    source = get_event_source(event_type, params)
    return drive(runner, source.poll(cursor, max_events))


DEAL_TYPES = ["deal_created", "deal_updated", "deal_stage_changed", "deal_won", "deal_lost"]


@pytest.mark.parametrize("event_type", DEAL_TYPES)
def test_deal_idle_poll_is_one_request_and_cursor_has_no_names(emulator, runner, funnel, event_type):
    pipeline_id, steps = funnel
    ids = emulator.seed_deals(250, pipeline_id, steps[0], prefix="Secret")
    emulator.advance_clock(1)
    for deal_id in ids[:3]:
        emulator.win_deal(deal_id)
    emulator.lose_deal(ids[-1])
    emulator.seed_deals(1, pipeline_id, steps[0], prefix="Secret")
    first = poll(runner, event_type, None)
    assert first.baseline
    assert first.events == []
    runner.take()
    again = poll(runner, event_type, first.cursor)
    assert again.events == []
    assert runner.take() == ["POST /crm/v1/deals/get-list"]
    assert again.cursor == first.cursor
    assert "Secret" not in json.dumps(again.cursor)


def test_baseline_covers_every_deal_of_a_crowded_second(emulator, runner, funnel):
    pipeline_id, steps = funnel
    emulator.seed_deals(230, pipeline_id, steps[0])
    cursor = poll(runner, "deal_created", None).cursor
    assert len(cursor["seen"]) == 230
    assert poll(runner, "deal_created", cursor).events == []


def test_deal_created_fires_each_deal_once_even_sharing_a_second(emulator, runner, funnel):
    pipeline_id, steps = funnel
    emulator.seed_deals(5, pipeline_id, steps[0])
    cursor = poll(runner, "deal_created", None).cursor
    same_second = emulator.seed_deals(3, pipeline_id, steps[0], prefix="Same")
    first = poll(runner, "deal_created", cursor, max_events=2)
    assert [e["id"] for e in first.events] == same_second[:2]
    later = emulator.seed_deals(1, pipeline_id, steps[0], prefix="Same")  # still the same second
    second = poll(runner, "deal_created", first.cursor)
    assert [e["id"] for e in second.events] == [same_second[2], *later]
    assert {e["event"] for e in second.events} == {"deal_created"}
    assert poll(runner, "deal_created", second.cursor).events == []


def test_deal_updated_skips_creations_and_fires_changes(emulator, runner, funnel):
    pipeline_id, steps = funnel
    ids = emulator.seed_deals(4, pipeline_id, steps[0])
    cursor = poll(runner, "deal_updated", None).cursor
    emulator.seed_deals(2, pipeline_id, steps[0])
    emulator.advance_clock(1)
    emulator.update_deal(ids[1], price=10)
    emulator.advance_clock(1)
    emulator.update_deal(ids[0], name="Renamed")
    result = poll(runner, "deal_updated", cursor)
    assert [(e["id"], e["event"]) for e in result.events] == [
        (ids[1], "deal_updated"),
        (ids[0], "deal_updated"),
    ]
    assert poll(runner, "deal_updated", result.cursor).events == []


def test_stage_changes_come_from_history_with_steps(emulator, runner, funnel):
    pipeline_id, steps = funnel
    ids = emulator.seed_deals(3, pipeline_id, steps[0])
    cursor_all = poll(runner, "deal_stage_changed", None).cursor
    cursor_into = poll(runner, "deal_stage_changed", None, step_id=steps[2]).cursor
    emulator.advance_clock(1)
    emulator.update_deal(ids[0], price=99)  # not a move
    emulator.move_deal(ids[1], steps[1])
    emulator.advance_clock(1)
    emulator.move_deal(ids[1], steps[2])
    runner.take()
    every = poll(runner, "deal_stage_changed", cursor_all)
    moves = [(e["id"], e["previous_step_id"], e["new_step_id"]) for e in every.events]
    assert moves == [(ids[1], steps[0], steps[1]), (ids[1], steps[1], steps[2])]
    calls = runner.take()
    assert calls.count("POST /crm/v1/deals/get-list") == 1
    assert len(calls) == 3  # the list, and the history of the two changed deals
    into_last = poll(runner, "deal_stage_changed", cursor_into, step_id=steps[2])
    assert [(e["id"], e["new_step_id"]) for e in into_last.events] == [(ids[1], steps[2])]
    assert poll(runner, "deal_stage_changed", every.cursor).events == []


def test_won_and_lost_fire_once_and_not_on_later_edits(emulator, runner, funnel):
    pipeline_id, steps = funnel
    ids = emulator.seed_deals(3, pipeline_id, steps[0])
    won = poll(runner, "deal_won", None).cursor
    lost = poll(runner, "deal_lost", None).cursor
    emulator.advance_clock(1)
    emulator.win_deal(ids[0])
    emulator.lose_deal(ids[1])
    won_poll = poll(runner, "deal_won", won)
    lost_poll = poll(runner, "deal_lost", lost)
    assert [(e["id"], e["status"], e["event"]) for e in won_poll.events] == [(ids[0], 3, "deal_won")]
    assert [(e["id"], e["previous_status"]) for e in lost_poll.events] == [(ids[1], 1)]
    emulator.advance_clock(1)
    emulator.update_deal(ids[0], price=500)  # still won: no second event
    assert poll(runner, "deal_won", won_poll.cursor).events == []


def test_pipeline_parameter_narrows_deals(emulator, runner, funnel):
    pipeline_id, steps = funnel
    other = emulator.add_pipeline("Other", ["A"])
    cursor = poll(runner, "deal_created", None, pipeline_id=pipeline_id).cursor
    emulator.seed_deals(2, int(other["id"]), int(other["steps"][0]["id"]))
    mine = emulator.seed_deals(1, pipeline_id, steps[0])
    result = poll(runner, "deal_created", cursor, pipeline_id=pipeline_id)
    assert [e["id"] for e in result.events] == mine


def test_start_from_beginning_fires_existing_deals(emulator, runner, funnel):
    pipeline_id, steps = funnel
    ids = emulator.seed_deals(3, pipeline_id, steps[0])
    source = get_event_source("deal_created", {})
    result = drive(runner, source.poll(None, 10, start_from="beginning"))
    assert [e["id"] for e in result.events] == ids


@pytest.mark.parametrize(
    ("event_type", "params", "message"),
    [
        ("deal_stage_changed", {"step_id": "x"}, "'step_id' must be a positive integer"),
        ("deal_won", {"pipeline_id": 0}, "'pipeline_id' must be a positive integer"),
    ],
)
def test_bad_parameters_are_refused(event_type, params, message):
    with pytest.raises(ValueError, match=message):
        get_event_source(event_type, params)


def test_cursor_of_another_type_is_refused(emulator, runner, funnel):
    cursor = poll(runner, "deal_created", None).cursor
    with pytest.raises(ValueError, match="does not belong to 'deal_won'"):
        poll(runner, "deal_won", cursor)


# --- contacts ---------------------------------------------------------------------------------


def test_contact_created_idle_is_one_request_and_shared_seconds_fire_once(emulator, runner):
    emulator.seed_crm_contacts(150)
    cursor = poll(runner, "crm_contact_created", None).cursor
    runner.take()
    assert poll(runner, "crm_contact_created", cursor).events == []
    assert runner.take() == ["POST /crm/v1/contacts/get-list"]
    fresh = emulator.seed_crm_contacts(3, prefix="fresh")
    first = poll(runner, "crm_contact_created", cursor, max_events=2)
    assert [e["id"] for e in first.events] == fresh[:2]
    second = poll(runner, "crm_contact_created", first.cursor)
    assert [e["id"] for e in second.events] == fresh[2:]
    assert "fresh" not in json.dumps(second.cursor)


def test_contact_created_backlog_beyond_a_page_walks_forward(emulator, runner):
    emulator.seed_crm_contacts(10)
    cursor = poll(runner, "crm_contact_created", None).cursor
    fresh = emulator.seed_crm_contacts(230, prefix="many")
    delivered: list[int] = []
    for _ in range(5):
        result = poll(runner, "crm_contact_created", cursor, max_events=100)
        delivered += [e["id"] for e in result.events]
        cursor = result.cursor
    assert delivered == fresh


def test_contact_updated_reads_the_day_and_fires_each_change_once(emulator, runner):
    ids = emulator.seed_crm_contacts(120)
    cursor = poll(runner, "crm_contact_updated", None).cursor
    runner.take()
    assert poll(runner, "crm_contact_updated", cursor).events == []
    # Every contact created or changed since the position's day is read: 120 contacts, two pages.
    assert runner.take() == ["POST /crm/v1/contacts/get-list"] * 2
    emulator.advance_clock(1)
    emulator.update_crm_contact(ids[5], first_name="Changed")
    emulator.update_crm_contact(ids[2], first_name="Also")
    emulator.advance_clock(1)
    emulator.update_crm_contact(ids[9], last_name="Later")
    first = poll(runner, "crm_contact_updated", cursor, max_events=1)
    assert [e["id"] for e in first.events] == [ids[2]]  # oldest change first, ties by id
    rest = poll(runner, "crm_contact_updated", first.cursor)
    assert [e["id"] for e in rest.events] == [ids[5], ids[9]]
    assert poll(runner, "crm_contact_updated", rest.cursor).events == []
