"""Mailing lists: create, list, get (one-element array), rename, delete, variables, campaigns, cost."""

from __future__ import annotations

import httpx
import pytest

from airflow_provider_sendpulse.emulator.control import EmulatorControl

from .helpers import add_emails, campaign_body, new_list

NOT_FOUND = {"message": "Book not found", "error_code": 213}


def test_create_and_get_returns_one_element_array(api: httpx.Client) -> None:
    list_id = new_list(api, "Customers")
    response = api.get(f"/addressbooks/{list_id}")
    assert response.status_code == 200
    body = response.json()
    assert isinstance(body, list)
    assert len(body) == 1
    book = body[0]
    assert book["id"] == list_id
    assert book["name"] == "Customers"
    assert book["all_email_qty"] == 0
    assert book["active_email_qty"] == 0
    assert book["inactive_email_qty"] == 0
    assert book["status"] == 0
    assert len(book["creationdate"]) == len("2024-01-01 00:00:00")


@pytest.mark.parametrize(
    ("body", "message", "code"),
    [
        ({}, "Argument bookName missing", 422),
        ({"bookName": 5}, "Argument bookName must be string", 422),
        ({"bookName": "  "}, "Book name is empty", 201),
    ],
)
def test_create_validation(api: httpx.Client, body: dict[str, object], message: str, code: int) -> None:
    response = api.post("/addressbooks", json=body)
    assert response.status_code == 422
    assert response.json() == {"message": message, "error_code": code}


def test_duplicate_name_is_203(api: httpx.Client) -> None:
    new_list(api, "Same")
    response = api.post("/addressbooks", json={"bookName": "Same"})
    assert response.status_code == 422
    assert response.json() == {"message": "Name already in use", "error_code": 203}


def test_list_pages(api: httpx.Client) -> None:
    ids = [new_list(api, f"L{i}") for i in range(5)]
    assert [b["id"] for b in api.get("/addressbooks").json()] == ids
    assert [b["id"] for b in api.get("/addressbooks", params={"limit": 2, "offset": 1}).json()] == ids[1:3]
    assert api.get("/addressbooks", params={"offset": 10}).json() == []


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"limit": 101}, "Argument limit may not be greater than 100"),
        ({"limit": -1}, "Argument limit must be at least 1"),
        ({"limit": "abc"}, "Argument limit must be integer"),
        ({"offset": -1}, "Argument offset must be at least 0"),
        ({"offset": "x"}, "Argument offset must be integer"),
    ],
)
def test_list_paging_validation(api: httpx.Client, params: dict[str, object], message: str) -> None:
    response = api.get("/addressbooks", params=params)
    assert response.status_code == 422
    assert response.json() == {"message": message, "error_code": 422}


@pytest.mark.parametrize("list_id", ["999", "abc", "0", "-4"])
def test_unknown_list_is_404_213(api: httpx.Client, list_id: str) -> None:
    for method, path in [
        ("GET", f"/addressbooks/{list_id}"),
        ("PUT", f"/addressbooks/{list_id}"),
        ("DELETE", f"/addressbooks/{list_id}"),
        ("GET", f"/addressbooks/{list_id}/variables"),
        ("GET", f"/addressbooks/{list_id}/emails"),
        ("GET", f"/addressbooks/{list_id}/emails/total"),
        ("GET", f"/addressbooks/{list_id}/campaigns"),
        ("GET", f"/addressbooks/{list_id}/cost"),
    ]:
        response = api.request(method, path, json={"name": "x"} if method == "PUT" else None)
        assert response.status_code == 404, (method, path)
        assert response.json() == NOT_FOUND


def test_rename(api: httpx.Client) -> None:
    list_id = new_list(api, "Old")
    other = new_list(api, "Other")
    assert api.put(f"/addressbooks/{list_id}", json={"name": "New"}).json() == {"result": True}
    assert api.get(f"/addressbooks/{list_id}").json()[0]["name"] == "New"
    clash = api.put(f"/addressbooks/{list_id}", json={"name": "Other"})
    assert clash.status_code == 422
    assert clash.json()["error_code"] == 203
    missing = api.put(f"/addressbooks/{other}", json={})
    assert missing.json() == {"message": "Argument name missing", "error_code": 422}


def test_delete(api: httpx.Client) -> None:
    list_id = new_list(api)
    assert api.delete(f"/addressbooks/{list_id}").json() == {"result": True}
    assert api.get(f"/addressbooks/{list_id}").status_code == 404


def test_delete_refused_while_campaign_active(api: httpx.Client, emulator: EmulatorControl) -> None:
    list_id = new_list(api)
    add_emails(api, list_id, "a@example.com")
    assert api.post("/campaigns", json=campaign_body(list_id)).status_code == 200
    refused = api.delete(f"/addressbooks/{list_id}")
    assert refused.status_code == 422
    assert refused.json() == {"message": "The address book has active campaign", "error_code": 422}
    emulator.advance_clock(60)
    assert api.delete(f"/addressbooks/{list_id}").json() == {"result": True}


def test_variables_are_typed(api: httpx.Client) -> None:
    list_id = new_list(api)
    body = {
        "emails": [{"email": "a@example.com", "variables": {"name": "Ann", "age": 33, "born": "1990-01-02"}}]
    }
    api.post(f"/addressbooks/{list_id}/emails", json=body)
    assert api.get(f"/addressbooks/{list_id}/variables").json() == [
        {"name": "name", "type": "string"},
        {"name": "age", "type": "number"},
        {"name": "born", "type": "date"},
    ]


def test_contacts_by_variable(api: httpx.Client) -> None:
    list_id = new_list(api)
    body = {
        "emails": [
            {"email": "a@example.com", "variables": {"city": "Kyiv"}},
            {"email": "b@example.com", "variables": {"city": "Lviv"}},
        ]
    }
    api.post(f"/addressbooks/{list_id}/emails", json=body)
    found = api.get(f"/addressbooks/{list_id}/variables/city/Lviv").json()
    assert [c["email"] for c in found] == ["b@example.com"]
    missing = api.get(f"/addressbooks/{list_id}/variables/nope/x")
    assert missing.status_code == 404
    assert missing.json()["error_code"] == 299


def test_campaigns_of_list(api: httpx.Client) -> None:
    list_id = new_list(api)
    add_emails(api, list_id, "a@example.com")
    campaign_id = api.post("/campaigns", json=campaign_body(list_id, name="Spring")).json()["id"]
    assert api.get(f"/addressbooks/{list_id}/campaigns").json() == [
        {"task_id": campaign_id, "task_name": "Spring", "task_status": 13}
    ]


def test_cost(api: httpx.Client) -> None:
    list_id = new_list(api)
    empty = api.get(f"/addressbooks/{list_id}/cost")
    assert empty.status_code == 422
    assert empty.json() == {"message": "Addressbook is empty", "error_code": 211}
    add_emails(api, list_id, "a@example.com", "b@example.com")
    cost = api.get(f"/addressbooks/{list_id}/cost").json()
    assert cost["result"] is True
    assert cost["sent_emails_qty"] == 2
    assert cost["cur"] == "USD"
