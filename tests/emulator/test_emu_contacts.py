"""Contacts in lists: add (upsert), list, total, delete, unsubscribe, variables, lookups."""

from __future__ import annotations

import json

import httpx
import pytest

from airflow_provider_sendpulse.emulator.control import EmulatorControl

from .helpers import SENDER, add_emails, new_list


def emails_of(api: httpx.Client, list_id: int, **params: object) -> list[str]:
    response = api.get(f"/addressbooks/{list_id}/emails", params=params)
    assert response.status_code == 200, response.text
    return [c["email"] for c in response.json()]


def test_add_and_list(api: httpx.Client) -> None:
    list_id = new_list(api)
    body = {
        "emails": [{"email": "Ann@Example.com", "variables": {"name": "Ann"}}, {"email": "bob@example.com"}]
    }
    assert api.post(f"/addressbooks/{list_id}/emails", json=body).json() == {"result": True}
    listed = api.get(f"/addressbooks/{list_id}/emails").json()
    assert listed == [
        {"email": "ann@example.com", "status": 1, "status_explain": "Active", "variables": {"name": "Ann"}},
        {"email": "bob@example.com", "status": 1, "status_explain": "Active", "variables": {}},
    ]
    assert "add_date" not in listed[0]
    book = api.get(f"/addressbooks/{list_id}").json()[0]
    assert (book["all_email_qty"], book["active_email_qty"], book["inactive_email_qty"]) == (2, 2, 0)


def test_add_is_an_upsert(api: httpx.Client) -> None:
    list_id = new_list(api)
    api.post(
        f"/addressbooks/{list_id}/emails",
        json={"emails": [{"email": "a@example.com", "variables": {"x": "1"}}]},
    )
    add_emails(api, list_id, "b@example.com")
    again = {"emails": [{"email": "a@example.com", "variables": {"y": "2"}}]}
    api.post(f"/addressbooks/{list_id}/emails", json=again)
    listed = api.get(f"/addressbooks/{list_id}/emails").json()
    assert [c["email"] for c in listed] == ["a@example.com", "b@example.com"]
    assert listed[0]["variables"] == {"x": "1", "y": "2"}
    assert api.get(f"/addressbooks/{list_id}/emails/total").json() == {"total": 2}


def test_plain_email_strings_are_accepted(api: httpx.Client) -> None:
    list_id = new_list(api)
    api.post(f"/addressbooks/{list_id}/emails", json={"emails": ["a@example.com"]})
    assert emails_of(api, list_id) == ["a@example.com"]


def test_emails_as_json_string_like_the_official_client(api: httpx.Client) -> None:
    list_id = new_list(api)
    body = {"emails": json.dumps([{"email": "a@example.com", "variables": {"n": 1}}])}
    assert api.post(f"/addressbooks/{list_id}/emails", json=body).json() == {"result": True}
    assert emails_of(api, list_id) == ["a@example.com"]


def test_double_opt_in_contacts_wait_for_confirmation(api: httpx.Client) -> None:
    list_id = new_list(api)
    body = {
        "emails": [{"email": "a@example.com"}],
        "confirmation": "force",
        "sender_email": SENDER,
        "message_lang": "en",
    }
    assert api.post(f"/addressbooks/{list_id}/emails", json=body).json() == {"result": True}
    contact = api.get(f"/addressbooks/{list_id}/emails").json()[0]
    assert contact["status"] == 2
    assert api.get(f"/addressbooks/{list_id}/emails/total", params={"active": 1}).json() == {"total": 0}


@pytest.mark.parametrize(
    ("body", "message", "code"),
    [
        ({}, "Argument emails missing", 422),
        ({"emails": []}, "Argument emails missing", 422),
        ({"emails": "nope"}, "Argument emails must be array", 422),
        ({"emails": [5]}, "Argument emails is invalid", 422),
        ({"emails": [{"email": "not-an-email"}]}, "Argument email is invalid", 422),
        (
            {"emails": [{"email": "a@example.com", "variables": "x"}]},
            "Argument emails.*.variables is invalid",
            422,
        ),
        ({"emails": ["a@example.com"], "confirmation": "maybe"}, "Argument confirmation is invalid", 422),
        ({"emails": ["a@example.com"], "confirmation": "force"}, "Argument sender_email missing", 422),
        (
            {"emails": ["a@example.com"], "confirmation": "force", "sender_email": "x@example.com"},
            "Sender not found",
            1003,
        ),
    ],
)
def test_add_validation(api: httpx.Client, body: dict[str, object], message: str, code: int) -> None:
    list_id = new_list(api)
    response = api.post(f"/addressbooks/{list_id}/emails", json=body)
    assert response.status_code == 422
    assert response.json() == {"message": message, "error_code": code}


