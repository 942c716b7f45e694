"""new_subscriber detection, driven against an in-memory list (no I/O)."""

from __future__ import annotations

from typing import Any

import pytest
from ev_fakes import FakeSendPulse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from airflow_provider_sendpulse.events import Poll, drive, get_event_source
from airflow_provider_sendpulse.events.subscribers import ANCHORS, anchor, contact_phone

LIST = 7


def poll(fake: FakeSendPulse, cursor: dict[str, Any] | None, max_events: int = 100, **kw: Any) -> Poll:
    source = get_event_source("new_subscriber", {"list_id": LIST})
    return drive(fake, source.poll(cursor, max_events, **kw))


def emails(poll_result: Poll) -> list[str]:
    return [e["email"] for e in poll_result.events]


def names(start: int, stop: int) -> list[str]:
    return [f"user{i}@example.com" for i in range(start, stop)]


@pytest.fixture
def fake() -> FakeSendPulse:
    fake = FakeSendPulse()
    fake.add(LIST, names(0, 1000))
    return fake


def test_first_poll_records_position_and_fires_nothing(fake: FakeSendPulse) -> None:
    first = poll(fake, None)
    assert first.baseline
    assert first.events == []
    assert first.cursor["offset"] == 1000
    assert first.cursor["anchors"] == [anchor(email) for email in names(1000 - ANCHORS, 1000)]
    assert len(fake.take_calls()) == 2


def test_idle_poll_costs_two_requests(fake: FakeSendPulse) -> None:
    cursor = poll(fake, None).cursor
    fake.take_calls()
    again = poll(fake, cursor)
    assert again.events == []
    assert not again.baseline
    calls = fake.take_calls()
    assert [c.path for c in calls] == [f"/addressbooks/{LIST}/emails/total", f"/addressbooks/{LIST}/emails"]
    assert calls[1].params == {"limit": 1, "offset": 999, "order": "asc"}


def test_new_members_come_oldest_first_with_list_id(fake: FakeSendPulse) -> None:
    cursor = poll(fake, None).cursor
    fake.add(LIST, names(1000, 1005))
    fake.take_calls()
    found = poll(fake, cursor)
    assert emails(found) == names(1000, 1005)
    assert found.events[0]["list_id"] == LIST
    assert found.events[0]["event"] == "new_subscriber"
    assert len(fake.take_calls()) == 2  # the total, then the anchor and the tail in one page
    assert poll(fake, found.cursor).events == []


def test_max_events_splits_a_batch_without_loss(fake: FakeSendPulse) -> None:
    cursor = poll(fake, None).cursor
    fake.add(LIST, names(1000, 1250))
    seen: list[str] = []
    for _ in range(4):
        batch = poll(fake, cursor, max_events=100)
        assert len(batch.events) <= 100
        seen += emails(batch)
        cursor = batch.cursor
    assert seen == names(1000, 1250)


def test_only_the_new_tail_is_read(fake: FakeSendPulse) -> None:
    fake.add(LIST, names(1000, 100_000))
    cursor = poll(fake, None).cursor
    fake.add(LIST, names(100_000, 100_150))
    fake.take_calls()
    found = poll(fake, cursor, max_events=1000)
    assert emails(found) == names(100_000, 100_150)
    offsets = [c.params["offset"] for c in fake.take_calls() if c.params]
    assert min(offsets) == 99_999  # never reads below the anchor


def test_removals_before_the_anchor_are_scanned_past(fake: FakeSendPulse) -> None:
    cursor = poll(fake, None).cursor
    fake.remove(LIST, names(0, 250))
    fake.add(LIST, names(1000, 1003))
    found = poll(fake, cursor)
    assert emails(found) == names(1000, 1003)
    assert poll(fake, found.cursor).events == []


def test_adds_and_removals_that_cancel_out_in_the_total(fake: FakeSendPulse) -> None:
    cursor = poll(fake, None).cursor
    fake.remove(LIST, names(10, 12))
    fake.add(LIST, names(1000, 1002))
    found = poll(fake, cursor)
    assert emails(found) == names(1000, 1002)


def test_newest_anchor_removed(fake: FakeSendPulse) -> None:
    cursor = poll(fake, None).cursor
    fake.remove(LIST, names(995, 1000))
    fake.add(LIST, names(1000, 1004))
    found = poll(fake, cursor)
    assert emails(found) == names(1000, 1004)


