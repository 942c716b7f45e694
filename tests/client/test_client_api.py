import base64
from datetime import datetime

import pytest

from airflow_provider_sendpulse.client import api
from airflow_provider_sendpulse.client.errors import SendPulseError, SendPulseNotFoundError
from airflow_provider_sendpulse.client.models import CampaignSpec, Contact, DoubleOptIn


def test_create_mailing_list():
    call = api.create_mailing_list("Customers")
    assert (call.method, call.path, call.json) == ("POST", "/addressbooks", {"bookName": "Customers"})
    assert call.is_create
    assert call.parse({"id": "42"}) == 42
    with pytest.raises(ValueError, match="empty"):
        api.create_mailing_list("  ")


def test_get_mailing_list_unwraps_the_one_item_array():
    call = api.get_mailing_list(7)
    assert (call.method, call.path) == ("GET", "/addressbooks/7")
    assert call.parse([{"id": 7, "name": "a"}]) == {"id": 7, "name": "a"}
    with pytest.raises(SendPulseNotFoundError):
        call.parse([])


@pytest.mark.parametrize("limit", [0, 101])
def test_page_limits_are_checked(limit):
    with pytest.raises(ValueError, match="limit"):
        api.list_mailing_lists(limit, 0)


def test_list_contacts_params():
    call = api.list_contacts(3, 50, 100, order="desc", active=True)
    assert call.params == {"limit": 50, "offset": 100, "order": "desc", "active": True}
    assert api.list_contacts(3, active=False).params == {"limit": 100, "offset": 0, "not_active": True}
    assert call.parse([{"email": "a@b.c"}]) == [{"email": "a@b.c"}]
    with pytest.raises(ValueError, match="order"):
        api.list_contacts(3, order="sideways")


def test_add_contacts_body_with_double_opt_in():
    call = api.add_contacts(
        5,
        [Contact("a@example.com", {"name": "A"}), Contact("b@example.com")],
        DoubleOptIn("sender@example.com", "de", template_id=9),
    )
    assert call.path == "/addressbooks/5/emails"
    assert call.json == {
        "emails": [{"email": "a@example.com", "variables": {"name": "A"}}, {"email": "b@example.com"}],
        "confirmation": "force",
        "sender_email": "sender@example.com",
        "message_lang": "de",
        "template_id": "9",
    }
    assert not call.is_create


def test_remove_and_unsubscribe_take_at_most_100():
    assert api.remove_contacts(1, ["a@b.c"]).json == {"emails": ["a@b.c"]}
    assert api.remove_contacts(1, ["a@b.c"]).method == "DELETE"
    assert api.unsubscribe_contacts(1, ["a@b.c"]).path == "/addressbooks/1/emails/unsubscribe"
    with pytest.raises(ValueError, match="100"):
        api.remove_contacts(1, [f"u{i}@b.c" for i in range(101)])
    with pytest.raises(ValueError, match="no email"):
        api.unsubscribe_contacts(1, [])


def test_update_variables_sends_an_array_of_strings():
    call = api.update_contact_variables(1, "a@b.c", {"age": 3, "name": "A"})
    assert call.json == {
        "email": "a@b.c",
        "variables": [{"name": "age", "value": "3"}, {"name": "name", "value": "A"}],
    }


def test_get_contact_quotes_the_email():
    assert api.get_contact(1, "a+b@c.d").path == "/addressbooks/1/emails/a%2Bb@c.d"


def test_count_contacts_reads_total():
    assert api.count_contacts(1).parse({"total": "12"}) == 12
    with pytest.raises(SendPulseError):
        api.count_contacts(1).parse({})


def test_create_campaign_is_a_create_with_base64_body():
    spec = CampaignSpec("Me", "me@example.com", "Hi", list_ids=[1], body_html="<p>é</p>", name="n")
    call = api.create_campaign(spec)
    assert call.is_create
    assert call.json["list_id"] == 1
    assert base64.b64decode(call.json["body"]).decode() == "<p>é</p>"


def test_list_campaigns_params():
    assert api.list_campaigns(status=[3, 2]).params == {
        "limit": 100,
        "offset": 0,
        "order": "desc",
        "status": [3, 2],
    }


def test_edit_campaign_needs_something():
    with pytest.raises(ValueError, match="nothing"):
        api.edit_campaign(1)
    assert api.edit_campaign(1, subject="S").json == {"subject": "S"}


def test_edit_campaign_refuses_fields_sendpulse_ignores():
    with pytest.raises(ValueError, match=r"cannot edit campaign field 'body'.*name, subject, sender_name"):
        api.edit_campaign(1, body="PGI+eDwvYj4=")
    call = api.edit_campaign(1, template_id=7, send_date="2030-01-02 03:04:05", sender_name=None)
    assert call.json == {"template_id": 7, "send_date": datetime(2030, 1, 2, 3, 4, 5)}


def test_campaign_countries_tolerates_empty_array():
    assert api.campaign_countries(1).parse([]) == {}
    assert api.campaign_countries(1).parse({"UA": 3}) == {"UA": 3}


def test_sms_calls():
    send = api.send_sms("Me", ["+380501234567"], "hi", emulate=True)
    assert send.is_create
    assert send.json == {"sender": "Me", "phones": ["380501234567"], "body": "hi", "emulate": True}
    assert send.parse({"result": True, "campaign_id": 5}) == {"campaign_id": 5}
    campaign = api.create_sms_campaign("Me", 4, "hi", date="2030-01-01 10:00:00")
    assert campaign.is_create
    assert campaign.json == {
        "sender": "Me",
        "addressBookId": 4,
        "body": "hi",
        "date": datetime(2030, 1, 1, 10),
    }
    with pytest.raises(ValueError, match="11"):
        api.create_sms_campaign("A" * 12, 4, "hi")
    with pytest.raises(ValueError, match="digits"):
        api.add_phones(1, ["phone"])
    assert api.list_sms_campaigns("2020-01-01", "2020-02-01").parse({"result": True, "data": [1]}) == [1]
    assert api.get_sms_campaign(3).parse({"result": True, "data": [{"id": 3}]}) == {"id": 3}
    assert api.get_sms_campaign(3).parse([{"id": 3}]) == {"id": 3}
    assert api.sms_cost("Me", "hi", list_id=1).parse({"result": True, "data": {"price": 1}}) == {"price": 1}
    with pytest.raises(ValueError, match="exactly one"):
        api.sms_cost("Me", "hi")


def test_templates_and_account():
    assert api.create_template("<b>x</b>", "n").parse({"result": True, "real_id": 9}) == 9
    assert api.create_template("<b>x</b>").is_create
    assert api.list_templates("sendpulse").params == {"limit": 100, "offset": 0, "owner": "sendpulse"}
    assert api.get_balance("usd").path == "/balance/USD"
    assert api.get_user_info().path == "/user/info"


def test_raw_call():
    call = api.raw_call("get", "user/info", {"a": 1})
    assert (call.method, call.path, call.params, call.is_create) == ("GET", "/user/info", {"a": 1}, False)
    assert call.parse([1, 2]) == [1, 2]
