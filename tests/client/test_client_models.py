from datetime import UTC

import pytest

from airflow_provider_sendpulse.client.models import (
    AddSummary,
    BatchProgress,
    CampaignSpec,
    Contact,
    DoubleOptIn,
    as_moment,
)


def test_contact_coerce():
    assert Contact.coerce("a@b.c") == Contact("a@b.c")
    assert Contact.coerce({"email": "a@b.c", "name": "A"}) == Contact("a@b.c", {"name": "A"})
    assert Contact.coerce({"email": "a@b.c", "variables": {"x": 1}}) == Contact("a@b.c", {"x": 1})
    with pytest.raises(ValueError, match="email"):
        Contact.coerce({"name": "A"})
    with pytest.raises(ValueError, match="not an email"):
        Contact.coerce("not-an-email")
    with pytest.raises(TypeError):
        Contact.coerce(42)  # type: ignore[arg-type]


def test_campaign_spec_validation():
    base = {"sender_name": "Me", "sender_email": "me@x.y", "subject": "S"}
    with pytest.raises(ValueError, match="list_ids"):
        CampaignSpec(**base, body_html="x")
    with pytest.raises(ValueError, match="body_html"):
        CampaignSpec(**base, list_ids=[1])
    with pytest.raises(ValueError, match="1 to 10"):
        CampaignSpec(**base, list_ids=list(range(11)), body_html="x")
    with pytest.raises(ValueError, match="attachments"):
        CampaignSpec(**base, list_ids=[1], body_html="x", attachments={str(i): "x" for i in range(6)})


def test_campaign_spec_to_dict():
    from datetime import datetime

    spec = CampaignSpec(
        "Me",
        "me@x.y",
        "S",
        list_ids=[1, 2],
        template_id=7,
        send_date=datetime(2030, 1, 2, 3, 4, 5),
        draft=True,
        track_opens=False,
        utm_campaign="u",
    )
    assert spec.to_dict() == {
        "sender_name": "Me",
        "sender_email": "me@x.y",
        "subject": "S",
        "list_id": [1, 2],
        "template_id": 7,
        "send_date": datetime(2030, 1, 2, 3, 4, 5),
        "type": "draft",
        "stats": {"opens": False, "utm_campaign": "u"},
    }


def test_summaries_are_json_able():
    assert AddSummary(1, 10, 1, 1000, 0.5).to_dict()["contacts"] == 10
    assert BatchProgress(1, 1, 10, 10, 0.1).to_dict()["batch_number"] == 1


def test_dates_are_read_into_datetimes_for_the_client_to_render():
    from datetime import datetime, timedelta

    assert as_moment("2030-01-01 00:00:00", "send_date") == datetime(2030, 1, 1)
    aware = as_moment("2030-01-01T10:00:00+02:00", "send_date")
    assert aware.utcoffset() == timedelta(hours=2)
    moment = datetime(2030, 1, 1, tzinfo=UTC)
    assert as_moment(moment, "date") is moment
    with pytest.raises(ValueError, match="send_date: 'tomorrow' is not a date"):
        as_moment("tomorrow", "send_date")


def test_double_opt_in_template_id_is_a_string():
    assert DoubleOptIn("s@example.com", template_id=9).to_dict()["template_id"] == "9"
