"""new_campaign, campaign_sent and new_sms_campaign detection against in-memory data."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from ev_fakes import FakeSendPulse

from airflow_provider_sendpulse.client.wire import render_dates
from airflow_provider_sendpulse.events import Poll, drive, get_event_source
from airflow_provider_sendpulse.events.sms import NewSmsCampaignSource


def poll(fake: FakeSendPulse, event_type: str, cursor: Any, max_events: int = 100, **params: Any) -> Poll:
    return drive(fake, get_event_source(event_type, params).poll(cursor, max_events))


def ids(result: Poll) -> list[int]:
    return [e["id"] for e in result.events]


# --- new_campaign ---------------------------------------------------------------------------


def test_new_campaign_baseline_then_new_ones_oldest_first() -> None:
    fake = FakeSendPulse()
    old = [fake.new_campaign() for _ in range(3)]
    first = poll(fake, "new_campaign", None)
    assert first.baseline
    assert first.cursor["last_id"] == old[-1]
    assert len(fake.take_calls()) == 1
    new = [fake.new_campaign() for _ in range(4)]
    found = poll(fake, "new_campaign", first.cursor)
    assert ids(found) == new
    assert found.events[0]["event"] == "new_campaign"
    assert len(fake.take_calls()) == 1
    assert poll(fake, "new_campaign", found.cursor).events == []


def test_new_campaign_pages_back_and_respects_max_events() -> None:
    fake = FakeSendPulse()
    cursor = poll(fake, "new_campaign", None).cursor
    new = [fake.new_campaign() for _ in range(250)]
    seen: list[int] = []
    for _ in range(3):
        batch = poll(fake, "new_campaign", cursor, max_events=100)
        seen += ids(batch)
        cursor = batch.cursor
    assert seen == new


def test_new_campaign_status_filter() -> None:
    fake = FakeSendPulse()
    cursor = poll(fake, "new_campaign", None, statuses=[26]).cursor
    draft = fake.new_campaign(status=26)
    fake.new_campaign(status=13)
    found = poll(fake, "new_campaign", cursor, statuses=[26])
    assert ids(found) == [draft]
    assert poll(fake, "new_campaign", found.cursor, statuses=[26]).events == []


# --- campaign_sent --------------------------------------------------------------------------


def test_campaign_sent_follows_campaigns_until_they_are_sent() -> None:
    fake = FakeSendPulse()
    done = fake.new_campaign(status=3)
    running = fake.new_campaign(status=2)
    first = poll(fake, "campaign_sent", None)
    assert first.baseline
    assert first.cursor["pending"] == [running]
    assert poll(fake, "campaign_sent", first.cursor).events == []
    fake.campaigns[running]["status"] = 3
    later = fake.new_campaign(status=13)
    found = poll(fake, "campaign_sent", first.cursor)
    assert ids(found) == [running]
    assert found.cursor["pending"] == [later]
    fake.campaigns[later]["status"] = 23
    assert ids(poll(fake, "campaign_sent", found.cursor)) == [later]
    assert done not in found.cursor["pending"]


def test_campaign_sent_drops_failed_and_deleted_campaigns() -> None:
    fake = FakeSendPulse()
    a, b = fake.new_campaign(status=14), fake.new_campaign(status=14)
    cursor = poll(fake, "campaign_sent", None).cursor
    fake.campaigns[a]["status"] = 16
    del fake.campaigns[b]
    result = poll(fake, "campaign_sent", cursor)
    assert result.events == []
    assert result.cursor["pending"] == []


def test_campaign_sent_fetches_old_pending_ones_individually() -> None:
    fake = FakeSendPulse()
    slow = fake.new_campaign(status=14)
    cursor = poll(fake, "campaign_sent", None).cursor
    for _ in range(150):
        fake.new_campaign(status=3)
    cursor = poll(fake, "campaign_sent", cursor, max_events=1000).cursor
    fake.take_calls()
    fake.campaigns[slow]["status"] = 3
    found = poll(fake, "campaign_sent", cursor)
    assert ids(found) == [slow]
    assert [c.path for c in fake.take_calls()] == ["/campaigns", f"/campaigns/{slow}"]


def test_campaign_sent_max_events_keeps_the_rest_for_later() -> None:
    fake = FakeSendPulse()
    cursor = poll(fake, "campaign_sent", None).cursor
    sent = [fake.new_campaign(status=3) for _ in range(5)]
    first = poll(fake, "campaign_sent", cursor, max_events=2)
    second = poll(fake, "campaign_sent", first.cursor, max_events=2)
    third = poll(fake, "campaign_sent", second.cursor, max_events=2)
    assert ids(first) + ids(second) + ids(third) == sent


def test_campaign_sent_custom_statuses() -> None:
    source = get_event_source("campaign_sent", {"statuses": [3]})
    assert source.params == {"statuses": [3]}
    assert source.resource == "campaigns-sent-3"


# --- new_sms_campaign -----------------------------------------------------------------------


def sms_source(now: datetime) -> NewSmsCampaignSource:
    source = get_event_source("new_sms_campaign")
    assert isinstance(source, NewSmsCampaignSource)
    source.clock = lambda: now
    return source


def test_sms_same_second_campaigns_are_neither_lost_nor_repeated() -> None:
    now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    fake = FakeSendPulse()
    fake.sms = [{"id": 1, "date_created": "2026-11-27 10:00:00"}]
    source = sms_source(now)
    first = drive(fake, source.poll(None, 10))
    assert first.baseline
    assert first.cursor == {
        "v": 1,
        "type": "new_sms_campaign",
        "position": "2026-11-27 10:00:00",
        "ids": [1],
    }
    fake.sms += [{"id": i, "date_created": "2026-11-27 11:00:00"} for i in (2, 3, 4)]
    one = drive(fake, source.poll(first.cursor, 2))
    assert ids(one) == [2, 3]
    assert one.cursor["ids"] == [2, 3]
    fake.sms.append({"id": 5, "date_created": "2026-11-27 11:00:00"})
    two = drive(fake, source.poll(one.cursor, 10))
    assert ids(two) == [4, 5]
    assert two.cursor["ids"] == [2, 3, 4, 5]
    assert drive(fake, source.poll(two.cursor, 10)).events == []


def test_sms_baseline_without_recent_campaigns_takes_a_lookback_position() -> None:
    now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    fake = FakeSendPulse()
    source = sms_source(now)
    first = drive(fake, source.poll(None, 10))
    assert first.cursor["position"] == "2026-10-28 12:00:00"
    fake.sms.append({"id": 9, "date_created": "2026-11-27 11:59:59"})
    assert ids(drive(fake, source.poll(first.cursor, 10))) == [9]
    windows = [render_dates(c.params, UTC) for c in fake.calls if c.path == "/sms/campaigns/list"]
    # The window ends exactly at now (in the account's zone, UTC here): no padding for an unknown zone.
    assert windows[-1] == {"dateFrom": "2026-10-28 12:00:00", "dateTo": "2026-11-27 12:00:00"}


def test_unknown_event_type_lists_known_ones() -> None:
    with pytest.raises(ValueError, match="new_subscriber"):
        get_event_source("opens")
