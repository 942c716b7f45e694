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


def _state(call, max_retries=3, refreshable=True):
    return CallState(call, RetryPolicy(max_retries=max_retries), refreshable=refreshable)


def test_a_create_that_may_have_been_performed_is_never_repeated():
    create_call = api.send_sms("Me", ["1"], "hi")
    dropped = SendPulseConnectionError("dropped", request_sent=True)
    refused = SendPulseConnectionError("refused", request_sent=False)
    assert _state(create_call).judge(refused, sent=True).wait > 0
    assert _state(create_call).judge(SendPulseRateLimitError("x", 429), sent=True).wait > 0
    assert _state(api.get_user_info()).judge(dropped, sent=True).wait > 0
    with pytest.raises(SendPulseAmbiguousCreateError):
        _state(create_call).judge(dropped, sent=True)
    with pytest.raises(SendPulseAmbiguousCreateError) as raised:
        _state(create_call).judge(SendPulseServerError("x", 503), sent=True)
    err = raised.value
    assert (err.method, err.path, err.status) == ("POST", "/sms/send", 503)


def test_a_replay_that_finds_its_work_done_is_settled():
    state = _state(api.delete_mailing_list(7))
    missing = SendPulseNotFoundError("gone", 404)
    with pytest.raises(SendPulseNotFoundError):  # no earlier send: a real 404
        state.judge(missing, sent=True)
    assert state.judge(SendPulseServerError("x", 502), sent=True).wait > 0
    assert state.judge(missing, sent=True).settled


def test_a_401_re_mints_once_then_names_the_credentials():
    state = _state(api.get_user_info())
    refused = SendPulseAuthError("no", 401)
    assert state.judge(refused, sent=True).remint
    with pytest.raises(SendPulseAuthError, match="freshly issued token"):
        state.judge(refused, sent=True)
    with pytest.raises(SendPulseAuthError) as raised:
        _state(api.get_user_info(), refreshable=False).judge(refused, sent=True)
    assert raised.value is refused


def test_a_failed_mint_is_retried_but_never_settles_or_guards():
    state = _state(api.send_sms("Me", ["1"], "hi"), max_retries=1)
    dropped = SendPulseConnectionError("dropped", request_sent=True)
    assert state.judge(dropped, sent=False).wait > 0
    with pytest.raises(SendPulseConnectionError) as raised:  # budget spent; not an ambiguous create
        state.judge(dropped, sent=False)
    assert raised.value is dropped


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