def test_every_anchor_removed_records_position_afresh_with_a_warning(fake: FakeSendPulse) -> None:
    cursor = poll(fake, None).cursor
    fake.remove(LIST, names(1000 - ANCHORS, 1000))
    fake.add(LIST, names(1000, 1002))
    lost = poll(fake, cursor)
    assert lost.events == []
    assert lost.baseline
    assert lost.warnings
    fake.add(LIST, names(1002, 1003))
    assert emails(poll(fake, lost.cursor)) == names(1002, 1003)


def test_emptied_list_starts_over(fake: FakeSendPulse) -> None:
    cursor = poll(fake, None).cursor
    fake.remove(LIST, names(0, 1000))
    empty = poll(fake, cursor)
    assert empty.events == []
    assert empty.cursor["offset"] == 0
    fake.add(LIST, names(5000, 5002))
    assert emails(poll(fake, empty.cursor)) == names(5000, 5002)


def test_start_from_beginning(fake: FakeSendPulse) -> None:
    first = poll(fake, None, max_events=10, start_from="beginning")
    assert emails(first) == names(0, 10)
    assert not first.baseline
    assert emails(poll(fake, first.cursor, max_events=10)) == names(10, 20)


def test_empty_list_baseline_then_everything_is_new() -> None:
    fake = FakeSendPulse()
    fake.lists[LIST] = []
    cursor = poll(fake, None).cursor
    fake.add(LIST, names(0, 3))
    assert emails(poll(fake, cursor)) == names(0, 3)


def test_bad_parameters_and_foreign_cursor() -> None:
    with pytest.raises(ValueError, match="list_id"):
        get_event_source("new_subscriber", {})
    with pytest.raises(ValueError, match="list_id"):
        get_event_source("new_subscriber", {"list_id": -3})
    assert get_event_source("new_subscriber", {"list_id": "12"}).params == {"list_id": 12}
    fake = FakeSendPulse()
    with pytest.raises(ValueError, match="does not belong"):
        poll(fake, {"v": 1, "type": "new_campaign", "last_id": 3})


operations = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.integers(1, 40)),
        st.tuples(st.just("remove"), st.integers(1, 30)),
        st.tuples(st.just("poll"), st.integers(1, 50)),
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=operations, seed=st.randoms(use_true_random=False))
def test_each_member_once_whatever_adds_and_removals_happen(ops: list[tuple[str, int]], seed: Any) -> None:
    fake = FakeSendPulse()
    fake.add(LIST, names(0, 60))
    cursor = poll(fake, None).cursor
    next_id, delivered, warned = 60, [], False
    for op, n in ops:
        if op == "add":
            fake.add(LIST, names(next_id, next_id + n))
            next_id += n
        elif op == "remove":
            present = fake.emails(LIST)
            fake.remove(LIST, seed.sample(present, min(n, len(present))))
        else:
            result = poll(fake, cursor, max_events=n)
            warned |= bool(result.warnings)
            delivered += emails(result)
            cursor = result.cursor
    for _ in range(100):
        result = poll(fake, cursor, max_events=50)
        warned |= bool(result.warnings)
        delivered += emails(result)
        cursor = result.cursor
        if not result.events:
            break
    assert len(delivered) == len(set(delivered)), "a member was delivered twice"
    assert set(delivered) <= set(names(60, next_id)), "a member present before the first poll was delivered"
    if not warned:
        assert set(fake.emails(LIST)) - set(names(0, 60)) <= set(delivered), "a member was never delivered"


def test_events_carry_the_phone_at_the_top_level() -> None:
    assert contact_phone({"email": "a@b.co", "variables": {"Phone": "+380 (50) 123-45-67"}}) == "380501234567"
    assert contact_phone({"email": "a@b.co", "variables": {"phone": 380501234567}}) == "380501234567"
    assert contact_phone({"email": "a@b.co", "phone": "380501234568", "variables": {}}) == "380501234568"
    assert contact_phone({"email": "a@b.co", "variables": {"Phone": "n/a"}}) is None
    assert contact_phone({"email": "a@b.co", "variables": []}) is None
