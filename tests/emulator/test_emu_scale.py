"""Big lists stay cheap to page, and concurrent writers do not lose contacts."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from airflow_provider_sendpulse.emulator.control import EmulatorControl

from .helpers import CREDENTIALS


def test_deep_pages_of_a_big_list_are_fast(api: httpx.Client, emulator: EmulatorControl) -> None:
    list_id = emulator.create_list("Big")
    assert emulator.seed_contacts(list_id, 200_000) == 200_000
    started = time.perf_counter()
    for offset in (0, 100_000, 199_900):
        page = api.get(f"/addressbooks/{list_id}/emails", params={"limit": 100, "offset": offset}).json()
        assert page[0]["email"] == f"user{offset}@example.com"
        assert len(page) == 100
    newest = api.get(f"/addressbooks/{list_id}/emails", params={"limit": 1, "order": "desc"}).json()
    assert newest[0]["email"] == "user199999@example.com"
    assert time.perf_counter() - started < 2
    api.request("DELETE", f"/addressbooks/{list_id}/emails", json={"emails": ["user5@example.com"]})
    after = api.get(f"/addressbooks/{list_id}/emails", params={"limit": 2, "offset": 4}).json()
    assert [c["email"] for c in after] == ["user4@example.com", "user6@example.com"]
    book = api.get(f"/addressbooks/{list_id}").json()[0]
    assert (book["all_email_qty"], book["active_email_qty"]) == (199_999, 199_999)


def test_concurrent_writers(emulator: EmulatorControl) -> None:
    list_id = emulator.create_list("Busy")

    def writer(n: int) -> None:
        with httpx.Client(base_url=emulator.url) as http:
            token = http.post("/oauth/access_token", json=CREDENTIALS).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            for batch in range(5):
                emails = [f"w{n}-{batch}-{i}@example.com" for i in range(50)]
                response = http.post(
                    f"/addressbooks/{list_id}/emails", json={"emails": emails}, headers=headers
                )
                assert response.status_code == 200

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(writer, range(8)))
    assert emulator.state(contacts_cap=0)["lists"][0]["total"] == 8 * 5 * 50
