"""Automation 360, SMTP and verifier endpoints: builders checked offline, then sent sync and async to the
emulator over loopback."""

from __future__ import annotations

import asyncio
import base64
from datetime import date

import pytest
from test_client_emulator import SENDER, config

from airflow_provider_sendpulse.client import (
    AsyncSendPulseClient,
    SendPulseAmbiguousCreateError,
    SendPulseClient,
    SendPulseValidationError,
    api,
)
from airflow_provider_sendpulse.client.api.smtp import Address, EmailMessage, text_of
from airflow_provider_sendpulse.client.api.verifier import VerificationProgress

DAY = date(2000, 1, 1)
FAR = date(2100, 1, 1)


def _message(**overrides: object) -> EmailMessage:
    fields: dict[str, object] = {
        "sender": Address(SENDER, "Shop"),
        "to": [Address("ann@example.com", "Ann")],
        "subject": "Receipt",
        "html": "<h1>Thanks</h1><p>Order <b>42</b></p><style>p{}</style>",
    }
    fields.update(overrides)
    return EmailMessage(**fields)  # type: ignore[arg-type]


def test_event_builder_puts_the_contact_beside_the_variables() -> None:
    call = api.start_event("signup", email="ann@example.com", variables={"plan": "gold"})
    assert (call.method, call.path, call.json) == (
        "POST",
        "/events/name/signup",
        {"plan": "gold", "email": "ann@example.com"},
    )
    assert call.is_create
    assert api.start_event("a b/c", phone="380501234567").path == "/events/name/a%20b%2Fc"
    with pytest.raises(ValueError, match="email or phone"):
        api.start_event("signup")
    with pytest.raises(ValueError, match="clashes"):
        api.start_event("signup", phone="380501234567", variables={"email": "x@example.com"})


def test_email_message_wire_form() -> None:
    wire = _message(cc=[Address("boss@example.com")], attachments={"a.txt": "hi"}).to_dict()
    assert base64.b64decode(wire["html"]).decode().startswith("<h1>Thanks")
    assert wire["text"] == "Thanks\nOrder 42"
    assert wire["cc"] == [{"email": "boss@example.com"}]
    assert wire["attachments_binary"] == {"a.txt": base64.b64encode(b"hi").decode()}
    templated = _message(html=None, template_id=7, variables={"name": "Ann"}).to_dict()
    assert templated["template"] == {"id": 7, "variables": {"name": "Ann"}}
    assert "html" not in templated
    text_only = _message(html=None, text="a < b\nc").to_dict()
    assert base64.b64decode(text_only["html"]).decode() == "<html><body>a &lt; b<br>\nc</body></html>"
    assert text_of("<p>x</p><script>y</script>") == "x"


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"to": []}, "at least one recipient"),
        ({"template_id": 5}, "not both"),
        ({"html": None}, "not neither"),
        ({"subject": " "}, "subject"),
        ({"bcc": [Address(f"r{n}@example.com") for n in range(100)]}, "at most 100"),
    ],
)
def test_email_message_refuses_bad_messages(overrides: dict[str, object], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        _message(**overrides)


def test_smtp_and_events_sync(emulator) -> None:
    emulator.add_automation_event("signup")
    with SendPulseClient(config(emulator.url)) as client:
        client.run(api.start_event("signup", email="ann@example.com", variables={"n": 1}))
        with pytest.raises(SendPulseValidationError, match="Event not exists"):
            client.run(api.start_event("nope", email="ann@example.com"))
        sent = client.run(api.send_email(_message(cc=[Address("boss@example.com")])))
        log = client.run(api.list_smtp_emails(DAY, FAR, 100, 0))
        assert [(r["id"], r["recipient"]) for r in log] == [
            (sent.id, "ann@example.com"),
            (sent.id, "boss@example.com"),
        ]
        assert client.run(api.smtp_bounces(FAR, 100, 0)) == []
        assert client.run(api.smtp_unsubscribes(FAR, 100, 0)) == []
        emulator.set_smtp_activated(False)
        with pytest.raises(SendPulseValidationError, match="SMTP"):
            client.run(api.send_email(_message()))
    assert emulator.automation_state()["events"][0]["starts"] == 1


def test_send_is_not_replayed_after_a_lost_answer(emulator) -> None:
    emulator.add_fault(method="POST", path="/smtp/emails", status=502, after=True)
    with (
        SendPulseClient(config(emulator.url)) as client,
        pytest.raises(SendPulseAmbiguousCreateError),
    ):
        client.run(api.send_email(_message()))
    assert emulator.smtp_state()["messages"] == 1


def test_verifier_async(emulator) -> None:
    emulator.configure(campaign_step_seconds=0)
    list_id = emulator.create_list("Clean me")
    emulator.seed_contacts(list_id, 30)

    async def verify() -> tuple[VerificationProgress, dict[str, int], dict[str, object]]:
        async with AsyncSendPulseClient(config(emulator.url)) as client:
            await client.run(api.verify_list(list_id))
            progress = await client.run(api.verification_progress(list_id))
            page = await client.run(api.verification_results(list_id, 0, 100))
            await client.run(api.verify_email("user1@example.com"))
            single = await client.run(api.email_verification("user1@example.com"))
            return progress, dict(page.counts), single

    progress, counts, single = asyncio.run(verify())
    assert progress.done
    assert sum(counts.values()) == 30
    assert counts["unverified"] == 0
    assert single["status"] in (1, 2, 3)
