"""CRM deals in the emulator: list filters and paging, writes, history, and web-app changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from airflow_provider_sendpulse.emulator.control import EmulatorControl

from .crm_helpers import CRM, Funnel, add_funnel, error_of


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(int(ts), UTC).isoformat()


def _list(api: httpx.Client, **body: Any) -> dict[str, Any]:
    response = api.post(f"{CRM}/deals/get-list", json=body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def _ids(api: httpx.Client, **body: Any) -> list[int]:
    return [d["id"] for d in _list(api, **body)["data"]]


def _updated_since(moment: str, expression: str = "gte") -> list[dict[str, Any]]:
    return [{"name": "updatedAt", "expression": expression, "value": moment}]


@pytest.fixture
def funnel(emulator: EmulatorControl) -> Funnel:
    return add_funnel(emulator)


def test_list_defaults_to_ten_newest_first_with_total(
    api: httpx.Client, emulator: EmulatorControl, funnel: Funnel
) -> None:
    ids = emulator.seed_deals(25, funnel.id, funnel.steps[0])
    page = _list(api)
    assert page["meta"]["total"] == 25
    assert [d["id"] for d in page["data"]] == sorted(ids, reverse=True)[:10]


def test_pages_cover_every_deal_once(api: httpx.Client, emulator: EmulatorControl, funnel: Funnel) -> None:
    ids = emulator.seed_deals(250, funnel.id, funnel.steps[0])
    seen: list[int] = []
    for offset in range(0, 300, 100):
        seen += _ids(api, limit=100, offset=offset, sortBy={"fieldName": "id", "direction": "asc"})
    assert seen == sorted(ids)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"offset": -1}, "offset"),
        ({"filter": {"name": "status"}}, "filter"),
        ({"filter": [{"name": "colour", "expression": "eq", "value": 1}]}, "filter[0].name"),
        ({"filter": [{"name": "status", "expression": "between", "value": 1}]}, "filter[0].expression"),
        ({"filter": [{"name": "status", "expression": "eq"}]}, "filter[0].value"),
        ({"filter": [{"name": "status", "expression": "eq", "value": 7}]}, "filter[0].value"),
        ({"filter": [{"name": "status", "expression": "in", "value": 1}]}, "filter[0].value"),
        ({"filter": [{"name": "price", "expression": "like", "value": 1}]}, "filter[0].expression"),
        ({"filter": [{"name": "updatedAt", "expression": "gt", "value": "yesterday"}]}, "filter[0].value"),
        ({"filter": [{"name": "updatedAt", "expression": "gt", "value": "2024-13-01"}]}, "filter[0].value"),
        ({"filter": [{"name": "updatedAt", "expression": "gt", "value": 1700000000}]}, "filter[0].value"),
        ({"sortBy": {"fieldName": "colour"}}, "sortBy.fieldName"),
        ({"sortBy": {"fieldName": "id", "direction": "up"}}, "sortBy.direction"),
        ({"pipelineIds": "1,2"}, "pipelineIds"),
        ({"unlimited": True}, "unlimited"),
    ],
)
def test_bad_list_requests_name_the_field(api: httpx.Client, body: dict[str, Any], field: str) -> None:
    response = api.post(f"{CRM}/deals/get-list", json=body)
    assert response.status_code == 422
    error = error_of(response)
    assert field in error["errors"]  # type: ignore[operator]
    assert str(error["message"]).startswith(f"{field}: ")


def test_updated_at_filters_follow_the_clock(
    api: httpx.Client, emulator: EmulatorControl, funnel: Funnel
) -> None:
    old, kept = emulator.seed_deals(2, funnel.id, funnel.steps[0])
    start = _iso(emulator.advance_clock(60))
    assert _ids(api, filter=_updated_since(start)) == []
    emulator.move_deal(old, funnel.steps[1])
    moved_at = _list(api, filter=_updated_since(start))["data"]
    assert [d["id"] for d in moved_at] == [old]
    stamp = moved_at[0]["updatedAt"]
    assert _ids(api, filter=_updated_since(stamp, "eq")) == [old]
    assert _ids(api, filter=_updated_since(stamp, "gt")) == []
    assert _ids(api, filter=_updated_since(stamp, "lt")) == [kept]
    assert _ids(api, filter=[{"name": "updatedAt", "expression": "in", "value": [stamp]}]) == [old]


@pytest.mark.parametrize(
    "spelling",
    ["{d}T{t}+00:00", "{d}T{t}Z", "{d} {t}", "{d}T{t}", "{d} {t}+00:00", "{d}T{t}.000000+00:00"],
)
def test_date_time_spellings_in_filters(
    api: httpx.Client, emulator: EmulatorControl, funnel: Funnel, spelling: str
) -> None:
    (deal,) = emulator.seed_deals(1, funnel.id, funnel.steps[0])
    created = datetime.fromisoformat(_list(api)["data"][0]["createdAt"])
    value = spelling.format(d=created.date().isoformat(), t=created.time().isoformat())
    assert _ids(api, filter=[{"name": "createdAt", "expression": "gte", "value": value}]) == [deal]


def test_offsets_and_bare_dates_in_filters(
    api: httpx.Client, emulator: EmulatorControl, funnel: Funnel
) -> None:
    (deal,) = emulator.seed_deals(1, funnel.id, funnel.steps[0])
    created = datetime.fromisoformat(_list(api)["data"][0]["createdAt"])
    east = created.astimezone(timezone(timedelta(hours=2))).isoformat()
    assert east.endswith("+02:00")
    assert _ids(api, filter=[{"name": "createdAt", "expression": "eq", "value": east}]) == [deal]
    day = created.date().isoformat()
    assert _ids(api, filter=[{"name": "createdAt", "expression": "gte", "value": day}]) == [deal]


def test_field_filters_and_sorting(api: httpx.Client, emulator: EmulatorControl, funnel: Funnel) -> None:
    other = add_funnel(emulator, "Renewals", 2)
    cheap, dear = emulator.add_deals(
        [
            {"pipeline_id": funnel.id, "step_id": funnel.steps[0], "name": "Cheap tea", "price": 5},
            {"pipeline_id": funnel.id, "step_id": funnel.steps[2], "name": "Dear coffee", "price": 500},
        ]
    )
    (renewal,) = emulator.add_deals([{"pipeline_id": other.id, "step_id": other.steps[0], "price": 50}])
    emulator.win_deal(dear)
    assert _ids(api, pipelineIds=[other.id]) == [renewal]
    assert _ids(api, filter=[{"name": "pipelineId", "expression": "eq", "value": funnel.id}]) == [dear, cheap]
    assert _ids(api, filter=[{"name": "stepId", "expression": "in", "value": funnel.steps[1:]}]) == [dear]
    assert _ids(api, filter=[{"name": "status", "expression": "eq", "value": 3}]) == [dear]
    assert _ids(api, filter=[{"name": "price", "expression": "gte", "value": 50}]) == [renewal, dear]
    assert _ids(api, filter=[{"name": "price", "expression": "lt", "value": "50"}]) == [cheap]
    assert _ids(api, filter=[{"name": "name", "expression": "like", "value": "%coffee%"}]) == [dear]
    assert _ids(api, name="tea") == [cheap]
    by_price = _ids(api, sortBy={"fieldName": "price", "direction": "desc"})
    assert by_price == [dear, renewal, cheap]


def test_deals_found_by_their_contacts(api: httpx.Client, emulator: EmulatorControl, funnel: Funnel) -> None:
    ann, bob = emulator.add_crm_contacts(
        [
            {"first_name": "Ann", "emails": ["ann@example.com"], "phones": ["380501112233"]},
            {"first_name": "Bob", "emails": ["bob@example.com"]},
        ]
    )
    step = funnel.steps[0]
    with_ann, with_bob = emulator.add_deals(
        [
            {"pipeline_id": funnel.id, "step_id": step, "contacts": [ann]},
            {"pipeline_id": funnel.id, "step_id": step, "contacts": [bob]},
        ]
    )
    emulator.seed_deals(3, funnel.id, step)
    assert _ids(api, email="ann@example.com") == [with_ann]
    assert _ids(api, phone="+380 50 111") == [with_ann]
    assert _ids(api, firstName="bob") == [with_bob]


def test_completion_dates(api: httpx.Client, emulator: EmulatorControl, funnel: Funnel) -> None:
    won, lost, _open = emulator.seed_deals(3, funnel.id, funnel.steps[0])
    start = _iso(emulator.advance_clock(600))
    emulator.win_deal(won)
    emulator.lose_deal(lost)
    assert _ids(api, completionDateFrom=start) == [lost, won]
    assert _ids(api, completionDateTo="2000-01-01") == []


def test_create_deal(api: httpx.Client, emulator: EmulatorControl, funnel: Funnel) -> None:
    member = emulator.add_team_member("Sam", "Seller", "sam@example.com")
    (contact,) = emulator.seed_crm_contacts(1)
    body = {
        "pipelineId": funnel.id,
        "stepId": funnel.steps[1],
        "name": "Website",
        "price": 1200,
        "currency": "eur",
        "responsibleId": member,
        "sourceId": 77,
        "contact": [contact],
    }
    deal = api.post(f"{CRM}/deals", json=body).json()["data"]
    assert deal["status"] == 1
    assert deal["createdAt"] == deal["updatedAt"]
    expected = {"stepId": funnel.steps[1], "price": 1200, "currency": "EUR", "responsibleId": member}
    assert {k: deal[k] for k in expected} == expected
    linked = api.get(f"{CRM}/deals/{deal['id']}/contacts").json()["data"]
    assert [c["id"] for c in linked] == [contact]
    assert linked[0]["dealsQty"] == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"pipelineId": None}, "pipelineId"),
        ({"stepId": None}, "stepId"),
        ({"pipelineId": 424242}, "pipelineId"),
        ({"stepId": "other"}, "stepId"),
        ({"responsibleId": 5}, "responsibleId"),
        ({"name": "x" * 256}, "name"),
        ({"price": -1}, "price"),
        ({"currency": "dollars"}, "currency"),
        ({"contact": [999]}, "contact[0]"),
        ({"contact": 5}, "contact"),
    ],
)
def test_create_deal_refusals(
    api: httpx.Client, emulator: EmulatorControl, funnel: Funnel, change: dict[str, Any], field: str
) -> None:
    other = add_funnel(emulator, "Other", 1)
    body: dict[str, Any] = {"pipelineId": funnel.id, "stepId": funnel.steps[0], "name": "Deal"}
    body.update(change)
    if body["stepId"] == "other":
        body["stepId"] = other.steps[0]
    response = api.post(f"{CRM}/deals", json={k: v for k, v in body.items() if v is not None})
    assert response.status_code == 422
    assert field in error_of(response)["errors"]  # type: ignore[operator]
    assert _list(api)["meta"]["total"] == 0


def test_update_overwrites_and_needs_every_required_field(
    api: httpx.Client, emulator: EmulatorControl, funnel: Funnel
) -> None:
    (deal,) = emulator.seed_deals(1, funnel.id, funnel.steps[0], prefix="Old")
    partial = api.put(f"{CRM}/deals/{deal}", json={"pipelineId": funnel.id, "stepId": funnel.steps[1]})
    assert partial.status_code == 422
    assert "status" in error_of(partial)["errors"]  # type: ignore[operator]
    emulator.advance_clock(5)
    full = {"pipelineId": funnel.id, "stepId": funnel.steps[2], "status": 3, "name": "New", "price": 10}
    updated = api.put(f"{CRM}/deals/{deal}", json=full).json()["data"]
    assert (updated["stepId"], updated["status"], updated["name"]) == (funnel.steps[2], 3, "New")
    assert updated["updatedAt"] > updated["createdAt"]
    emulator.advance_clock(5)
    again = api.put(f"{CRM}/deals/{deal}", json=full).json()["data"]
    assert again["updatedAt"] == updated["updatedAt"], "an unchanged deal keeps its updatedAt"


def test_change_pipeline_and_history(api: httpx.Client, emulator: EmulatorControl, funnel: Funnel) -> None:
    other = add_funnel(emulator, "Renewals", 2)
    member = emulator.add_team_member("Sam")
    (deal,) = emulator.seed_deals(1, funnel.id, funnel.steps[0])
    emulator.advance_clock(10)
    move = {"pipelineId": other.id, "stepId": other.steps[1]}
    moved = api.post(f"{CRM}/deals/{deal}/change-pipeline", json=move).json()["data"]
    assert (moved["pipelineId"], moved["stepId"]) == (other.id, other.steps[1])
    wrong = api.post(
        f"{CRM}/deals/{deal}/change-pipeline", json={"pipelineId": funnel.id, "stepId": other.steps[0]}
    )
    assert wrong.status_code == 422
    emulator.advance_clock(10)
    emulator.update_deal(deal, status=2, user_id=member)
    detail = api.get(f"{CRM}/deals/{deal}").json()["data"]
    events = [(h["eventType"], h["eventData"]) for h in detail["history"]]
    assert events[1:] == [
        (
            "pipeline_changed",
            [
                {"field": "pipelineId", "oldValue": funnel.id, "newValue": other.id},
                {"field": "stepId", "oldValue": funnel.steps[0], "newValue": other.steps[1]},
            ],
        ),
        ("status_changed", [{"field": "status", "oldValue": 1, "newValue": 2}]),
    ]
    assert detail["history"][2]["userId"] == member
    window = {"fromDate": moved["updatedAt"], "toDate": moved["updatedAt"]}
    history = api.get(f"{CRM}/deals/{deal}/history", params=window).json()["data"]
    assert [h["eventType"] for h in history] == ["pipeline_changed"]
    missing = api.get(f"{CRM}/deals/{deal}/history", params={"fromDate": "2024-01-01"})
    assert missing.status_code == 422
    assert "toDate" in error_of(missing)["errors"]  # type: ignore[operator]


def test_delete_keeps_the_deal_with_status_zero(
    api: httpx.Client, emulator: EmulatorControl, funnel: Funnel
) -> None:
    (deal,) = emulator.seed_deals(1, funnel.id, funnel.steps[0])
    emulator.advance_clock(3)
    assert api.delete(f"{CRM}/deals/{deal}").status_code == 204
    gone = api.get(f"{CRM}/deals/{deal}").json()["data"]
    assert gone["status"] == 0
    assert gone["updatedAt"] > gone["createdAt"]
    assert _ids(api, filter=[{"name": "status", "expression": "neq", "value": 0}]) == []
    emulator.advance_clock(3)
    assert api.delete(f"{CRM}/deals/{deal}").status_code == 204
    assert api.get(f"{CRM}/deals/{deal}").json()["data"]["updatedAt"] == gone["updatedAt"]


def test_notes_do_not_change_the_deal(api: httpx.Client, emulator: EmulatorControl, funnel: Funnel) -> None:
    (deal,) = emulator.seed_deals(1, funnel.id, funnel.steps[0])
    before = api.get(f"{CRM}/deals/{deal}").json()["data"]["updatedAt"]
    emulator.advance_clock(5)
    note = api.post(f"{CRM}/deals/{deal}/comments", json={"message": "Called them"}).json()["data"]
    assert note["eventData"] == {"text": "Called them"}
    assert api.post(f"{CRM}/deals/{deal}/comments", json={"message": ""}).status_code == 422
    assert api.put(f"{CRM}/deals/{deal}/comments/1", json={"message": "x"}).status_code == 404
    assert api.get(f"{CRM}/deals/{deal}").json()["data"]["updatedAt"] == before
    assert [n["id"] for n in api.get(f"{CRM}/deals/{deal}/comments").json()["data"]] == [note["id"]]


def test_linking_contacts_changes_the_deal(
    api: httpx.Client, emulator: EmulatorControl, funnel: Funnel
) -> None:
    (deal,) = emulator.seed_deals(1, funnel.id, funnel.steps[0])
    (contact,) = emulator.seed_crm_contacts(1)
    emulator.advance_clock(2)
    assert api.post(f"{CRM}/deals/{deal}/contacts/{contact}").status_code == 201
    after = api.get(f"{CRM}/deals/{deal}").json()["data"]
    assert after["updatedAt"] > after["createdAt"]
    assert api.post(f"{CRM}/deals/{deal}/contacts/999").status_code == 404
    assert api.delete(f"{CRM}/deals/{deal}/contacts/{contact}").status_code == 204
    assert api.delete(f"{CRM}/deals/{deal}/contacts/{contact}").status_code == 404


@pytest.mark.parametrize("path", ["/deals/abc", "/deals/0", "/deals/99", "/pipelines/x/steps"])
def test_unknown_records_are_404(api: httpx.Client, path: str) -> None:
    response = api.get(CRM + path)
    assert response.status_code == 404
    assert str(error_of(response)["message"]).endswith("not found")


def test_web_app_changes(emulator: EmulatorControl, funnel: Funnel) -> None:
    other = add_funnel(emulator, "Renewals", 2)
    (deal,) = emulator.seed_deals(1, funnel.id, funnel.steps[0])
    assert emulator.move_deal(deal, funnel.steps[2])["stepId"] == funnel.steps[2]
    moved = emulator.move_deal(deal, other.steps[1], pipeline_id=other.id)
    assert (moved["pipelineId"], moved["stepId"]) == (other.id, other.steps[1])
    assert emulator.update_deal(deal, pipeline_id=funnel.id)["stepId"] == funnel.steps[0]
    assert emulator.win_deal(deal)["status"] == 3
    assert emulator.lose_deal(deal)["status"] == 2
    assert emulator.update_deal(deal, name="Renamed", price=9.5)["name"] == "Renamed"
    with pytest.raises(httpx.HTTPStatusError):
        emulator.move_deal(deal, other.steps[0])
    with pytest.raises(httpx.HTTPStatusError):
        emulator.update_deal(deal, status=4)
    state = emulator.crm_state()
    assert state["deal_count"] == 1
    assert state["deals"][0]["name"] == "Renamed"


def test_crm_goes_through_the_front_door(
    api: httpx.Client, emulator: EmulatorControl, funnel: Funnel
) -> None:
    anonymous = httpx.post(f"{emulator.url}{CRM}/deals/get-list", json={})
    assert anonymous.status_code == 401
    emulator.add_fault(method="POST", path=f"{CRM}/deals/get-list", status=503)
    assert api.post(f"{CRM}/deals/get-list", json={}).status_code == 503
    assert api.post(f"{CRM}/deals/get-list", json={}).status_code == 200
    emulator.configure(rate_limit=1)
    statuses = {api.get(f"{CRM}/pipelines").status_code for _ in range(3)}
    assert 429 in statuses
    emulator.configure(rate_limit=0)
    logged = [(r["method"], r["path"], r["status"]) for r in emulator.requests() if r["path"].startswith(CRM)]
    assert logged[:3] == [
        ("POST", f"{CRM}/deals/get-list", 401),
        ("POST", f"{CRM}/deals/get-list", 503),
        ("POST", f"{CRM}/deals/get-list", 200),
    ]
