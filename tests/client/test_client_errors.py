import pickle

import pytest

from airflow_provider_sendpulse.client.errors import (
    SendPulseAmbiguousCreateError,
    SendPulseAuthError,
    SendPulseConnectionError,
    SendPulseError,
    SendPulseNotFoundError,
    SendPulseRateLimitError,
    SendPulseServerError,
    SendPulseValidationError,
    error_from_response,
    extract_message,
)


@pytest.mark.parametrize(
    ("status", "body", "cls"),
    [
        (429, None, SendPulseRateLimitError),
        (200, {"is_error": True, "error_code": 2020202020, "message": "Too many"}, SendPulseRateLimitError),
        (400, {"error_code": 2020202020}, SendPulseRateLimitError),
        (
            401,
            {"error": "invalid_client", "error_description": "Client authentication failed"},
            SendPulseAuthError,
        ),
        (403, {"error_code": 3030303030, "message": "denied"}, SendPulseAuthError),
        (404, {"message": "Not found"}, SendPulseNotFoundError),
        (400, {"error_code": 213, "message": "Book not found"}, SendPulseNotFoundError),
        (422, {"error_code": 422, "message": "limit may not be greater than 100"}, SendPulseValidationError),
        (400, {"message": "bad"}, SendPulseValidationError),
        (500, None, SendPulseServerError),
        (503, {"message": "maintenance"}, SendPulseServerError),
        (502, {"message": "Bad Gateway", "error_code": 502}, SendPulseServerError),
        (400, {"message": "Email not found", "error_code": 502}, SendPulseNotFoundError),
        (409, {"message": "conflict"}, SendPulseError),
    ],
)
def test_error_mapping(status, body, cls):
    err = error_from_response(status, body, what="GET /x")
    assert type(err) is cls
    assert err.status == status


def test_message_carries_status_code_and_message_but_not_the_body():
    body = {
        "error_code": 422,
        "message": "email is invalid",
        "emails": [{"email": "secret.person@example.com", "variables": {"name": "Jane"}}],
    }
    err = error_from_response(422, body, what="POST /addressbooks/1/emails")
    text = str(err)
    assert "HTTP 422" in text
    assert "error_code 422" in text
    assert "email is invalid" in text
    assert "POST /addressbooks/1/emails" in text
    assert "secret.person" not in text
    assert "Jane" not in text


def test_long_messages_are_cut():
    err = error_from_response(500, {"message": "x" * 5000}, what="GET /x")
    assert len(str(err)) < 400


def test_html_error_page_is_not_quoted():
    err = error_from_response(500, None, what="GET /x")
    assert "server error" in str(err)


def test_extract_message_prefers_message_and_reads_string_codes():
    assert extract_message({"message": "m", "error": "e", "error_code": "213"}) == ("m", 213)
    assert extract_message({"data": {"message": "inner", "error_code": 8}}) == ("inner", 8)
    assert extract_message(["not", "a", "dict"]) == (None, None)


def test_retry_after_is_kept():
    err = error_from_response(429, None, what="GET /x", retry_after=3.0)
    assert isinstance(err, SendPulseRateLimitError)
    assert err.retry_after == 3.0


@pytest.mark.parametrize(
    "err",
    [
        SendPulseError("boom", 500, 1),
        SendPulseRateLimitError("slow down", 429, None, retry_after=2.0),
        SendPulseConnectionError("dropped", request_sent=True),
        SendPulseAmbiguousCreateError("maybe", method="POST", path="/campaigns", status=503),
    ],
)
def test_errors_pickle(err):
    copy = pickle.loads(pickle.dumps(err))  # noqa: S301 (our own bytes)
    assert type(copy) is type(err)
    assert str(copy) == str(err)
    assert copy.__dict__ == err.__dict__
