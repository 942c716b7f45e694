"""Email campaigns: create, the status clock, statistics, list filters, edit, cancel, limits."""

from __future__ import annotations

import httpx
import pytest

from airflow_provider_sendpulse.emulator.control import EmulatorControl

from .helpers import add_emails, b64, campaign_body, new_list

STEP = 10  # the session emulator's default campaign_step_seconds


def status_of(api: httpx.Client, campaign_id: int) -> int:
    return int(api.get(f"/campaigns/{campaign_id}").json()["status"])


@pytest.fixture
def list_id(api: httpx.Client) -> int:
    list_id = new_list(api)
    add_emails(api, list_id, *(f"u{i}@example.com" for i in range(40)))
    return list_id


def test_create_answer(api: httpx.Client, list_id: int) -> None:
    response = api.post("/campaigns", json=campaign_body(list_id))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"id", "status", "count", "tariff_email_qty", "overdraft_price", "ovedraft_currency"}
    assert body["status"] == 13
    assert body["count"] == 40


def test_status_clock_13_14_2_3(api: httpx.Client, emulator: EmulatorControl, list_id: int) -> None:
    campaign_id = api.post("/campaigns", json=campaign_body(list_id)).json()["id"]
    seen = [status_of(api, campaign_id)]
    for _ in range(3):
        emulator.advance_clock(STEP)
        seen.append(status_of(api, campaign_id))
    assert seen == [13, 14, 2, 3]


def test_statistics_grow_and_are_seeded(api: httpx.Client, emulator: EmulatorControl, list_id: int) -> None:
    campaign_id = api.post("/campaigns", json=campaign_body(list_id)).json()["id"]
    before = api.get(f"/campaigns/{campaign_id}").json()
    assert all(s["count"] == 0 for s in before["statistics"])
    emulator.advance_clock(4 * STEP)
    done = api.get(f"/campaigns/{campaign_id}").json()
    stats = {s["code"]: s["count"] for s in done["statistics"]}
    assert stats[1] == 40
    assert stats[2] + stats[7] == 40
    assert 0 < stats[3] <= stats[2]
    assert stats[4] <= stats[3]
    assert api.get(f"/campaigns/{campaign_id}").json()["statistics"] == done["statistics"]
    assert sum(api.get(f"/campaigns/{campaign_id}/countries").json().values()) == stats[3]
    referrals = api.get(f"/campaigns/{campaign_id}/referrals").json()
    assert sum(r["count"] for r in referrals) == stats[4]


def test_detail_shape(api: httpx.Client, list_id: int) -> None:
    campaign_id = api.post("/campaigns", json=campaign_body(list_id, name="Spring", subject="Sale")).json()[
        "id"
    ]
    body = api.get(f"/campaigns/{campaign_id}").json()
    assert body["id"] == campaign_id
    assert body["name"] == "Spring"
    assert body["message"]["subject"] == "Sale"
    assert body["message"]["body"] == "<h1>Hello</h1>"
    assert body["message"]["list_id"] == list_id
    assert body["all_email_qty"] == 40
    assert body["permalink"].startswith("https://")


def test_scheduled_until_send_date(api: httpx.Client, emulator: EmulatorControl, list_id: int) -> None:
    from .helpers import account_date

    send_at = account_date(emulator, emulator.now() + 3600)
    campaign_id = api.post("/campaigns", json=campaign_body(list_id, send_date=send_at)).json()["id"]
    emulator.advance_clock(3 * STEP)
    assert status_of(api, campaign_id) == 14
    planned = api.get("/campaigns", params={"planed": 1}).json()
    assert [c["id"] for c in planned] == [campaign_id]


def test_no_active_contacts_is_12(api: httpx.Client, emulator: EmulatorControl) -> None:
    empty = new_list(api, "Empty")
    campaign_id = api.post("/campaigns", json=campaign_body(empty)).json()["id"]
    assert status_of(api, campaign_id) == 13
    emulator.advance_clock(STEP)
    assert status_of(api, campaign_id) == 12


def test_cancel_is_16(api: httpx.Client, emulator: EmulatorControl, list_id: int) -> None:
    campaign_id = api.post("/campaigns", json=campaign_body(list_id)).json()["id"]
    assert api.delete(f"/campaigns/{campaign_id}").json() == {"result": True}
    emulator.advance_clock(10 * STEP)
    assert status_of(api, campaign_id) == 16


def test_cancel_after_sent_is_refused(api: httpx.Client, emulator: EmulatorControl, list_id: int) -> None:
    campaign_id = api.post("/campaigns", json=campaign_body(list_id)).json()["id"]
    emulator.advance_clock(10 * STEP)
    refused = api.delete(f"/campaigns/{campaign_id}")
    assert refused.status_code == 422
    assert refused.json()["error_code"] == 800


def test_draft(api: httpx.Client, list_id: int) -> None:
    campaign_id = api.post("/campaigns", json=campaign_body(list_id, type="draft")).json()["id"]
    assert status_of(api, campaign_id) == 26
    edited = api.patch(f"/campaigns/{campaign_id}", json={"subject": "New subject"})
    assert edited.json() == {"result": True, "id": campaign_id}
    assert api.get(f"/campaigns/{campaign_id}").json()["message"]["subject"] == "New subject"


def test_edit_refused_once_sending(api: httpx.Client, emulator: EmulatorControl, list_id: int) -> None:
    campaign_id = api.post("/campaigns", json=campaign_body(list_id)).json()["id"]
    emulator.advance_clock(10 * STEP)
    assert api.patch(f"/campaigns/{campaign_id}", json={"name": "x"}).json()["error_code"] == 800


