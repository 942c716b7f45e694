"""The Automation 360 events operator against the emulator: rows, bad input, faults and resuming."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from airflow_fakes import FakeStateStore

from airflow_provider_sendpulse.client.errors import SendPulseError
from airflow_provider_sendpulse.hooks.automation_events import MAX_UNKNOWN_IN_A_ROW, STATE_KEY
from airflow_provider_sendpulse.hooks.sendpulse import SendPulseHook
from airflow_provider_sendpulse.operators import SendPulseAutomationEventOperator, SendPulseInputError

EVENT = "order_paid"
EVENT_PATH = f"/events/name/{EVENT}"


def event_op(conn_id: str, **kwargs: Any) -> SendPulseAutomationEventOperator:
    return SendPulseAutomationEventOperator(
        task_id="events", event_name=EVENT, sendpulse_conn_id=conn_id, **kwargs
    )


def write_csv(path: Path, rows: int, bad: tuple[int, ...] = ()) -> Path:
    lines = ["Email,Phone,amount,plan"]
    for n in range(rows):
        email = "not-an-email" if n in bad else f"buyer{n}@example.com"
        lines.append(f"{email},+380 50 000 {n:04d},{n * 10},gold")
    path.write_text("\n".join(lines) + "\n")
    return path


def event_requests(emulator: Any) -> list[dict[str, Any]]:
    return [r for r in emulator.requests() if r["path"] == EVENT_PATH]


def starts(emulator: Any) -> list[dict[str, Any]]:
    return list(emulator.automation_state(cap=1000)["recent"])


@pytest.fixture
def event(emulator: Any) -> str:
    emulator.add_automation_event(EVENT)
    return EVENT


def test_csv_rows_start_flows(
    emulator: Any, sendpulse_conn: str, make_context: Any, event: str, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "paid.csv", 3)
    result = event_op(sendpulse_conn, path=str(path)).execute(make_context())
    assert {k: result[k] for k in ("rows", "sent", "failed", "unknown", "invalid", "resumed_from_row")} == {
        "rows": 3,
        "sent": 3,
        "failed": 0,
        "unknown": 0,
        "invalid": 0,
        "resumed_from_row": 0,
    }
    first = starts(emulator)[0]
    assert (first["email"], first["phone"], first["variables"]) == (
        "buyer0@example.com",
        "380500000000",
        {"amount": "0", "plan": "gold"},
    )


def test_rows_from_xcom_with_mapping(
    emulator: Any, sendpulse_conn: str, make_context: Any, event: str
) -> None:
    rows = [{"Mobile": "380501112233", "Total": 12.5, "ignored": "x"}, {"Mobile": "380501112234"}]
    result = event_op(
        sendpulse_conn, rows=rows, column_mapping={"Mobile": "phone", "Total": "total"}
    ).execute(make_context())
    assert result["sent"] == 2
    assert [(s["phone"], s["variables"]) for s in starts(emulator)] == [
        ("380501112233", {"total": 12.5}),
        ("380501112234", {}),
    ]


def test_bad_rows_refused_before_any_request(
    emulator: Any, sendpulse_conn: str, make_context: Any, event: str, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "paid.csv", 5, bad=(1, 3))
    with pytest.raises(SendPulseInputError, match=r"2 invalid row\(s\).*line 3: email must contain") as err:
        event_op(sendpulse_conn, path=str(path)).execute(make_context())
    assert "not-an-email" not in str(err.value)
    assert event_requests(emulator) == []
    result = event_op(sendpulse_conn, path=str(path), on_invalid="skip").execute(make_context())
    assert (result["sent"], result["invalid"]) == (3, 2)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rows": [{"plan": "gold"}]}, r"rows\[0\]: has no email or phone"),
        ({"rows": [{"email": "a@example.com", "cart": {"a": 1}}]}, "variable 'cart' must be a string"),
        ({"rows": [{"phone": "050 123"}]}, r"rows\[0\]: phone must be in international format"),
        ({"rows": {"email": "a@example.com"}}, "rows: expected a list of rows, got a single mapping"),
        ({}, "rows/path: give exactly one of rows"),
        ({"rows": ["a@example.com"], "event_name": ""}, "event_name: must be a non-empty string"),
        ({"rows": ["a@example.com"], "event_name": "a/b"}, "event_name: 'a/b' contains '/'"),
        ({"rows": [{"Mobile": "380501112233"}], "column_mapping": {"Mobile": "plan"}}, "column_mapping"),
        ({"rows": ["a@example.com", "b@example.com"], "daily_cap": 1}, "at most 1 contacts a day"),
    ],
)
def test_bad_input_is_refused_before_any_request(
    emulator: Any, sendpulse_conn: str, make_context: Any, event: str, kwargs: dict[str, Any], message: str
) -> None:
    params = {"event_name": EVENT, **kwargs}
    with pytest.raises(SendPulseInputError, match=message):
        SendPulseAutomationEventOperator(task_id="e", sendpulse_conn_id=sendpulse_conn, **params).execute(
            make_context()
        )
    assert event_requests(emulator) == []


def test_daily_cap_checked_up_front(
    emulator: Any, sendpulse_conn: str, make_context: Any, event: str
) -> None:
    rows = [f"r{n}@example.com" for n in range(4)]
    with pytest.raises(
        SendPulseInputError, match=r"4 events to start.*at most 3 contacts a day; nothing was sent"
    ):
        event_op(sendpulse_conn, rows=rows, daily_cap=3).execute(make_context())
    assert event_requests(emulator) == []


def test_unknown_event_stops_at_the_first_row(emulator: Any, sendpulse_conn: str, make_context: Any) -> None:
    with pytest.raises(SendPulseInputError, match="no Automation 360 event named 'order_paid'"):
        event_op(sendpulse_conn, rows=["a@example.com", "b@example.com"]).execute(make_context())
    assert len(event_requests(emulator)) == 1


def test_daily_cap_reached_midway_resumes_on_clear(
    emulator: Any, sendpulse_conn: str, make_context: Any, event: str
) -> None:
    emulator.configure_automation(daily_cap=100_000, used_today=99_998)
    rows = [f"r{n}@example.com" for n in range(4)]
    store = FakeStateStore()
    with pytest.raises(SendPulseInputError, match=r"daily cap .* is used up"):
        event_op(sendpulse_conn, rows=rows).execute(make_context(store=store))
    assert store.data[STATE_KEY]["next"] == 2
    assert store.data[STATE_KEY]["pending"] is False
    emulator.configure_automation(used_today=0)  # the next day
    result = event_op(sendpulse_conn, rows=rows).execute(make_context(store=store, try_number=2))
    assert (result["sent"], result["resumed_from_row"], result["unknown"]) == (4, 2, 0)
    assert [s["email"] for s in starts(emulator)] == rows


def test_refused_rows_and_lost_answers_are_reported_never_resent(
    emulator: Any, sendpulse_conn: str, make_context: Any, event: str, tmp_path: Path
) -> None:
    rows = [f"r{n}@example.com" for n in range(6)]
    emulator.add_fault(method="POST", path=EVENT_PATH, status=422, error_code=422, message="Bad contact")
    emulator.add_fault(method="POST", path=EVENT_PATH, status=502, after=True)  # performed, answer lost
    emulator.add_fault(method="POST", path=EVENT_PATH, drop=True, after=True)  # performed, connection lost
    emulator.add_fault(method="POST", path=EVENT_PATH, status=429)  # refused: retried by the client
    failures = tmp_path / "failures.jsonl"
    result = event_op(sendpulse_conn, rows=rows, failures_path=str(failures)).execute(make_context())
    assert (result["sent"], result["failed"], result["unknown"]) == (3, 1, 2)
    assert [f["position"] for f in result["failures"]] == ["rows[0]", "rows[1]", "rows[2]"]
    assert result["failures"][0]["outcome"] == "failed"
    assert result["failures"][0]["reason"].endswith("failed: Bad contact")
    lines = [json.loads(line) for line in failures.read_text().splitlines()]
    assert [(f["email"], f["outcome"]) for f in lines] == [
        ("r0@example.com", "failed"),
        ("r1@example.com", "unknown"),
        ("r2@example.com", "unknown"),
    ]
    # Every row but the refused one reached SendPulse exactly once, the lost answers included.
    assert sorted(s["email"] for s in starts(emulator)) == rows[1:]


def test_a_crashed_try_resumes_after_the_last_acknowledged_row(
    emulator: Any,
    sendpulse_conn: str,
    make_context: Any,
    event: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rows = [f"r{n}@example.com" for n in range(5)]
    real = SendPulseHook.start_automation_event
    calls = {"n": 0}

    def dies_on_the_third(self: SendPulseHook, *args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("worker killed mid-request")
        real(self, *args, **kwargs)

    store = FakeStateStore()
    failures = tmp_path / "failures.jsonl"
    with monkeypatch.context() as patch:
        patch.setattr(SendPulseHook, "start_automation_event", dies_on_the_third)
        with pytest.raises(RuntimeError):
            event_op(sendpulse_conn, rows=rows, failures_path=str(failures)).execute(
                make_context(store=store)
            )
    assert store.data[STATE_KEY] == {"next": 2, "pending": True, "sent": 2, "failed": 0, "unknown": 0}
    result = event_op(sendpulse_conn, rows=rows, failures_path=str(failures)).execute(
        make_context(store=store, try_number=2)
    )
    assert (result["sent"], result["unknown"], result["resumed_from_row"]) == (4, 1, 2)
    assert result["failures"][0]["position"] == "rows[2]"
    assert [s["email"] for s in starts(emulator)] == [r for n, r in enumerate(rows) if n != 2]
    again = event_op(sendpulse_conn, rows=rows).execute(make_context(store=store, try_number=3))
    assert again["sent"] == 4
    assert len(starts(emulator)) == 4  # a cleared, finished task sends nothing again


def test_a_retry_without_task_state_refuses(
    emulator: Any, sendpulse_conn: str, make_context: Any, event: str
) -> None:
    with pytest.raises(SendPulseInputError, match="cannot tell which rows an earlier try sent"):
        event_op(sendpulse_conn, rows=["a@example.com"]).execute(make_context(with_store=False, try_number=2))
    assert event_requests(emulator) == []


def test_many_lost_answers_in_a_row_stop_the_task(
    emulator: Any, sendpulse_conn: str, make_context: Any, event: str
) -> None:
    rows = [f"r{n}@example.com" for n in range(10)]
    emulator.add_fault(method="POST", path=EVENT_PATH, status=500, times=None)
    store = FakeStateStore()
    with pytest.raises(SendPulseError, match=f"{MAX_UNKNOWN_IN_A_ROW} event starts in a row lost"):
        event_op(sendpulse_conn, rows=rows).execute(make_context(store=store))
    assert len(event_requests(emulator)) == MAX_UNKNOWN_IN_A_ROW
    assert store.data[STATE_KEY]["next"] == MAX_UNKNOWN_IN_A_ROW
    emulator.clear_faults()
    result = event_op(sendpulse_conn, rows=rows).execute(make_context(store=store, try_number=2))
    assert (result["sent"], result["unknown"]) == (5, 5)
    assert len(event_requests(emulator)) == 10


def test_a_timed_out_start_is_unknown_and_not_resent(
    emulator: Any, make_context: Any, event: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from account_zone import emulator_connection

    monkeypatch.setenv(
        "AIRFLOW_CONN_SENDPULSE_QUICK", json.dumps(emulator_connection(emulator.url, timeout=0.5))
    )
    emulator.add_fault(method="POST", path=EVENT_PATH, delay=1.5, after=True)  # performed, answer too late
    rows = ["a@example.com", "b@example.com", "c@example.com"]
    result = event_op("sendpulse_quick", rows=rows).execute(make_context())
    assert (result["sent"], result["unknown"]) == (2, 1)
    assert result["failures"][0]["position"] == "rows[0]"
    assert sorted(s["email"] for s in starts(emulator)) == rows  # each reached SendPulse exactly once
    assert len(event_requests(emulator)) == 3
