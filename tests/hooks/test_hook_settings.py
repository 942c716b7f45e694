import pytest

from airflow_provider_sendpulse import get_provider_info
from airflow_provider_sendpulse.hooks.settings import base_url_from, client_config


def _config(extra=None, **conn):
    fields = {"login": "id", "password": "secret", "host": None}
    fields.update(conn)
    return client_config(extra=extra or {}, **fields)


def test_defaults():
    config = _config()
    assert config.base_url == "https://api.sendpulse.com"
    assert (config.client_id, config.client_secret, config.api_key) == ("id", "secret", None)
    assert (config.timeout, config.max_requests_per_second, config.max_retries) == (30.0, 10.0, 5)


@pytest.mark.parametrize(
    ("host", "schema", "port", "expected"),
    [
        ("api.sendpulse.com", None, None, "https://api.sendpulse.com"),
        ("https://api.sendpulse.com/", None, None, "https://api.sendpulse.com"),
        ("http://127.0.0.1:8089", None, None, "http://127.0.0.1:8089"),
        ("127.0.0.1", "http", 8089, "http://127.0.0.1:8089"),
        ("localhost", None, 8443, "https://localhost:8443"),
    ],
)
def test_host_with_or_without_scheme(host, schema, port, expected):
    assert _config(host=host, schema=schema, port=port).base_url == expected
    assert base_url_from(None) is None


def test_extras_plain_and_prefixed():
    config = _config(
        {
            "extra__sendpulse__api_key": "k",
            "timeout": "12.5",
            "extra__sendpulse__max_requests_per_second": 4,
            "max_retries": "0",
        },
        login=None,
        password=None,
    )
    assert config.api_key == "k"
    assert config.timeout == 12.5
    assert config.max_requests_per_second == 4
    assert config.max_retries == 0


def test_empty_strings_mean_default():
    config = _config({"api_key": "", "timeout": " ", "max_retries": None})
    assert config.api_key is None
    assert config.timeout == 30.0


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"timeout": "soon"}, "timeout"),
        ({"timeout": 0}, "timeout"),
        ({"max_retries": -1}, "max_retries"),
        ({"max_retries": 1.5}, "max_retries"),
        ({"max_requests_per_second": -3}, "max_requests_per_second"),
    ],
)
def test_bad_extras_are_named(extra, message):
    with pytest.raises(ValueError, match=message):
        _config(extra)


def test_missing_credentials_are_explained():
    with pytest.raises(ValueError, match="API key"):
        _config(login=None, password=None)


def test_the_hook_reads_exactly_the_form_fields():
    fields = get_provider_info()["connection-types"][0]["conn-fields"]
    assert set(fields) == {
        "api_key",
        "timeout",
        "max_requests_per_second",
        "max_retries",
        "allow_insecure_http",
        "timezone",
        "rate_limit_store",
        "token_cache_dir",
    }
    defaults = {name: spec["schema"].get("default") for name, spec in fields.items()}
    config = _config()
    assert config.timeout == defaults["timeout"]
    assert config.max_requests_per_second == defaults["max_requests_per_second"]
    assert config.max_retries == defaults["max_retries"]
    assert config.allow_insecure_http is defaults["allow_insecure_http"]


@pytest.mark.parametrize(
    "host", ["http://127.0.0.1:8089", "http://127.9.9.9", "http://[::1]:8089", "http://localhost:8089"]
)
def test_plain_http_is_fine_on_loopback(host):
    assert _config(host=host).base_url.startswith("http://")


def test_plain_http_elsewhere_is_refused_and_says_how_to_allow_it():
    with pytest.raises(ValueError, match="allow_insecure_http") as raised:
        _config(host="http://sendpulse-proxy.internal:8080")
    assert "secret" not in str(raised.value).replace("API secret", "")
    config = _config({"allow_insecure_http": "true"}, host="http://sendpulse-proxy.internal:8080")
    assert config.base_url == "http://sendpulse-proxy.internal:8080"
    assert config.allow_insecure_http is True


def test_allow_insecure_http_must_be_a_flag():
    with pytest.raises(ValueError, match="'allow_insecure_http' must be true or false"):
        _config({"allow_insecure_http": "perhaps"})


def test_a_host_without_a_scheme_is_remembered_for_the_hint():
    config = _config(host="127.0.0.1:8089")
    assert config.base_url == "https://127.0.0.1:8089"
    assert config.connection_hint == (
        "no scheme was given, so https was assumed; for plain http write http://127.0.0.1:8089"
    )
    assert _config(host="https://127.0.0.1:8089").connection_hint == ""
    assert _config(host="127.0.0.1", schema="https", port=8089).connection_hint == ""


def test_timezone_defaults_to_utc():
    fields = get_provider_info()["connection-types"][0]["conn-fields"]
    assert _config().timezone == fields["timezone"]["schema"]["default"] == "UTC"


def test_timezone_extra_is_an_iana_name():
    assert _config({"timezone": "Europe/Kyiv"}).timezone == "Europe/Kyiv"
    with pytest.raises(ValueError, match=r"SendPulse connection: timezone 'GMT\+3' is not a known time zone"):
        _config({"timezone": "GMT+3"})


def test_scale_settings_come_from_the_connection_or_airflow_config():
    assert (_config().rate_limit_store, _config().token_cache_dir) == (None, None)
    defaults = {"rate_limit_store": "redis://cfg:6379/0", "token_cache_dir": "/cfg", "other": "x"}
    from_config = client_config(login="id", password="s", host=None, extra={}, defaults=defaults)
    assert (from_config.rate_limit_store, from_config.token_cache_dir) == ("redis://cfg:6379/0", "/cfg")
    extra = {"rate_limit_store": "redis://conn:6379/1", "extra__sendpulse__token_cache_dir": "/conn"}
    from_conn = client_config(login="id", password="s", host=None, extra=extra, defaults=defaults)
    assert (from_conn.rate_limit_store, from_conn.token_cache_dir) == ("redis://conn:6379/1", "/conn")


def test_scale_settings_must_be_text():
    with pytest.raises(ValueError, match="'token_cache_dir' must be a string"):
        _config({"token_cache_dir": 5})


def test_the_hook_reads_the_airflow_config_section(monkeypatch):
    from airflow_provider_sendpulse.hooks.sendpulse import airflow_settings

    monkeypatch.setenv("AIRFLOW__SENDPULSE__RATE_LIMIT_STORE", "redis://127.0.0.1:6379/3")
    monkeypatch.setenv("AIRFLOW__SENDPULSE__TOKEN_CACHE_DIR", "")
    assert airflow_settings() == {"rate_limit_store": "redis://127.0.0.1:6379/3"}
