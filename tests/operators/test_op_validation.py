"""Local input checks: each refusal names the field or row and what is allowed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from airflow.providers.common.compat.sdk import AirflowFailException
from hypothesis import given, settings
from hypothesis import strategies as st

from airflow_provider_sendpulse.operators import validation
from airflow_provider_sendpulse.operators.validation import (
    SendPulseInputError,
    check_email,
    check_emails,
    check_list_ids,
    check_phones,
    check_positive_int,
    check_send_date,
    check_text,
    check_variables,
    clean_variables,
    email_problem,
    email_shape_problem,
    normalise_phone,
)


@pytest.mark.parametrize(
    "email", ["a@b.co", "first.last+tag@sub.example.org", "x_y-z@example-domain.io", "UPPER@EXAMPLE.COM"]
)
def test_good_emails(email: str) -> None:
    assert email_problem(email) is None


@pytest.mark.parametrize(
    ("email", "reason"),
    [
        ("", "empty"),
        ("plain", "exactly one '@'"),
        ("a@@b.co", "exactly one '@'"),
        ("@b.co", "before '@'"),
        ("a b@c.co", "before '@'"),
        (".a@b.co", "dots"),
        ("a..b@c.co", "dots"),
        ("a@b", "domain"),
        ("a@-b.co", "domain"),
        ("a@b..co", "domain"),
        ("a@b.123", "numeric"),
        (42, "must be a string"),
    ],
)
def test_bad_emails(email: object, reason: str) -> None:
    problem = email_problem(email)
    assert problem is not None
    assert reason in problem


def test_input_error_fails_without_retry_and_is_a_value_error() -> None:
    with pytest.raises(SendPulseInputError) as info:
        check_email("nope", "sender_email")
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, AirflowFailException)
    assert str(info.value).startswith("sender_email:")


def test_check_emails_names_positions_not_addresses() -> None:
    with pytest.raises(SendPulseInputError) as info:
        check_emails(["ok@example.com", "secret-person@", {"email": "x@y.co"}, "bad"], "emails")
    message = str(info.value)
    assert "emails[1]" in message
    assert "emails[3]" in message
    assert "secret-person" not in message
    assert "2 invalid" in message


def test_check_emails_accepts_dicts_and_trims() -> None:
    assert check_emails([" a@b.co ", {"email": "c@d.co"}], "emails") == ["a@b.co", "c@d.co"]


@pytest.mark.parametrize("value", [[], "a@b.co", None, 5])
def test_check_emails_refuses_empty_or_not_a_list(value: object) -> None:
    with pytest.raises(SendPulseInputError, match="emails"):
        check_emails(value, "emails")


def test_check_emails_limits_message_length() -> None:
    with pytest.raises(SendPulseInputError) as info:
        check_emails([f"bad{i}" for i in range(50)], "emails")
    assert "and 40 more" in str(info.value)


@pytest.mark.parametrize(
    ("raw", "digits"),
    [
        ("380931234567", "380931234567"),
        ("+380 93 123 45 67", "380931234567"),
        ("+1 (415) 555-0134", "14155550134"),
        ("0044 20 7946 0958", "442079460958"),
        (380931234567, "380931234567"),
    ],
)
def test_phones_are_normalised(raw: object, digits: str) -> None:
    assert normalise_phone(raw) == (digits, None)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("093 123 4567", "international format"),
        ("+38093abc4567", "only digits"),
        ("12345", "8 to 15 digits"),
        ("1234567890123456", "8 to 15 digits"),
        ("", "empty"),
        (None, "string of digits"),
    ],
)
def test_bad_phones(raw: object, reason: str) -> None:
    digits, problem = normalise_phone(raw)
    assert digits is None
    assert problem is not None
    assert reason in problem


def test_check_phones_counts_rewrites_and_names_positions() -> None:
    assert check_phones(["+380 93 123 4567", "14155550134"], "phones") == (
        ["380931234567", "14155550134"],
        1,
    )
    with pytest.raises(SendPulseInputError, match=r"phones\[1\]"):
        check_phones(["380931234567", "0931234567"], "phones")


@pytest.mark.parametrize(("value", "expected"), [(7, 7), ("12", 12), (" 3 ", 3)])
def test_positive_ints(value: object, expected: int) -> None:
    assert check_positive_int(value, "list_id") == expected


@pytest.mark.parametrize("value", [0, -1, "abc", 1.5, True, None, "1e3"])
def test_not_positive_ints(value: object) -> None:
    with pytest.raises(SendPulseInputError, match="list_id: must be a positive integer"):
        check_positive_int(value, "list_id")


def test_list_ids() -> None:
    assert check_list_ids(5) == [5]
    assert check_list_ids(["1", 2]) == [1, 2]
    with pytest.raises(SendPulseInputError, match="at most 10"):
        check_list_ids(list(range(1, 12)))
    with pytest.raises(SendPulseInputError, match=r"list_ids\[1\]"):
        check_list_ids([1, -2])
    with pytest.raises(SendPulseInputError, match="more than once"):
        check_list_ids([1, 1])
    with pytest.raises(SendPulseInputError, match="at least one"):
        check_list_ids([])


def test_send_date() -> None:
    now = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
    assert check_send_date(None) is None
    # Naive means account time and stays naive: the client sends it as it is.
    assert check_send_date("2030-01-02 08:00:00", now=now) == datetime(2030, 1, 2, 8)
    kyiv = ZoneInfo("Europe/Kyiv")
    assert check_send_date("2030-01-02 08:00:00", now=now, zone=kyiv) == datetime(2030, 1, 2, 8)

    def no_zone_needed() -> ZoneInfo:
        raise AssertionError("a date past in every zone needs no connection")

    with pytest.raises(SendPulseInputError, match=r"^send_date: 2001-01-01 00:00:00 is in the past"):
        check_send_date("2001-01-01 00:00:00", now=now, zone=no_zone_needed)
    assert check_send_date("2030-01-02T10:00:00+02:00", now=now, zone=kyiv) == datetime(
        2030, 1, 2, 8, tzinfo=UTC
    )
    assert check_send_date(now + timedelta(hours=1), now=now) == now + timedelta(hours=1)
    with pytest.raises(SendPulseInputError, match=r"2030-01-01 13:00:00 \(Europe/Kyiv\) is in the past"):
        check_send_date("2030-01-01 13:00:00", now=now, zone=kyiv)
    with pytest.raises(SendPulseInputError, match=r"send_date: .* is in the past"):
        check_send_date("2029-12-31 23:00:00", now=now)
    with pytest.raises(SendPulseInputError, match="send_date: 'tomorrow' is not a date"):
        check_send_date("tomorrow", now=now)
    with pytest.raises(SendPulseInputError, match="not only a date"):
        check_send_date(date(2030, 2, 1), now=now)
    with pytest.raises(SendPulseInputError, match="expected a datetime"):
        check_send_date(12345, now=now)


def test_text() -> None:
    assert check_text("Shop", "sender", 11) == "Shop"
    with pytest.raises(SendPulseInputError, match="sender: at most 11 characters, got 12"):
        check_text("TwelveChars!", "sender", 11)
    with pytest.raises(SendPulseInputError, match="subject: must be a non-empty string"):
        check_text("  ", "subject")


def test_variables() -> None:
    assert check_variables({"name": "Ann", "age": 3, "vip": True}, "variables") == {
        "name": "Ann",
        "age": 3,
        "vip": True,
    }
    assert check_variables({"born": date(2000, 1, 2)}, "variables") == {"born": "2000-01-02"}
    with pytest.raises(SendPulseInputError, match="variable 'tags' must be a string"):
        check_variables({"tags": ["a"]}, "variables")
    with pytest.raises(SendPulseInputError, match="expected a mapping"):
        check_variables(["a"], "variables")


def test_clean_variables_drops_empty_values() -> None:
    assert clean_variables({"a": "", "b": None, "c": "x", "d": 0}) == {"c": "x", "d": 0}


def test_a_model_refusal_becomes_an_input_error_that_names_what_was_built() -> None:
    from airflow_provider_sendpulse.client.models import MAX_CAMPAIGN_ATTACHMENTS, CampaignSpec
    from airflow_provider_sendpulse.operators.validation import model_errors

    too_many = {f"f{i}.txt": "x" for i in range(MAX_CAMPAIGN_ATTACHMENTS + 1)}
    with (
        pytest.raises(
            SendPulseInputError, match=r"^campaign: at most 5 attachments per campaign\.$"
        ) as raised,
        model_errors("campaign"),
    ):
        CampaignSpec("A", "a@example.com", "S", list_ids=[1], body_html="<p/>", attachments=too_many)
    assert isinstance(raised.value, AirflowFailException)


@settings(max_examples=3000, deadline=None)
@given(
    st.text(alphabet="aZ9._+-@'", max_size=20).map(lambda s: s.replace("'", "x" * 70)) | st.emails().map(str)
)
def test_the_quick_email_match_accepts_only_what_the_full_checks_accept(value: str) -> None:
    assert (email_problem(value) is None) == (email_shape_problem(value) is None)


@pytest.mark.parametrize(
    "value",
    ["ada@example.com", "a.b+c_d-e@mail.example.co.uk", f"{'a' * 64}@example.com"],
)
def test_usual_addresses_take_the_quick_match(value: str) -> None:
    assert validation._COMMON_EMAIL_RE.fullmatch(value)
    assert email_problem(value) is None


@pytest.mark.parametrize(
    ("value", "problem"),
    [(f"{'a' * 65}@example.com", "invalid part before"), ("ada@example.123", "numeric top-level")],
)
def test_the_full_checks_still_refuse_what_the_quick_match_lets_through_to_them(
    value: str, problem: str
) -> None:
    assert problem in (email_problem(value) or "")
