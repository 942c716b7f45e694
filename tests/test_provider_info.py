"""The provider is discoverable by Airflow and its connection form shows the documented fields."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import distribution, entry_points
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_sendpulse import get_provider_info

EXTRA_FIELDS = {
    "api_key",
    "timeout",
    "max_requests_per_second",
    "max_retries",
    "allow_insecure_http",
    "timezone",
    "rate_limit_store",
    "token_cache_dir",
}


def test_package_name_matches_distribution() -> None:
    assert get_provider_info()["package-name"] == distribution("airflow-provider-sendpulse").metadata["Name"]


def test_entry_point_points_at_get_provider_info() -> None:
    (entry_point,) = [
        ep for ep in entry_points(group="apache_airflow_provider") if ep.value.startswith("airflow_provider_")
    ]
    assert entry_point.load() is get_provider_info


def test_airflow_cli_lists_the_provider(tmp_path: Path) -> None:
    env = {**os.environ, "AIRFLOW_HOME": str(tmp_path), "AIRFLOW__CORE__LOAD_EXAMPLES": "False"}
    airflow = Path(sys.executable).with_name("airflow")
    result = subprocess.run(
        [str(airflow), "providers", "list", "--output", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    providers = {p["package_name"]: p for p in json.loads(result.stdout)}
    assert providers["airflow-provider-sendpulse"]["version"] == get_provider_info()["versions"][0]


_HOOK_META_SCRIPT = """
from airflow.api_fastapi.core_api.services.ui.connections import HookMetaService
(meta,) = [m for m in HookMetaService.hook_meta_data() if m.connection_type == "sendpulse"]
print(meta.model_dump_json())
"""


def _hook_meta(tmp_path: Path) -> Any:
    """The connection form metadata the Airflow UI receives, computed in a fresh process.

    A fresh process matters: the providers manager is a singleton, and the UI service builds the form
    only when it is the first to initialise it.
    """
    env = {**os.environ, "AIRFLOW_HOME": str(tmp_path), "AIRFLOW__CORE__LOAD_EXAMPLES": "False"}
    result = subprocess.run(
        [sys.executable, "-c", _HOOK_META_SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def _hooks() -> Any:
    """The providers manager's hook registry (owned by the task SDK from Airflow 3.2)."""
    try:
        from airflow.sdk.providers_manager_runtime import ProvidersManagerTaskRuntime
    except ImportError:
        from airflow.providers_manager import ProvidersManager

        return ProvidersManager().hooks
    return ProvidersManagerTaskRuntime().hooks


def test_connection_type_is_registered_with_its_hook() -> None:
    hook_info = _hooks()["sendpulse"]
    assert hook_info is not None
    assert hook_info.hook_class_name == "airflow_provider_sendpulse.hooks.sendpulse.SendPulseHook"
    assert hook_info.hook_name == "SendPulse"
    assert hook_info.connection_id_attribute_name == "sendpulse_conn_id"
    assert hook_info.connection_testable


def test_connection_form_as_the_ui_sees_it(tmp_path: Path) -> None:
    meta = _hook_meta(tmp_path)
    assert meta["hook_name"] == "SendPulse"
    fields = meta["standard_fields"]
    assert fields["login"]["title"] == "API ID"
    assert fields["password"]["title"] == "API Secret"
    assert fields["host"]["title"] == "API base URL"
    assert fields["host"]["placeholder"] == "https://api.sendpulse.com"
    assert fields["url_schema"]["hidden"]
    assert fields["port"]["hidden"]

    extras = {name.removeprefix("extra__sendpulse__"): spec for name, spec in meta["extra_fields"].items()}
    assert set(extras) == EXTRA_FIELDS
    api_key_schema = extras["api_key"]["schema"]
    assert api_key_schema.get("format") == "password"
    assert extras["rate_limit_store"]["schema"].get("format") == "password"  # a Redis URL may hold one
    assert float(extras["max_requests_per_second"]["value"]) == 10
    assert extras["allow_insecure_http"]["schema"]["type"] == ["boolean", "null"]
    assert extras["allow_insecure_http"]["value"] in (False, "False", "false")
    assert extras["timezone"]["value"] == "UTC"


def test_fallback_form_for_airflow_3_1_has_the_time_zone() -> None:
    pytest.importorskip("flask_appbuilder", reason="the connection form widgets need flask_appbuilder")
    from airflow_provider_sendpulse.hooks.sendpulse import SendPulseHook

    widgets = SendPulseHook.get_connection_form_widgets()
    assert set(widgets) == EXTRA_FIELDS
    assert widgets["timezone"].kwargs["default"] == "UTC"


@pytest.mark.parametrize("name", sorted(EXTRA_FIELDS))
def test_every_extra_field_has_a_label(name: str) -> None:
    (conn_type,) = get_provider_info()["connection-types"]
    assert conn_type["conn-fields"][name]["label"]