def test_paging_order_and_filters(api: httpx.Client) -> None:
    list_id = new_list(api)
    emails = [f"u{i}@example.com" for i in range(7)]
    add_emails(api, list_id, *emails)
    api.post(
        f"/addressbooks/{list_id}/emails/unsubscribe", json={"emails": ["u1@example.com", "u4@example.com"]}
    )
    assert emails_of(api, list_id, limit=3, offset=2) == emails[2:5]
    assert emails_of(api, list_id, limit=3, order="desc") == emails[::-1][:3]
    assert emails_of(api, list_id, active=1) == [
        e for e in emails if e not in ("u1@example.com", "u4@example.com")
    ]
    assert emails_of(api, list_id, not_active=1) == ["u1@example.com", "u4@example.com"]
    assert emails_of(api, list_id, active=1, limit=2, offset=1, order="desc") == [
        "u5@example.com",
        "u3@example.com",
    ]
    assert api.get(f"/addressbooks/{list_id}/emails/total").json() == {"total": 7}
    assert api.get(f"/addressbooks/{list_id}/emails/total", params={"active": 1}).json() == {"total": 5}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"limit": 101}, "Argument limit may not be greater than 100"),
        ({"order": "sideways"}, "Argument order is invalid"),
        ({"active": "perhaps"}, "Argument active is invalid"),
        ({"not_active": "perhaps"}, "Argument not_active is invalid"),
    ],
)
def test_listing_validation(api: httpx.Client, params: dict[str, object], message: str) -> None:
    list_id = new_list(api)
    response = api.get(f"/addressbooks/{list_id}/emails", params=params)
    assert response.status_code == 422
    assert response.json() == {"message": message, "error_code": 422}


def test_delete_contacts(api: httpx.Client) -> None:
    list_id = new_list(api)
    add_emails(api, list_id, "a@example.com", "b@example.com", "c@example.com")
    response = api.request(
        "DELETE", f"/addressbooks/{list_id}/emails", json={"emails": ["b@example.com", "x@y.io"]}
    )
    assert response.json() == {"result": True}
    assert emails_of(api, list_id) == ["a@example.com", "c@example.com"]
    assert emails_of(api, list_id, offset=1) == ["c@example.com"]


def test_delete_limits(api: httpx.Client) -> None:
    list_id = new_list(api)
    too_many = {"emails": [f"u{i}@example.com" for i in range(101)]}
    response = api.request("DELETE", f"/addressbooks/{list_id}/emails", json=too_many)
    assert response.status_code == 422
    assert response.json() == {"message": "Limit is exceeded. Max count: 100", "error_code": 422}
    empty = api.request("DELETE", f"/addressbooks/{list_id}/emails", json={"emails": []})
    assert empty.json() == {"message": "No emails", "error_code": 303}


def test_unsubscribe(api: httpx.Client) -> None:
    list_id = new_list(api)
    add_emails(api, list_id, "a@example.com", "b@example.com")
    response = api.post(f"/addressbooks/{list_id}/emails/unsubscribe", json={"emails": ["a@example.com"]})
    assert response.json() == {"result": True}
    contact = api.get(f"/addressbooks/{list_id}/emails/a@example.com").json()
    assert contact["status"] == 4
    again = api.post(f"/addressbooks/{list_id}/emails/unsubscribe", json={"emails": ["a@example.com"]})
    assert again.status_code == 422
    assert again.json() == {"message": "Active emails not found", "error_code": 422}
    too_many = {"emails": [f"u{i}@example.com" for i in range(101)]}
    over = api.post(f"/addressbooks/{list_id}/emails/unsubscribe", json=too_many)
    assert over.json() == {"message": "Argument emails may not have more than 100 items", "error_code": 422}


def test_unsubscribed_stay_unsubscribed_when_added_again(api: httpx.Client) -> None:
    list_id = new_list(api)
    add_emails(api, list_id, "a@example.com")
    api.post(f"/addressbooks/{list_id}/emails/unsubscribe", json={"emails": ["a@example.com"]})
    add_emails(api, list_id, "a@example.com")
    assert api.get(f"/addressbooks/{list_id}/emails/a@example.com").json()["status"] == 4