def test_template_and_several_lists(api: httpx.Client, list_id: int) -> None:
    other = new_list(api, "Other")
    add_emails(api, other, "x@example.com")
    template = api.get("/templates").json()[0]
    body = campaign_body([list_id, other], template_id=template["id"])
    del body["body"]
    created = api.post("/campaigns", json=body).json()
    assert created["count"] == 41
    detail = api.get(f"/campaigns/{created['id']}").json()
    assert detail["message"]["list_id"] == [list_id, other]


def test_list_order_status_and_paging(api: httpx.Client, emulator: EmulatorControl, list_id: int) -> None:
    first = api.post("/campaigns", json=campaign_body(list_id)).json()["id"]
    emulator.advance_clock(10 * STEP)
    second = api.post("/campaigns", json=campaign_body(list_id)).json()["id"]
    assert [c["id"] for c in api.get("/campaigns").json()] == [first, second]
    assert [c["id"] for c in api.get("/campaigns", params={"order": "desc"}).json()] == [second, first]
    assert [c["id"] for c in api.get("/campaigns", params={"status": 3}).json()] == [first]
    assert [c["id"] for c in api.get("/campaigns?status[]=13&status[]=3").json()] == [first, second]
    assert [c["id"] for c in api.get("/campaigns", params={"limit": 1, "offset": 1}).json()] == [second]


def test_per_email_status(api: httpx.Client, emulator: EmulatorControl, list_id: int) -> None:
    campaign_id = api.post("/campaigns", json=campaign_body(list_id)).json()["id"]
    before = api.get(f"/campaigns/{campaign_id}/email/u1@example.com").json()
    assert before["global_status"] == 0
    emulator.advance_clock(10 * STEP)
    after = api.get(f"/campaigns/{campaign_id}/email/u1@example.com").json()
    assert after["global_status"] in (2, 3, 7)
    assert after["sent_date"]
    assert api.get(f"/campaigns/{campaign_id}/email/nobody@example.com").status_code == 404


@pytest.mark.parametrize(
    ("overrides", "message", "code"),
    [
        ({"sender_email": "stranger@example.com"}, "Sender not found", 1003),
        ({"sender_name": ""}, "Argument sender_name missing", 422),
        ({"subject": " "}, "Empty subject", 720),
        ({"subject": None}, "Argument subject missing", 422),
        ({"body": None}, "Argument body missing", 422),
        ({"body": "%%%not base64"}, "Argument body is invalid string", 422),
        ({"list_id": None}, "Argument list_id missing", 722),
        ({"list_id": list(range(1, 12))}, "Argument list_id may not have more than 10 items", 422),
        ({"send_date": "tomorrow"}, "Invalid send date", 799),
        ({"send_date": "2001-01-01 00:00:00"}, "Invalid send date", 799),
        (
            {"attachments": {f"f{i}.txt": "x" for i in range(6)}},
            "Argument attachments may not have more than 5 items",
            422,
        ),
        ({"type": "weird"}, "Argument type is invalid", 422),
    ],
)
def test_create_validation(
    api: httpx.Client, list_id: int, overrides: dict[str, object], message: str, code: int
) -> None:
    body = {k: v for k, v in {**campaign_body(list_id), **overrides}.items() if v is not None}
    response = api.post("/campaigns", json=body)
    assert response.status_code == 422, response.text
    assert response.json() == {"message": message, "error_code": code}


def test_unknown_list_and_campaign(api: httpx.Client) -> None:
    unknown_list = api.post("/campaigns", json=campaign_body(424242))
    assert unknown_list.status_code == 404
    assert unknown_list.json() == {"message": "Book not found", "error_code": 213}
    for path in ("/campaigns/1", "/campaigns/abc", "/campaigns/1/countries", "/campaigns/1/referrals"):
        response = api.get(path)
        assert response.status_code == 404
        assert response.json() == {"message": "Campaign not found", "error_code": 802}


def test_unknown_template(api: httpx.Client, list_id: int) -> None:
    body = campaign_body(list_id, template_id=1)
    del body["body"]
    response = api.post("/campaigns", json=body)
    assert response.status_code == 404
    assert response.json() == {"message": "Template not found", "error_code": 290}


def test_api_campaign_hourly_limit_791(api: httpx.Client, emulator: EmulatorControl) -> None:
    emulator.configure(campaign_limits=True)
    lists = [new_list(api, f"L{i}") for i in range(5)]
    for list_id in lists[:4]:
        assert api.post("/campaigns", json=campaign_body(list_id)).status_code == 200
    refused = api.post("/campaigns", json=campaign_body(lists[4]))
    assert refused.status_code == 422
    assert refused.json()["error_code"] == 791
    emulator.advance_clock(3601)
    api.headers["Authorization"] = "Bearer sendpulse-emulator-api-key"
    assert api.post("/campaigns", json=campaign_body(lists[4])).status_code == 200


def test_same_list_wait_711(api: httpx.Client, emulator: EmulatorControl, list_id: int) -> None:
    emulator.configure(campaign_limits=True)
    assert api.post("/campaigns", json=campaign_body(list_id)).status_code == 200
    refused = api.post("/campaigns", json=campaign_body(list_id))
    assert refused.status_code == 422
    assert refused.json()["error_code"] == 711
    emulator.advance_clock(15 * 60 + 1)
    assert api.post("/campaigns", json=campaign_body(list_id)).status_code == 200


def test_limits_can_be_switched_off(api: httpx.Client, list_id: int) -> None:
    for _ in range(6):
        assert api.post("/campaigns", json=campaign_body(list_id)).status_code == 200


def test_body_must_be_base64_html(api: httpx.Client, list_id: int) -> None:
    ok = api.post("/campaigns", json=campaign_body(list_id, body=b64("<p>é</p>")))
    assert ok.status_code == 200
    assert api.get(f"/campaigns/{ok.json()['id']}").json()["message"]["body"] == "<p>é</p>"
