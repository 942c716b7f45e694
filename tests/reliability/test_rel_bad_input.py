"""Every row of the bad-input catalogue raises exactly its error, before any request is sent."""

from __future__ import annotations

import pytest
from rel_catalogue import CASES, Case

from airflow_provider_sendpulse.emulator.control import EmulatorControl
from airflow_provider_sendpulse.events import registry

PACKAGE = "airflow_provider_sendpulse."


def test_the_catalogue_is_large_and_unique() -> None:
    assert len(CASES) >= 30
    assert len({(case.area, case.given) for case in CASES}) == len(CASES)
    assert {case.area for case in CASES} >= {"EventSensor", "Connection", "CreateCampaign", "SendSms"}


@pytest.mark.parametrize("case", CASES, ids=[f"{c.area}: {c.given}" for c in CASES])
def test_bad_input_is_refused_with_its_message(
    case: Case, emulator: EmulatorControl, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AIRFLOW_CONN_SENDPULSE_UNUSED", raising=False)
    # Only the provider's own event types: other tests register more, which the message would list.
    registry.event_types()  # loads the built-in sources first (they register on first use)
    builtin = {k: v for k, v in registry._SOURCES.items() if v.__module__.startswith(PACKAGE)}
    monkeypatch.setattr(registry, "_SOURCES", builtin)
    with pytest.raises(Exception) as raised:  # noqa: PT011 - the exact type is checked below
        case.run()
    assert type(raised.value).__name__ == case.error
    assert str(raised.value) == case.message
    assert [r for r in emulator.requests() if r["path"] != "/oauth/access_token"] == []
