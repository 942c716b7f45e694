"""The watermark against Airflow 3.3's own asset state store accessors (supervisor messages faked)."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_sendpulse.triggers._watermark import Watermark

context = pytest.importorskip("airflow.sdk.execution_time.context")
comms = pytest.importorskip("airflow.sdk.execution_time.comms")
if not hasattr(context, "AssetStateStoreAccessors"):
    pytest.skip("no asset state store before Airflow 3.3", allow_module_level=True)


class FakeSupervisor:
    """Answers the accessors' messages from a dict, as the triggerer's supervisor would from the database."""

    def __init__(self) -> None:
        self.data: dict[tuple[str, str], Any] = {}

    async def asend(self, msg: Any) -> Any:
        from airflow.sdk.exceptions import ErrorType

        if isinstance(msg, comms.SetAssetStateStoreByName):
            self.data[(msg.name, msg.key)] = msg.value
            return comms.OKResponse(ok=True)
        if isinstance(msg, comms.GetAssetStateStoreByName):
            if (msg.name, msg.key) not in self.data:
                return comms.ErrorResponse(error=ErrorType.ASSET_STORE_NOT_FOUND)
            return comms.AssetStateStoreResult(value=self.data[(msg.name, msg.key)])
        raise AssertionError(f"unexpected message {msg!r}")


@pytest.fixture
def supervisor(monkeypatch: pytest.MonkeyPatch) -> FakeSupervisor:
    fake = FakeSupervisor()
    monkeypatch.setattr("airflow.sdk.execution_time.task_runner.SUPERVISOR_COMMS", fake, raising=False)
    return fake


async def test_cursor_round_trips_through_the_asset_state_store(supervisor: FakeSupervisor) -> None:
    from airflow.sdk import Asset

    store = context.AssetStateStoreAccessors(inlets=[Asset(name="subs", uri="sendpulse://lists/1")])
    watermark = Watermark(store, "sendpulse_cursor.c.new_subscriber.list-1")
    assert watermark.available
    assert await watermark.load() is None
    await watermark.save({"v": 1, "type": "new_subscriber", "offset": 5, "anchors": ["a@b.c"]})
    assert supervisor.data[("subs", "sendpulse_cursor.c.new_subscriber.list-1")]["offset"] == 5
    again = Watermark(store, "sendpulse_cursor.c.new_subscriber.list-1")
    assert (await again.load()) == {"v": 1, "type": "new_subscriber", "offset": 5, "anchors": ["a@b.c"]}


async def test_several_watched_assets_fall_back_to_memory(supervisor: FakeSupervisor) -> None:
    from airflow.sdk import Asset

    store = context.AssetStateStoreAccessors(
        inlets=[Asset(name="a", uri="s://a"), Asset(name="b", uri="s://b")]
    )
    watermark = Watermark(store, "k")
    assert await watermark.load() is None
    assert not watermark.available
    await watermark.save({"v": 1})
    assert supervisor.data == {}
