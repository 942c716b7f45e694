"""Importing an operator, sensor or trigger module (what a DAG file does) loads no HTTP or web library.

Airflow's dag-processor parses every DAG file in a fresh child process, so whatever a provider module
imports is paid on every parse. Each module is imported in a fresh interpreter here; the figures are in
``make bench`` (``benchmarks/import_cost.py``).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from airflow_provider_sendpulse import get_provider_info

HEAVY = ("requests", "urllib3", "oauthlib", "requests_oauthlib", "fastapi", "uvicorn", "charset_normalizer")
"""Libraries a task or trigger needs when it runs, never while its DAG file is parsed."""


def _dag_modules() -> list[str]:
    info = get_provider_info()
    modules = [
        m for kind in ("operators", "sensors", "triggers") for e in info[kind] for m in e["python-modules"]
    ]
    return [*modules, "airflow_provider_sendpulse.operators", "airflow_provider_sendpulse.links"]


def _loaded_after_import(statement: str) -> list[str]:
    code = (
        "import json, sys\n"
        f"{statement}\n"
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({list(HEAVY)!r}))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def test_every_dag_facing_module_is_checked() -> None:
    modules = _dag_modules()
    assert len(modules) >= 12
    assert "airflow_provider_sendpulse.operators.chatbots" in modules
    assert "airflow_provider_sendpulse.triggers.events" in modules


@pytest.mark.parametrize("module", _dag_modules())
def test_importing_loads_no_http_or_web_library(module: str) -> None:
    assert _loaded_after_import(f"import {module}") == []


def test_the_package_exports_still_import_by_their_public_paths() -> None:
    loaded = _loaded_after_import(
        "from airflow_provider_sendpulse.operators import SendPulseCreateCampaignOperator\n"
        "from airflow_provider_sendpulse.operators import SendPulseMoveDealOperator\n"
        "assert SendPulseMoveDealOperator.__module__.endswith('operators.crm')\n"
        "from airflow_provider_sendpulse.sensors.events import SendPulseEventSensor\n"
        "from airflow_provider_sendpulse.triggers.campaigns import SendPulseCampaignTrigger\n"
        "assert SendPulseCreateCampaignOperator.__module__.endswith('operators.campaigns')\n"
        "assert SendPulseEventSensor and SendPulseCampaignTrigger"
    )
    assert loaded == []


def test_provider_info_loads_nothing_of_the_provider_but_its_package() -> None:
    code = (
        "import sys\n"
        "from airflow_provider_sendpulse import get_provider_info\n"
        "get_provider_info()\n"
        "print(sorted(m for m in sys.modules if m.startswith(('airflow', 'requests', 'httpx'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "['airflow_provider_sendpulse']"


def test_running_a_task_does_load_the_client() -> None:
    """The libraries are deferred, not dropped: building the hook's client imports them."""
    loaded = _loaded_after_import(
        "from airflow_provider_sendpulse.client.core import ClientConfig\n"
        "from airflow_provider_sendpulse.client import SendPulseClient\n"
        "SendPulseClient(ClientConfig(api_key='k'))"
    )
    assert {"requests", "oauthlib", "urllib3"} <= set(loaded)


@pytest.mark.parametrize(
    ("package", "names"),
    [
        (
            "airflow_provider_sendpulse.operators",
            ["SendPulseApiOperator", "SendPulseInputError", "SendPulseWhatsAppTemplateOperator"],
        ),
        (
            "airflow_provider_sendpulse.operators",
            ["SendPulseAutomationEventOperator", "SendPulseSendTransactionalEmailOperator"],
        ),
        (
            "airflow_provider_sendpulse.operators",
            ["SendPulseVerifyEmailsOperator"],
        ),
        ("airflow_provider_sendpulse.client", ["SendPulseClient", "ClientConfig", "SendPulseError", "api"]),
        ("airflow_provider_sendpulse.events", ["get_event_source", "Cursor", "drive"]),
    ],
)
def test_lazy_package_exports_resolve(package: str, names: list[str]) -> None:
    module = __import__(package, fromlist=["__all__"])
    for name in names:
        assert name in module.__all__
        assert getattr(module, name) is not None
    assert sorted(module.__all__) == module.__all__
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        getattr(module, "Nope")  # noqa: B009
