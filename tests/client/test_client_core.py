import pytest

from airflow_provider_sendpulse.client import api
from airflow_provider_sendpulse.client.attempts import CallState
from airflow_provider_sendpulse.client.core import (
    ClientConfig,
    interpret,
    normalize_base_url,
    reports_failure,
)
from airflow_provider_sendpulse.client.errors import (
    SendPulseAmbiguousCreateError,
    SendPulseAuthError,
    SendPulseConnectionError,
    SendPulseError,
    SendPulseNotFoundError,
    SendPulseRateLimitError,
    SendPulseServerError,
    SendPulseValidationError,
)
from airflow_provider_sendpulse.client.retry import RetryPolicy
from airflow_provider_sendpulse.client.transport import RawResponse, parse_retry_after


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "https://api.sendpulse.com"),
        ("", "https://api.sendpulse.com"),
        ("api.sendpulse.com", "https://api.sendpulse.com"),
        ("https://API.sendpulse.com/", "https://api.sendpulse.com"),
        ("http://127.0.0.1:8089", "http://127.0.0.1:8089"),
        ("https://proxy.local/sendpulse/", "https://proxy.local/sendpulse"),
    ],
)
def test_normalize_base_url(value, expected):
    assert normalize_base_url(value) == expected


def test_normalize_base_url_refuses_other_schemes():
    with pytest.raises(ValueError, match="http"):
        normalize_base_url("ftp://x")


@pytest.mark.parametrize(
    ("body", "failed"),
    [
        ({"result": True}, False),
        ({"result": False}, True),
        ({"is_error": True}, True),
        ({"success": False}, True),
        ({"success": True}, False),
        ([{"result": False}], False),
        (None, False),
    ],
)
def test_reports_failure(body, failed):
    assert reports_failure(body) is failed


def test_interpret_200_with_failure_flags_raises():
    call = api.delete_mailing_list(1)
    with pytest.raises(SendPulseError, match="HTTP 200"):
        interpret(call, RawResponse(200, {"result": False, "message": "nope"}, True))
    with pytest.raises(SendPulseRateLimitError):
        interpret(call, RawResponse(200, {"is_error": True, "error_code": 2020202020}, True))
    assert interpret(call, RawResponse(200, {"result": True}, True)) is None


def test_interpret_errors_and_non_json():
    call = api.get_user_info()
    with pytest.raises(SendPulseValidationError):
        interpret(call, RawResponse(422, {"message": "bad"}, True))
    with pytest.raises(SendPulseServerError):
        interpret(call, RawResponse(500, None, False))
    with pytest.raises(SendPulseError, match="not JSON"):
        interpret(call, RawResponse(200, None, False))


def test_a_create_that_may_have_been_performed_is_never_repeated():
    def verdict(call, exc):
        return CallState(call, RetryPolicy(max_retries=3), refreshable=True).judge(exc, sent=True)

    create_call = api.send_sms("Me", ["1"], "hi")
    read_call = api.get_user_info()
    dropped = SendPulseConnectionError("dropped", request_sent=True)
    refused = SendPulseConnectionError("refused", request_sent=False)
    server = SendPulseServerError("x", 503)
    limited = SendPulseRateLimitError("x", 429)
    assert isinstance(verdict(create_call, dropped).error, SendPulseAmbiguousCreateError)
    assert verdict(create_call, refused).wait is not None
    assert verdict(create_call, limited).wait is not None
    assert verdict(read_call, dropped).wait is not None
    err = verdict(create_call, server).error
    assert isinstance(err, SendPulseAmbiguousCreateError)
    assert (err.method, err.path, err.status) == ("POST", "/sms/send", 503)


def test_a_replay_that_finds_its_work_done_is_settled():
    state = CallState(api.delete_mailing_list(7), RetryPolicy(max_retries=3), refreshable=True)
    missing = SendPulseNotFoundError("gone", 404)
    assert state.judge(missing, sent=True).error is missing  # no earlier send: a real 404
    assert state.judge(SendPulseServerError("x", 502), sent=True).wait is not None
    assert state.judge(missing, sent=True).settled


def test_a_401_re_mints_once_then_names_the_credentials():
    state = CallState(api.get_user_info(), RetryPolicy(max_retries=3), refreshable=True)
    refused = SendPulseAuthError("no", 401)
    assert state.judge(refused, sent=True).remint
    final = state.judge(refused, sent=True).error
    assert isinstance(final, SendPulseAuthError)
    assert "freshly issued token" in final.message
    static = CallState(api.get_user_info(), RetryPolicy(max_retries=3), refreshable=False)
    assert static.judge(refused, sent=True).error is refused


def test_a_failed_mint_is_retried_but_never_settles_or_guards():
    state = CallState(api.send_sms("Me", ["1"], "hi"), RetryPolicy(max_retries=1), refreshable=True)
    dropped = SendPulseConnectionError("dropped", request_sent=True)
    assert state.judge(dropped, sent=False).wait is not None
    assert state.judge(dropped, sent=False).error is dropped  # budget spent, not an ambiguous create


def test_config_needs_credentials_and_hides_secrets():
    with pytest.raises(ValueError, match="API key"):
        ClientConfig(client_id="id")
    config = ClientConfig(client_id="id", client_secret="s3cr3t-value")
    assert "s3cr3t-value" not in repr(config)
    assert config.account == ("https://api.sendpulse.com", "id")
    keyed = ClientConfig(api_key="k3y-value")
    assert "k3y-value" not in repr(keyed)
    assert "k3y-value" not in str(keyed.account)


def test_parse_retry_after():
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("garbage") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


def test_the_client_never_imports_airflow():
    import subprocess
    import sys

    code = (
        "import sys, airflow_provider_sendpulse.client as c; "
        "c.SendPulseClient(c.ClientConfig(api_key='k')); "
        "print(sorted(m for m in sys.modules if m == 'airflow' or m.startswith('airflow.')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
