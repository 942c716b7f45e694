"""The compact contact store: order, upserts, tombstones and offset paging."""

from __future__ import annotations

from airflow_provider_sendpulse.emulator.contacts import ACTIVE, UNSUBSCRIBED, ContactStore


def emails(contacts: list[object]) -> list[str]:
    return [c.email for c in contacts]  # type: ignore[attr-defined]


def filled(count: int) -> ContactStore:
    store = ContactStore()
    store.bulk_add([f"u{i}@x.io" for i in range(count)], None, now=1000)
    return store


def test_paging_after_deletes_skips_tombstones() -> None:
    store = filled(10)
    assert store.remove(["u0@x.io", "u5@x.io", "nobody@x.io"]) == 2
    assert len(store) == 8
    assert emails(store.page(0, 3)) == ["u1@x.io", "u2@x.io", "u3@x.io"]
    assert emails(store.page(3, 3)) == ["u4@x.io", "u6@x.io", "u7@x.io"]
    assert emails(store.page(0, 2, descending=True)) == ["u9@x.io", "u8@x.io"]
    assert emails(store.page(7, 5)) == ["u9@x.io"]
    assert store.page(8, 5) == []


def test_upsert_keeps_position_date_and_status() -> None:
    store = filled(3)
    store.set_status(["u1@x.io"], UNSUBSCRIBED)
    assert store.upsert("u1@x.io", {"a": 1}, ACTIVE, now=2000) is False
    contact = store.get("u1@x.io")
    assert contact is not None
    assert (contact.status, contact.added, dict(contact.variables)) == (UNSUBSCRIBED, 1000, {"a": 1})
    assert emails(store.page(0, 10)) == ["u0@x.io", "u1@x.io", "u2@x.io"]
    assert store.count_active() == 2


def test_active_filter_pages_in_both_directions() -> None:
    store = filled(6)
    store.set_status(["u1@x.io", "u2@x.io"], UNSUBSCRIBED)
    assert emails(store.page(1, 2, active=True)) == ["u3@x.io", "u4@x.io"]
    assert emails(store.page(0, 1, descending=True, active=False)) == ["u2@x.io"]


def test_bulk_add_skips_known_and_duplicate_emails() -> None:
    store = filled(2)
    assert store.bulk_add(["u1@x.io", "new@x.io", "new@x.io"], {"k": "v"}, now=5) == 1
    assert len(store) == 3
    added = store.get("new@x.io")
    assert added is not None
    assert dict(added.variables) == {"k": "v"}
