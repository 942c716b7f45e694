"""CRM contacts in the emulator: date-only filters, search fields, writes and what bumps `updatedAt`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from airflow_provider_sendpulse.emulator.config import DEFAULT_API_KEY
from airflow_provider_sendpulse.emulator.control import EmulatorControl

from .crm_helpers import CRM, add_funnel, error_of, owner_id

DAY = 86_400


def _page(api: httpx.Client, **body: Any) -> dict[str, Any]:
    response = api.post(f"{CRM}/contacts/get-list", json=body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()["data"]
    return result


def _ids(api: httpx.Client, **body: Any) -> list[int]:
    return [c["id"] for c in _page(api, **body)["list"]]


def _day(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).date().isoformat()


def _contact(api: httpx.Client, contact_id: int) -> dict[str, Any]:
    result: dict[str, Any] = api.get(f"{CRM}/contacts/{contact_id}").json()["data"]
    return result


def test_list_defaults_and_paging(api: httpx.Client, emulator: EmulatorControl) -> None:
    ids = emulator.seed_crm_contacts(25)
    page = _page(api)
    assert page["total"] == 25
    assert [c["id"] for c in page["list"]] == sorted(ids, reverse=True)[:10]
    asc = {"fieldName": "id", "direction": "asc"}
    assert _ids(api, limit=100, offset=20, sortBy=asc) == sorted(ids)[20:]


def test_creation_and_update_days(api: httpx.Client, emulator: EmulatorControl) -> None:
    now = emulator.now()
    old = emulator.add_crm_contacts([{"first_name": "Old"}], created=now - 3 * DAY)[0]
    new = emulator.add_crm_contacts([{"first_name": "New"}])[0]
    assert _ids(api, **{"from": _day(now)}) == [new]
    assert _ids(api, to=_day(now - 3 * DAY)) == [old]
    assert _ids(api, **{"from": _day(now - 3 * DAY), "to": _day(now - DAY)}) == [old]
    api.headers["Authorization"] = f"Bearer {DEFAULT_API_KEY}"  # a day outlives the access token
    emulator.advance_clock(DAY)
    emulator.update_crm_contact(old, last_name="Updated")
    today = _day(now + DAY)
    assert _ids(api, updateFrom=today) == [old]
    assert _ids(api, updateTo=_day(now)) == [new]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"from": "2024-01-01 10:00:00"}, "from"),
        ({"to": "2024-01-01T00:00:00Z"}, "to"),
        ({"updateFrom": "01.02.2024"}, "updateFrom"),
        ({"updateTo": "2024-02-30"}, "updateTo"),
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"offset": -5}, "offset"),
        ({"sortBy": {"fieldName": "updated_at"}}, "sortBy.fieldName"),
        ({"sortBy": {"fieldName": "attributeId"}}, "sortBy.fieldName"),
        ({"sortBy": "id"}, "sortBy"),
        ({"responsibleIds": 5}, "responsibleIds"),
        ({"tagIds": ["vip"]}, "tagIds[0]"),
        ({"email": 5}, "email"),
        ({"phone": "none"}, "phone"),
        ({"fieldValueConditions": [{"field": "tags"}]}, "fieldValueConditions"),
    ],
)
def test_bad_list_requests_name_the_field(api: httpx.Client, body: dict[str, Any], field: str) -> None:
    response = api.post(f"{CRM}/contacts/get-list", json=body)
    assert response.status_code == 422
    assert field in error_of(response)["errors"]  # type: ignore[operator]


def test_search_fields(api: httpx.Client, emulator: EmulatorControl) -> None:
    member = emulator.add_team_member("Sam")
    ann, bob, _cy = emulator.add_crm_contacts(
        [
            {"first_name": "Ann", "last_name": "Lee", "emails": ["ann@shop.example"], "tags": ["vip"]},
            {"first_name": "Bob", "phones": ["380501112233"], "responsible_id": member, "tags": ["lead"]},
            {"first_name": "Cy", "emails": ["cy@example.com"]},
        ]
    )
    vip = api.get(f"{CRM}/contact-tags", params={"name": "vip"}).json()["data"][0]
    assert vip["contactCount"] == 1
    assert _ids(api, email="SHOP.example") == [ann]
    assert _ids(api, phone="+380 (50) 111") == [bob]
    assert _ids(api, firstName="an") == [ann]
    assert _ids(api, lastName="lee") == [ann]
    assert _ids(api, responsibleIds=[member]) == [bob]
    assert _ids(api, tagIds=[vip["id"]]) == [ann]
    assert _ids(api, ids=[ann, bob], sortBy={"fieldName": "first_name", "direction": "desc"}) == [bob, ann]
    found = api.post(f"{CRM}/contacts/get-list-by-email", json={"email": "ANN@shop.example"}).json()["data"]
    assert [c["id"] for c in found["list"]] == [ann]
    partial = {"email": "example", "isEmailFullSearch": False}
    assert api.post(f"{CRM}/contacts/get-list-by-email", json=partial).json()["data"]["total"] == 2


def test_create_needs_a_team_member(api: httpx.Client) -> None:
    missing = api.post(f"{CRM}/contacts/create", json={"firstName": "Ann"})
    assert missing.status_code == 422
    assert error_of(missing)["errors"] == {"responsibleId": ["responsibleId: is required"]}
    stranger = api.post(f"{CRM}/contacts/create", json={"firstName": "Ann", "responsibleId": 12})
    assert stranger.status_code == 422
    assert "team member" in str(error_of(stranger)["message"])
    assert _page(api)["total"] == 0


def test_create_update_and_external_id(api: httpx.Client, emulator: EmulatorControl) -> None:
    me = owner_id(api)
    body = {"responsibleId": me, "firstName": "Ann", "externalContactId": "crm-7"}
    created = api.post(f"{CRM}/contacts/create", json=body).json()["data"]
    assert created["createdAt"] == created["updatedAt"]
    assert api.post(f"{CRM}/contacts/create", json=body).status_code == 422, "external ids are unique"
    assert api.get(f"{CRM}/contacts/external/crm-7").json()["data"]["data"]["id"] == created["id"]
    assert api.get(f"{CRM}/contacts/external/nope").status_code == 404
    emulator.advance_clock(5)
    no_owner = api.put(f"{CRM}/contacts/{created['id']}", json={"firstName": "Anna"})
    assert no_owner.status_code == 422
    updated = api.put(f"{CRM}/contacts/{created['id']}", json={"responsibleId": me, "firstName": "Anna"})
    assert updated.json()["data"]["firstName"] == "Anna"
    assert updated.json()["data"]["updatedAt"] > created["updatedAt"]


def test_what_changes_a_contact(api: httpx.Client, emulator: EmulatorControl) -> None:
    (contact,) = emulator.seed_crm_contacts(1)
    stamps = [_contact(api, contact)["updatedAt"]]

    def later(response: httpx.Response) -> None:
        assert response.status_code in (200, 201, 204), response.text
        stamps.append(_contact(api, contact)["updatedAt"])
        emulator.advance_clock(2)

    emulator.advance_clock(2)
    later(api.post(f"{CRM}/contacts/{contact}/phones", json={"phone": "+44 20 7946 0958"}))
    later(api.post(f"{CRM}/contacts/{contact}/emails", json={"emails": [{"email": "two@example.com"}]}))
    attribute = api.post(f"{CRM}/contacts/attributes", json={"name": "Plan"}).json()["data"]["id"]
    later(api.post(f"{CRM}/contacts/{contact}/attributes", json={"attributeId": attribute, "value": "gold"}))
    tag = api.post(f"{CRM}/contact-tags", json={"name": "vip"}).json()["data"]["id"]
    later(api.post(f"{CRM}/contact-tags/{tag}/contact/{contact}"))
    assert len(set(stamps)) == len(stamps), stamps
    api.post(f"{CRM}/contacts/{contact}/comments", json={"message": "A note"})
    assert _contact(api, contact)["updatedAt"] == stamps[-1], "notes leave updatedAt alone"
    card = _contact(api, contact)
    assert [e["email"] for e in card["emails"]] == ["contact0@example.com", "two@example.com"]
    assert [e["isMain"] for e in card["emails"]] == [True, False]
    assert card["phones"][0]["phone"] == "442079460958"
    assert card["tags"][0]["name"] == "vip"
    assert card["comments"][0]["text"] == "A note"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/phones", {"phone": "12"}, "phone"),
        ("/phones", {}, "phone"),
        ("/emails", {"emails": [{"email": "not-an-email"}]}, "emails[0].email"),
        ("/emails", {"emails": [{"email": "a" * 45 + "@example.com"}]}, "emails[0].email"),
        ("/emails", {"email": "a@example.com"}, "emails"),
        ("/attributes", {"attributeId": 5, "value": "x"}, "attributeId"),
        ("/attributes/batch", {"attributesValues": "x"}, "attributesValues"),
        ("/comments", {"message": " "}, "message"),
    ],
)
def test_write_refusals(
    api: httpx.Client, emulator: EmulatorControl, path: str, body: dict[str, Any], field: str
) -> None:
    (contact,) = emulator.seed_crm_contacts(1)
    before = _contact(api, contact)
    response = api.post(f"{CRM}/contacts/{contact}{path}", json=body)
    assert response.status_code == 422
    assert field in error_of(response)["errors"]  # type: ignore[operator]
    assert _contact(api, contact) == before


def test_deleting_a_contact_unlinks_its_deals(api: httpx.Client, emulator: EmulatorControl) -> None:
    funnel = add_funnel(emulator)
    (contact,) = emulator.seed_crm_contacts(1)
    (deal,) = emulator.add_deals(
        [{"pipeline_id": funnel.id, "step_id": funnel.steps[0], "contacts": [contact]}]
    )
    assert [d["id"] for d in api.get(f"{CRM}/contacts/{contact}/deals").json()["data"]] == [deal]
    assert _contact(api, contact)["dealsQty"] == 1
    assert api.delete(f"{CRM}/contacts/{contact}").status_code == 204
    assert api.get(f"{CRM}/contacts/{contact}").status_code == 404
    assert api.get(f"{CRM}/deals/{deal}/contacts").json()["data"] == []


def test_seeding_refuses_future_creation(emulator: EmulatorControl) -> None:
    future = emulator.now() + timedelta(days=1).total_seconds()
    with pytest.raises(httpx.HTTPStatusError):
        emulator.add_crm_contacts([{"first_name": "Tomorrow"}], created=future)
    assert emulator.crm_state()["contact_count"] == 0
