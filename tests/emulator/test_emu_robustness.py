"""Bad input anywhere gets a SendPulse-style 4xx answer, never a 500 or a stack trace."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from airflow_provider_sendpulse.emulator.state import EmulatorState

from .helpers import add_emails, campaign_body, new_list

ROUTES = [
    ("POST", "/addressbooks"),
    ("GET", "/addressbooks"),
    ("GET", "/addressbooks/{list}"),
    ("PUT", "/addressbooks/{list}"),
    ("GET", "/addressbooks/{list}/emails"),
    ("POST", "/addressbooks/{list}/emails"),
    ("DELETE", "/addressbooks/{list}/emails"),
    ("GET", "/addressbooks/{list}/emails/total"),
    ("POST", "/addressbooks/{list}/emails/unsubscribe"),
    ("POST", "/addressbooks/{list}/emails/variable"),
    ("PUT", "/addressbooks/{list}/phone"),
    ("GET", "/addressbooks/{list}/campaigns"),
    ("POST", "/emails"),
    ("POST", "/emails/campaigns"),
    ("POST", "/campaigns"),
    ("GET", "/campaigns"),
    ("PATCH", "/campaigns/{campaign}"),
    ("POST", "/senders"),
    ("DELETE", "/senders"),
    ("POST", "/senders/x@example.com/code"),
    ("GET", "/templates"),
    ("POST", "/template"),
    ("POST", "/template/edit/1"),
    ("POST", "/sms/numbers"),
    ("DELETE", "/sms/numbers"),
    ("POST", "/sms/campaigns"),
    ("DELETE", "/sms/campaigns"),
    ("POST", "/sms/send"),
    ("GET", "/sms/campaigns/list"),
    ("GET", "/sms/campaigns/cost"),
    ("POST", "/oauth/access_token"),
]

BODIES: list[bytes] = [
    b"",
    b"not json",
    b"{",
    b"[]",
    b"[1, 2]",
    b"null",
    b'"text"',
    b"12",
    b'{"emails": null, "bookName": null, "name": null, "limit": null}',
    b'{"emails": [null], "phones": [null], "list_id": [null], "variables": [null], "email": null}',
    b'{"emails": [{"email": ["x"]}], "addressBookId": "abc", "list_id": {"a": 1}, "send_date": 5}',
    b'{"emails": "[{\\"email\\": 5}]", "phones": "{broken", "body": 5, "sender": ["x"], "id": "x"}',
    b'{"limit": 1e999, "offset": -1e999, "bookName": {"x": 1}, "subject": [], "template_id": {}}',
    b'{"attachments": [1], "attachments_binary": "nope", "stats": 5, "segment_id": "x", "type": 7}',
    b'{"code": null, "lang": 5, "grant_type": 5, "client_id": 5, "client_secret": []}',
    '{"bookName": "\udcff"}'.encode("utf-8", "surrogatepass"),
]

QUERIES = [
    "",
    "limit=abc",
    "limit=1000",
    "offset=-5",
    "%7Bbroken",
    "%7B%22limit%22%3A%20%22x%22%7D",
    "status=x",
]


@pytest.fixture
def ids(api: httpx.Client) -> dict[str, int]:
    list_id = new_list(api)
    add_emails(api, list_id, "a@example.com")
    campaign = api.post("/campaigns", json=campaign_body(list_id, type="draft")).json()["id"]
    return {"list": list_id, "campaign": campaign}


def assert_sendpulse_4xx(response: httpx.Response) -> None:
    assert response.status_code < 500, (response.request.method, response.request.url, response.text)
    if response.status_code >= 400:
        body = response.json()
        assert "message" in body
        assert "Traceback" not in response.text


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_garbage_bodies(api: httpx.Client, ids: dict[str, int], method: str, path: str) -> None:
    url = path.format(**ids)
    for body in BODIES:
        for content_type in ("application/json", "application/x-www-form-urlencoded"):
            response = api.request(method, url, content=body, headers={"Content-Type": content_type})
            assert_sendpulse_4xx(response)


@pytest.mark.parametrize(("method", "path"), [r for r in ROUTES if r[0] == "GET"])
def test_garbage_queries(api: httpx.Client, ids: dict[str, int], method: str, path: str) -> None:
    for query in QUERIES:
        assert_sendpulse_4xx(api.request(method, f"{path.format(**ids)}?{query}"))


@pytest.mark.parametrize(
    "path",
    ["/addressbooks/99999999999999999999999", "/campaigns/%00", "/template/-1", "/sms/campaigns/info/x"],
)
def test_garbage_path_ids(api: httpx.Client, path: str) -> None:
    response = api.get(path)
    assert 400 <= response.status_code < 500
    assert "message" in response.json()


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    route=st.sampled_from([r for r in ROUTES if r[0] != "GET"]),
    body=st.dictionaries(
        st.sampled_from(
            ["emails", "bookName", "name", "list_id", "phones", "body", "sender", "variables", "email"]
        ),
        json_values,
        max_size=4,
    ),
)
def test_random_json_bodies(
    api: httpx.Client, ids: dict[str, int], route: tuple[str, str], body: object
) -> None:
    method, path = route
    assert_sendpulse_4xx(api.request(method, path.format(**ids), json=body))


def test_unexpected_failure_is_still_an_envelope(api: httpx.Client, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: EmulatorState, name: str) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(EmulatorState, "create_list", broken)
    response = api.post("/addressbooks", json={"bookName": "x"})
    assert response.status_code == 400
    assert response.json() == {"message": "Bad request", "error_code": 400}


def test_non_ascii_credentials_are_just_wrong(emulator_url: str) -> None:
    with httpx.Client(base_url=emulator_url) as http:
        wrong_key = http.get("/addressbooks", headers={"Authorization": "Bearer cl\u00e9".encode("latin-1")})
        assert wrong_key.status_code == 401
        token = http.post(
            "/oauth/access_token",
            json={
                "grant_type": "client_credentials",
                "client_id": "\u00e9t\u00e9",
                "client_secret": "\u2603",
            },
        )
        assert token.status_code == 401
        assert token.json()["error"] == "invalid_client"
