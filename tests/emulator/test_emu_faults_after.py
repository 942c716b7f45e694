"""Faults that act after the route ran ("done, but the answer was lost"), random faults, issued tokens."""

from __future__ import annotations

import httpx
import pytest

from airflow_provider_sendpulse.emulator.control import EmulatorControl

from .helpers import mint_token


def _names(emulator: EmulatorControl) -> list[str]:
    return [book["name"] for book in emulator.state()["lists"]]


def test_drop_after_the_route_ran_keeps_the_effect(emulator: EmulatorControl, api: httpx.Client) -> None:
    emulator.add_fault(method="POST", path="/addressbooks", drop=True, after=True)
    with pytest.raises(httpx.TransportError):
        api.post("/addressbooks", json={"bookName": "Lost answer"})
    assert _names(emulator) == ["Lost answer"]
    [entry] = [r for r in emulator.requests() if r["path"] == "/addressbooks"]
    assert entry["status"] is None
    assert entry["fault"] is True
    assert entry["dropped"] is True


def test_late_answer_after_the_route_ran(emulator: EmulatorControl, api: httpx.Client) -> None:
    emulator.add_fault(method="POST", path="/addressbooks", delay=0.5, after=True)
    with pytest.raises(httpx.ReadTimeout):
        api.post("/addressbooks", json={"bookName": "Slow"}, timeout=0.1)
    assert _names(emulator) == ["Slow"]
    # With patience the delayed answer is the route's own.
    emulator.add_fault(method="POST", path="/addressbooks", delay=0.2, after=True)
    answer = api.post("/addressbooks", json={"bookName": "Patient"}, timeout=5)
    assert answer.status_code == 200
    assert isinstance(answer.json()["id"], int)
    assert _names(emulator) == ["Slow", "Patient"]


def test_error_answer_after_the_route_ran(emulator: EmulatorControl, api: httpx.Client) -> None:
    emulator.add_fault(method="POST", path="/addressbooks", status=502, after=True)
    answer = api.post("/addressbooks", json={"bookName": "Gateway"})
    assert answer.status_code == 502
    assert answer.json() == {"message": "Bad Gateway", "error_code": 502}
    assert _names(emulator) == ["Gateway"]
    emulator.add_fault(method="POST", path="/addressbooks", body="<html>oops</html>", after=True)
    answer = api.post("/addressbooks", json={"bookName": "Html"})
    assert answer.status_code == 500
    assert answer.text == "<html>oops</html>"
    assert _names(emulator) == ["Gateway", "Html"]


def test_a_failing_route_under_an_after_fault_still_answers(
    emulator: EmulatorControl, api: httpx.Client
) -> None:
    emulator.add_fault(method="GET", path="/addressbooks/*", delay=0.05, after=True)
    answer = api.get("/addressbooks/424242")
    assert answer.status_code in (400, 404)
    assert "error_code" in answer.json()


def test_before_faults_still_stop_the_route(emulator: EmulatorControl, api: httpx.Client) -> None:
    emulator.add_fault(method="POST", path="/addressbooks", drop=True)
    with pytest.raises(httpx.TransportError):
        api.post("/addressbooks", json={"bookName": "Never"})
    assert _names(emulator) == []


def test_probability_is_seeded_and_spared_requests_do_not_count(
    emulator: EmulatorControl, api: httpx.Client
) -> None:
    def pattern(seed: int) -> list[int]:
        emulator.clear_faults()
        emulator.add_fault(method="GET", path="/balance", status=503, times=None, probability=0.3, seed=seed)
        return [api.get("/balance").status_code for _ in range(60)]

    first, again, other = pattern(7), pattern(7), pattern(8)
    assert first == again
    assert first != other
    assert 5 <= first.count(503) <= 35
    assert set(first) == {200, 503}
    emulator.clear_faults()
    rule = emulator.add_fault(method="GET", path="/balance", status=500, times=2, probability=0.5, seed=1)
    assert rule["probability"] == 0.5
    statuses = [api.get("/balance").status_code for _ in range(30)]
    assert statuses.count(500) == 2
    assert emulator.faults() == []


def test_a_spared_request_falls_through_to_the_next_rule(
    emulator: EmulatorControl, api: httpx.Client
) -> None:
    emulator.add_fault(method="GET", path="/balance", status=500, times=None, probability=0.5, seed=3)
    emulator.add_fault(method="GET", path="/balance", status=502, times=None)
    statuses = {api.get("/balance").status_code for _ in range(20)}
    assert statuses == {500, 502}


@pytest.mark.parametrize("probability", [0, 1.5])
def test_probability_out_of_range_is_refused(emulator: EmulatorControl, probability: float) -> None:
    with pytest.raises(httpx.HTTPStatusError) as refused:
        emulator.add_fault(status=500, probability=probability)
    assert refused.value.response.status_code == 422


def test_issued_tokens_survive_expiry_until_reset(emulator: EmulatorControl) -> None:
    first, second = mint_token(emulator.url), mint_token(emulator.url)
    assert emulator.issued_tokens() == [first, second]
    emulator.expire_tokens()
    assert emulator.issued_tokens() == [first, second]
    assert emulator.state()["tokens"] == 0
    emulator.reset()
    assert emulator.issued_tokens() == []
