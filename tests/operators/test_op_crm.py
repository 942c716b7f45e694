"""CRM operators against the emulator: upserts, moves and exports, and bad input refused up front."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_sendpulse.operators import (
    SendPulseExportCrmOperator,
    SendPulseInputError,
    SendPulseMoveDealOperator,
    SendPulseUpsertCrmContactOperator,
    SendPulseUpsertDealOperator,
)


@pytest.fixture
def funnel(emulator: Any, sendpulse_conn: str) -> tuple[int, list[int]]:
    pipeline = emulator.add_pipeline("Sales", ["New", "Offer", "Closing"])
    return int(pipeline["id"]), [int(s["id"]) for s in pipeline["steps"]]


def api_requests(emulator: Any) -> list[str]:
    return [f"{r['method']} {r['path']}" for r in emulator.requests() if r["path"].startswith("/crm/")]


def test_upsert_contacts_creates_updates_and_reports_failures(emulator, sendpulse_conn, make_context):
    emulator.add_crm_contacts(
        [{"first_name": "Old", "emails": ["known@example.com"], "attributes": {"City": "Kyiv"}}]
    )
    rows = [
        {"email": "known@example.com", "first_name": "Known", "attributes": {"City": "Lviv"}},
        {
            "email": "new@example.com",
            "phone": "+380 50 111 22 33",
            "first_name": "New",
            "external_id": "wh-2",
        },
        {"external_id": "wh-2", "last_name": "Again"},
        {"email": "bad-attr@example.com", "attributes": {"Planet": "Mars"}},
    ]
    op = SendPulseUpsertCrmContactOperator(task_id="upsert", sendpulse_conn_id=sendpulse_conn, rows=rows)
    result = op.execute(make_context())
    assert (result["created"], result["updated"], result["failed"]) == (1, 2, 1)
    outcomes = [r["outcome"] for r in result["rows"]]
    assert outcomes == ["updated", "created", "updated", "failed"]
    assert "Planet" in result["rows"][3]["reason"]
    assert result["rows"][1]["contact_id"] == result["rows"][2]["contact_id"]
    state = {c["id"]: c for c in emulator.crm_state()["contacts"]}
    assert state[result["rows"][1]["contact_id"]]["lastName"] == "Again"
    assert state[result["rows"][0]["contact_id"]]["firstName"] == "Known"
    again = op.execute(make_context(try_number=2))  # a retry creates nothing twice
    assert (again["created"], again["updated"]) == (0, 3)


def test_upsert_contacts_from_a_jsonl_file(emulator, sendpulse_conn, make_context, tmp_path: Path):
    path = tmp_path / "people.jsonl"
    path.write_text(
        "\n".join(json.dumps({"email": f"p{n}@example.com", "first_name": f"P{n}"}) for n in range(5))
    )
    result = SendPulseUpsertCrmContactOperator(
        task_id="upsert", sendpulse_conn_id=sendpulse_conn, path=str(path)
    ).execute(make_context())
    assert result["created"] == 5
    assert emulator.crm_state()["contact_count"] == 5


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([{"first_name": "Nobody"}], r"rows\[0\]: give at least one of email, phone and external_id"),
        ([{"email": "ok@example.com"}, {"email": "not-an-email"}], r"rows\[1\].email"),
        ([{"phone": "0501112233"}], r"rows\[0\].phone: must be in international format"),
        ([{"email": "a@example.com", "colour": "red"}], r"rows\[0\]: unknown field\(s\) 'colour'"),
        (["a@example.com"], r"rows\[0\]: must be an object"),
    ],
)
def test_upsert_contacts_refuses_bad_rows_before_any_request(
    emulator, sendpulse_conn, make_context, rows, message
):
    emulator.clear_requests()
    op = SendPulseUpsertCrmContactOperator(task_id="upsert", sendpulse_conn_id=sendpulse_conn, rows=rows)
    with pytest.raises(SendPulseInputError, match=message):
        op.execute(make_context())
    assert api_requests(emulator) == []


def test_upsert_deal_by_name_within_the_pipeline(emulator, sendpulse_conn, make_context, funnel):
    pipeline_id, steps = funnel
    contact = emulator.seed_crm_contacts(1)[0]
    op = SendPulseUpsertDealOperator(
        task_id="deal",
        sendpulse_conn_id=sendpulse_conn,
        pipeline="Sales",
        name="Acme",
        price="100",
        contact_ids=[contact],
    )
    first = op.execute(make_context())
    assert first == {
        "deal_id": first["deal_id"],
        "outcome": "created",
        "pipeline_id": pipeline_id,
        "step_id": steps[0],
    }
    moved = SendPulseUpsertDealOperator(
        task_id="deal",
        sendpulse_conn_id=sendpulse_conn,
        pipeline=pipeline_id,
        name="Acme",
        step="Offer",
        price=150,
    ).execute(make_context())
    assert moved == {**first, "outcome": "updated", "step_id": steps[1]}
    deal = next(d for d in emulator.crm_state()["deals"] if d["id"] == first["deal_id"])
    assert (deal["price"], deal["stepId"]) == (150, steps[1])


def test_upsert_deal_names_an_unknown_step(emulator, sendpulse_conn, make_context, funnel):
    op = SendPulseUpsertDealOperator(
        task_id="deal", sendpulse_conn_id=sendpulse_conn, pipeline="Sales", name="X", step="Signed"
    )
    with pytest.raises(SendPulseInputError, match="no step of pipeline 'Sales' with id or name 'Signed'"):
        op.execute(make_context())


def test_upsert_deal_refuses_a_bad_price_before_any_request(emulator, sendpulse_conn, make_context, funnel):
    emulator.clear_requests()
    op = SendPulseUpsertDealOperator(
        task_id="deal", sendpulse_conn_id=sendpulse_conn, pipeline="Sales", name="X", price="cheap"
    )
    with pytest.raises(SendPulseInputError, match="price: must be a number"):
        op.execute(make_context())
    assert api_requests(emulator) == []


def test_move_deals_to_a_step_by_name_then_won(emulator, sendpulse_conn, make_context, funnel):
    pipeline_id, steps = funnel
    ids = emulator.seed_deals(2, pipeline_id, steps[0])
    moved = SendPulseMoveDealOperator(
        task_id="move", sendpulse_conn_id=sendpulse_conn, deal_ids=json.dumps(ids), step="Closing"
    ).execute(make_context())
    assert [(m["deal_id"], m["step_id"], m["status"]) for m in moved] == [(i, steps[2], 1) for i in ids]
    won = SendPulseMoveDealOperator(
        task_id="win", sendpulse_conn_id=sendpulse_conn, deal_ids=ids[0], status="won"
    ).execute(make_context())
    assert won == [{"deal_id": ids[0], "pipeline_id": pipeline_id, "step_id": steps[2], "status": 3}]


def test_move_needs_a_step_or_a_status(sendpulse_conn):
    with pytest.raises(SendPulseInputError, match="step/status"):
        SendPulseMoveDealOperator(task_id="move", sendpulse_conn_id=sendpulse_conn, deal_ids=[1])
    with pytest.raises(SendPulseInputError, match="status"):
        SendPulseMoveDealOperator(
            task_id="m", sendpulse_conn_id=sendpulse_conn, deal_ids=[1], status="closed"
        )


def test_export_deals_changed_in_the_window(emulator, sendpulse_conn, make_context, funnel, tmp_path: Path):
    pipeline_id, steps = funnel
    now = emulator.now()
    old = emulator.seed_deals(3, pipeline_id, steps[0], created=now - 3 * 86_400)
    fresh = emulator.seed_deals(2, pipeline_id, steps[0], prefix="Fresh", created=now - 3600)
    emulator.update_deal(old[0], price=7)  # updated inside the window
    start = datetime.fromtimestamp(now - 86_400, UTC)
    end = datetime.fromtimestamp(now + 60, UTC)
    target = tmp_path / "out" / "deals.csv"
    context = {**make_context(), "data_interval_start": start, "data_interval_end": end}
    result = SendPulseExportCrmOperator(
        task_id="export", sendpulse_conn_id=sendpulse_conn, kind="deals", path=str(target)
    ).execute(context)
    assert result["count"] == 3
    rows = list(csv.DictReader(target.open()))
    assert sorted(int(r["id"]) for r in rows) == sorted([old[0], *fresh])
    assert rows[0].keys() >= {"id", "name", "pipelineId", "stepId", "status", "price", "updatedAt"}


def test_export_contacts_as_json_lines(emulator, sendpulse_conn, make_context, tmp_path: Path):
    now = emulator.now()
    emulator.seed_crm_contacts(2, prefix="old", created=now - 5 * 86_400)
    emulator.seed_crm_contacts(3, prefix="new", created=now - 60)
    target = tmp_path / "contacts.jsonl"
    result = SendPulseExportCrmOperator(
        task_id="export",
        sendpulse_conn_id=sendpulse_conn,
        kind="contacts",
        path=str(target),
        start=(datetime.fromtimestamp(now, UTC) - timedelta(hours=1)).isoformat(),
        end=datetime.fromtimestamp(now + 1, UTC).isoformat(),
    ).execute(make_context())
    assert result["count"] == 3
    lines = [json.loads(line) for line in target.read_text().splitlines()]
    assert all(line["emails"][0]["email"].startswith("new") for line in lines)


def test_export_refuses_a_naive_window(emulator, sendpulse_conn, make_context, tmp_path: Path):
    op = SendPulseExportCrmOperator(
        task_id="export",
        sendpulse_conn_id=sendpulse_conn,
        kind="deals",
        path=str(tmp_path / "d.csv"),
        start="2026-01-01T00:00:00",
        end="2026-01-02T00:00:00+00:00",
    )
    with pytest.raises(SendPulseInputError, match="start: give a time zone"):
        op.execute(make_context())


def test_export_of_an_empty_data_interval_covers_the_day_before(
    emulator, sendpulse_conn, make_context, funnel, tmp_path: Path
):
    pipeline_id, steps = funnel
    now = emulator.now()
    emulator.seed_deals(1, pipeline_id, steps[0], created=now - 2 * 86_400)
    recent = emulator.seed_deals(2, pipeline_id, steps[0], created=now - 600)
    at = datetime.fromtimestamp(now + 1, UTC)
    context = {**make_context(), "data_interval_start": at, "data_interval_end": at}
    result = SendPulseExportCrmOperator(
        task_id="export", sendpulse_conn_id=sendpulse_conn, kind="deals", path=str(tmp_path / "d.jsonl")
    ).execute(context)
    assert result["start"] == (at - timedelta(days=1)).isoformat()
    assert [json.loads(line)["id"] for line in (tmp_path / "d.jsonl").read_text().splitlines()] == recent


def test_upsert_deal_by_source_id_with_attributes_sends_only_changes(
    emulator, sendpulse_conn, make_context, funnel
):
    pipeline_id, steps = funnel
    plan = emulator.add_deal_attribute(pipeline_id, "Plan")
    emulator.add_deal_attribute(pipeline_id, "Region")
    [known] = emulator.add_deals(
        [
            {
                "pipeline_id": pipeline_id,
                "step_id": steps[1],
                "name": "Acme (web)",
                "source_id": 9001,
                "attributes": {"Plan": "gold"},
            }
        ]
    )
    emulator.add_deals([{"pipeline_id": pipeline_id, "step_id": steps[0], "name": "Acme (web)"}])

    def upsert(**kwargs: Any) -> dict[str, Any]:
        op = SendPulseUpsertDealOperator(
            task_id="deal", sendpulse_conn_id=sendpulse_conn, pipeline="Sales", **kwargs
        )
        emulator.clear_requests()
        return op.execute(make_context())

    result = upsert(source_id="9001", attributes={"Plan": "platinum", "Region": "EU"})
    assert result == {"deal_id": known, "outcome": "updated", "pipeline_id": pipeline_id, "step_id": steps[1]}
    assert api_requests(emulator) == [
        "GET /crm/v1/pipelines",
        f"GET /crm/v1/pipelines/{pipeline_id}/attributes",
        "POST /crm/v1/deals/get-list",
        f"GET /crm/v1/deals/{known}/attributes",
        f"PUT /crm/v1/deals/{known}/attributes/{plan}",
        f"POST /crm/v1/deals/{known}/attributes",
    ]
    deal = next(d for d in emulator.crm_state()["deals"] if d["id"] == known)
    assert (deal["name"], deal["stepId"], deal["sourceId"]) == ("Acme (web)", steps[1], 9001)
    assert deal["attributes"] == {"Plan": "platinum", "Region": "EU"}

    again = upsert(source_id=9001, attributes={"Plan": "platinum"})  # nothing differs: no write
    assert again["outcome"] == "updated"
    assert [r for r in api_requests(emulator) if not r.startswith("GET")] == ["POST /crm/v1/deals/get-list"]

    renamed = upsert(source_id=9001, name="Acme Ltd", price=10, attributes={str(plan): "silver"})
    assert renamed["deal_id"] == known
    assert [r for r in api_requests(emulator) if r.startswith("PUT")] == [
        f"PUT /crm/v1/deals/{known}",
        f"PUT /crm/v1/deals/{known}/attributes/{plan}",
    ]
    deal = next(d for d in emulator.crm_state()["deals"] if d["id"] == known)
    assert (deal["name"], deal["price"], deal["sourceId"]) == ("Acme Ltd", 10, 9001)
    assert deal["attributes"]["Plan"] == "silver"

    created = upsert(source_id=9002, name="Beta", attributes={"Region": "US"})
    assert created["outcome"] == "created"
    deal = next(d for d in emulator.crm_state()["deals"] if d["id"] == created["deal_id"])
    assert (deal["sourceId"], deal["attributes"]) == (9002, {"Region": "US"})


def test_upsert_deal_names_an_unknown_attribute_before_writing(
    emulator, sendpulse_conn, make_context, funnel
):
    pipeline_id, _ = funnel
    emulator.add_deal_attribute(pipeline_id, "Plan")
    op = SendPulseUpsertDealOperator(
        task_id="deal", sendpulse_conn_id=sendpulse_conn, pipeline="Sales", name="X", attributes={"Tier": 1}
    )
    emulator.clear_requests()
    with pytest.raises(
        SendPulseInputError, match=r"attributes: no deal attribute 'Tier' in pipeline .* 'Plan'"
    ):
        op.execute(make_context())
    assert all(r.startswith("GET") for r in api_requests(emulator))
    assert emulator.crm_state()["deal_count"] == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "name/source_id: give the deal's name, its source id, or both"),
        ({"source_id": "abc"}, "source_id: must be a positive integer"),
        ({"source_id": 0, "name": "X"}, "source_id: must be a positive integer"),
        ({"name": "X", "attributes": ["Plan"]}, "attributes: must be an object"),
        (
            {"name": "X", "attributes": {"Plan": None}},
            r"attributes\['Plan'\]: the value must be text or a number",
        ),
        (
            {"name": "X", "attributes": {"Plan": "x" * 5_501}},
            r"attributes\['Plan'\]: at most 5500 characters",
        ),
        (
            {"name": "X", "attributes": {"": "x"}},
            r"attributes\[''\]: the key must be an attribute id or name",
        ),
    ],
)
def test_upsert_deal_refuses_bad_identity_and_attributes_before_any_request(
    emulator, sendpulse_conn, make_context, funnel, kwargs, message
):
    emulator.clear_requests()
    op = SendPulseUpsertDealOperator(
        task_id="deal", sendpulse_conn_id=sendpulse_conn, pipeline="Sales", **kwargs
    )
    with pytest.raises(SendPulseInputError, match=message):
        op.execute(make_context())
    assert api_requests(emulator) == []


def _contact_tags(emulator: Any) -> dict[int, list[str]]:
    return {c["id"]: c["tags"] for c in emulator.crm_state()["contacts"]}


def test_upsert_contacts_adds_tags_by_name_and_id_and_keeps_existing_ones(
    emulator, sendpulse_conn, make_context
):
    [known] = emulator.add_crm_contacts([{"emails": ["known@example.com"], "tags": ["old", "vip"]}])
    emulator.add_crm_contacts([{"emails": ["other@example.com"], "tags": ["newsletter"]}])
    tag_id = _tag_ids(sendpulse_conn)
    rows = [
        {"email": "known@example.com", "tags": ["vip", tag_id["newsletter"]]},
        {"email": "fresh@example.com", "tags": "newsletter; vip ;"},
    ]
    op = SendPulseUpsertCrmContactOperator(task_id="upsert", sendpulse_conn_id=sendpulse_conn, rows=rows)
    emulator.clear_requests()
    result = op.execute(make_context())
    assert [r["outcome"] for r in result["rows"]] == ["updated", "created"]
    fresh = result["rows"][1]["contact_id"]
    tags = _contact_tags(emulator)
    assert tags[known] == ["old", "vip", "newsletter"]  # "old" stays, "vip" is not sent again
    assert tags[fresh] == ["newsletter", "vip"]
    tagging = [r for r in api_requests(emulator) if r.startswith("POST /crm/v1/contact-tags/")]
    assert tagging == [
        f"POST /crm/v1/contact-tags/{tag_id['newsletter']}/contact/{known}",
        f"POST /crm/v1/contact-tags/{tag_id['newsletter']}/contact/{fresh}",
        f"POST /crm/v1/contact-tags/{tag_id['vip']}/contact/{fresh}",
    ]
    assert api_requests(emulator).count("GET /crm/v1/contact-tags") == 1
    emulator.clear_requests()
    again = op.execute(make_context(try_number=2))
    assert (again["updated"], again["failed"]) == (2, 0)
    assert not [r for r in api_requests(emulator) if r.startswith("POST /crm/v1/contact-tags/")]


def _tag_ids(sendpulse_conn: str) -> dict[str, int]:
    from airflow_provider_sendpulse.client import api
    from airflow_provider_sendpulse.hooks.sendpulse import SendPulseHook

    return {t["name"]: t["id"] for t in SendPulseHook(sendpulse_conn).run(api.list_contact_tags())}


def test_upsert_contacts_refuses_an_unknown_tag_before_any_write_unless_told_to_create_it(
    emulator, sendpulse_conn, make_context
):
    emulator.add_crm_contacts([{"emails": ["known@example.com"], "tags": ["vip"]}])
    rows = [
        {"email": "a@example.com", "tags": ["vip"]},
        {"email": "b@example.com", "tags": ["vip", "Spring 2026"]},
        {"email": "c@example.com", "tags": ["Spring 2026"]},
    ]
    op = SendPulseUpsertCrmContactOperator(task_id="upsert", sendpulse_conn_id=sendpulse_conn, rows=rows)
    emulator.clear_requests()
    with pytest.raises(SendPulseInputError, match=r"rows\[1\]\.tags: no contact tag named 'Spring 2026'"):
        op.execute(make_context())
    assert all(r.startswith("GET") for r in api_requests(emulator))
    assert emulator.crm_state()["contact_count"] == 1
    unknown_id = SendPulseUpsertCrmContactOperator(
        task_id="upsert", sendpulse_conn_id=sendpulse_conn, rows=[{"email": "a@example.com", "tags": [99]}]
    )
    with pytest.raises(
        SendPulseInputError, match=r"rows\[0\]\.tags: no contact tag with id 99; known: 'vip'"
    ):
        unknown_id.execute(make_context())

    creating = SendPulseUpsertCrmContactOperator(
        task_id="upsert", sendpulse_conn_id=sendpulse_conn, rows=rows, create_tags=True
    )
    emulator.clear_requests()
    result = creating.execute(make_context())
    assert result["created"] == 3
    assert api_requests(emulator).count("POST /crm/v1/contact-tags") == 1
    tags = _contact_tags(emulator)
    assert [tags[r["contact_id"]] for r in result["rows"]] == [
        ["vip"],
        ["vip", "Spring 2026"],
        ["Spring 2026"],
    ]


def test_upsert_contacts_reads_tags_from_a_csv_column(emulator, sendpulse_conn, make_context, tmp_path: Path):
    emulator.add_crm_contacts([{"emails": ["seed@example.com"], "tags": ["vip", "newsletter"]}])
    path = tmp_path / "people.csv"
    path.write_text("email,first_name,tags\nann@example.com,Ann,vip;newsletter\nbo@example.com,Bo,\n")
    result = SendPulseUpsertCrmContactOperator(
        task_id="upsert", sendpulse_conn_id=sendpulse_conn, path=str(path)
    ).execute(make_context())
    assert result["created"] == 2
    tags = _contact_tags(emulator)
    assert [tags[r["contact_id"]] for r in result["rows"]] == [["vip", "newsletter"], []]


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        (7, r"rows\[0\]\.tags: must be a list of tag ids and names, or names separated by ';'"),
        ([True], r"rows\[0\]\.tags: each tag must be a positive tag id or a non-empty name, got bool"),
        ([0], r"rows\[0\]\.tags: each tag must be a positive tag id or a non-empty name, got int"),
        ([" "], r"rows\[0\]\.tags: each tag must be a positive tag id or a non-empty name, got str"),
        (["x" * 65], r"rows\[0\]\.tags: a tag name has at most 64 characters"),
    ],
)
def test_upsert_contacts_refuses_bad_tags_before_any_request(
    emulator, sendpulse_conn, make_context, tags, message
):
    emulator.clear_requests()
    op = SendPulseUpsertCrmContactOperator(
        task_id="upsert", sendpulse_conn_id=sendpulse_conn, rows=[{"email": "a@example.com", "tags": tags}]
    )
    with pytest.raises(SendPulseInputError, match=message):
        op.execute(make_context())
    assert api_requests(emulator) == []


def test_upsert_contacts_refuses_a_non_boolean_create_tags(sendpulse_conn):
    with pytest.raises(SendPulseInputError, match="create_tags: must be True or False"):
        SendPulseUpsertCrmContactOperator(
            task_id="upsert", sendpulse_conn_id=sendpulse_conn, rows=[], create_tags="yes"
        )