def test_update_variables_takes_an_array(api: httpx.Client) -> None:
    list_id = new_list(api)
    add_emails(api, list_id, "a@example.com")
    body = {"email": "a@example.com", "variables": [{"name": "city", "value": "Kyiv"}]}
    assert api.post(f"/addressbooks/{list_id}/emails/variable", json=body).json() == {"result": True}
    contact = api.get(f"/addressbooks/{list_id}/emails/a@example.com").json()
    assert contact["variables"] == [{"name": "city", "type": "string", "value": "Kyiv"}]
    as_object = api.post(
        f"/addressbooks/{list_id}/emails/variable",
        json={"email": "a@example.com", "variables": {"city": "x"}},
    )
    assert as_object.json() == {"message": "Argument variables is invalid", "error_code": 422}
    unknown = api.post(f"/addressbooks/{list_id}/emails/variable", json={**body, "email": "z@example.com"})
    assert unknown.json() == {"message": "Email address not found", "error_code": 502}
    missing = api.post(f"/addressbooks/{list_id}/emails/variable", json={"variables": []})
    assert missing.json() == {"message": "Argument email missing", "error_code": 422}


def test_get_one_contact_has_string_abook_id_and_variable_array(api: httpx.Client) -> None:
    list_id = new_list(api)
    body = {"emails": [{"email": "a@example.com", "variables": {"Phone": "380501112233", "age": 4}}]}
    api.post(f"/addressbooks/{list_id}/emails", json=body)
    contact = api.get(f"/addressbooks/{list_id}/emails/a@example.com").json()
    assert contact == {
        "email": "a@example.com",
        "abook_id": str(list_id),
        "phone": "380501112233",
        "status": 1,
        "status_explain": "Active",
        "variables": [
            {"name": "Phone", "type": "string", "value": "380501112233"},
            {"name": "age", "type": "number", "value": 4},
        ],
    }
    missing = api.get(f"/addressbooks/{list_id}/emails/zz@example.com")
    assert missing.status_code == 404
    assert missing.json() == {"message": "Email address not found", "error_code": 502}


def test_change_phone(api: httpx.Client) -> None:
    list_id = new_list(api)
    add_emails(api, list_id, "a@example.com")
    ok = api.put(f"/addressbooks/{list_id}/phone", json={"email": "a@example.com", "phone": "380671234567"})
    assert ok.json() == {"result": True}
    assert api.get(f"/addressbooks/{list_id}/emails/a@example.com").json()["phone"] == "380671234567"
    bad = api.put(f"/addressbooks/{list_id}/phone", json={"email": "a@example.com", "phone": "12"})
    assert bad.json() == {"message": "Phone is not valid", "error_code": 422}


def test_email_across_lists_with_add_dates(api: httpx.Client, emulator: EmulatorControl) -> None:
    first, second = new_list(api, "One"), new_list(api, "Two")
    add_emails(api, first, "a@example.com")
    emulator.advance_clock(120)
    add_emails(api, second, "a@example.com")
    everywhere = api.get("/emails/a@example.com").json()
    assert [e["book_id"] for e in everywhere] == [first, second]
    details = api.get("/emails/a@example.com/details").json()
    assert [d["list_name"] for d in details] == ["One", "Two"]
    assert details[0]["add_date"] < details[1]["add_date"]
    assert api.get("/emails/nobody@example.com").status_code == 404
    info = api.post("/emails", json={"emails": ["a@example.com", "b@example.com"]}).json()
    assert [i["book_id"] for i in info["a@example.com"]] == [first, second]
    assert info["b@example.com"] == []
    assert api.delete("/emails/a@example.com").json() == {"result": True}
    assert api.get("/emails/a@example.com").status_code == 404


def test_email_campaign_statistics(api: httpx.Client) -> None:
    list_id = new_list(api)
    add_emails(api, list_id, "a@example.com")
    stats = api.get("/emails/a@example.com/campaigns").json()
    assert stats["statistic"] == {"sent": 0, "open": 0, "link": 0}
    assert stats["addressbooks"] == [{"id": list_id, "name": "Newsletter"}]
    many = api.post("/emails/campaigns", json={"emails": ["a@example.com"]}).json()
    assert set(many) == {"a@example.com"}


def test_raw_json_query_like_the_official_client(api: httpx.Client) -> None:
    list_id = new_list(api)
    add_emails(api, list_id, "a@example.com", "b@example.com", "c@example.com")
    raw = '{"limit": 1, "offset": 1, "order": "desc"}'
    response = api.get(f"/addressbooks/{list_id}/emails?{raw}")
    assert [c["email"] for c in response.json()] == ["b@example.com"]
    assert api.get(f"/addressbooks/{list_id}/emails?%7B%22limit%22%3A%20%22x%22%7D").json() == {
        "message": "Argument limit must be integer",
        "error_code": 422,
    }
