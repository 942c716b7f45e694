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

RUN_TIME_ONLY = tuple(
    f"airflow_provider_sendpulse.{name}"
    for name in (
        "client.api",
        "client.async_client",
        "client.auth",
        "client.core",
        "client.errors",
        "client.models",
        "client.sync_client",
        "client.transport",
        "events.driver",
        "hooks.contact_export",
        "hooks.contact_import",
        "hooks.create_once",
        "hooks.files",
        "hooks.sendpulse",
        "operators.identity",
        "operators.sources",
        "triggers._client",
        "triggers._watermark",
        "waiting.campaigns",
    )
)
"""The provider's own modules that only a running task, sensor or trigger needs (the client and its
endpoints, models and errors; the hook and its composite operations; event driving). A DAG file that
imports operators and builds tasks must not load them: see "Cheap to parse" in docs/packaging.md."""

_PARSE_A_DAG = """
from datetime import datetime
from airflow.sdk import DAG
from airflow_provider_sendpulse import operators as op
from airflow_provider_sendpulse.sensors.campaigns import SendPulseCampaignSensor
from airflow_provider_sendpulse.sensors.events import SendPulseEventSensor
from airflow_provider_sendpulse.triggers.campaigns import SendPulseCampaignTrigger

with DAG("parse_cost", schedule=None, start_date=datetime(2026, 1, 1)):
    op.SendPulseListMailingListsOperator(task_id="lists")
    op.SendPulseCreateMailingListOperator(task_id="create_list", name="Customers")
    op.SendPulseDeleteMailingListOperator(task_id="delete_list", list_id=1)
    op.SendPulseAddContactsOperator(task_id="add", list_id=1, path="contacts.csv", batch_size=500)
    op.SendPulseRemoveContactsOperator(task_id="remove", list_id=1, emails=["a@example.com"])
    op.SendPulseUnsubscribeContactsOperator(task_id="unsub", list_name="Customers", emails="{{ x }}")
    op.SendPulseUpdateContactVariablesOperator(
        task_id="vars", list_id=1, email="a@example.com", variables={"n": 1}
    )
    op.SendPulseExportContactsOperator(task_id="export", list_id=1, path="out.jsonl")
    op.SendPulseCreateCampaignOperator(
        task_id="campaign", sender_name="Shop", sender_email="shop@example.com", subject="Hi",
        body_html="<p>Hi</p>", list_ids=[1], wait_for_completion=True,
    )
    op.SendPulseCancelCampaignOperator(task_id="cancel", campaign_id=7)
    op.SendPulseGetCampaignStatsOperator(task_id="stats", campaign_id=7)
    op.SendPulseSendSmsOperator(task_id="sms", sender="Shop", body="Hi", phones=["+380 93 123 4567"])
    op.SendPulseAddPhonesOperator(task_id="phones", list_id=1, phones=["380931234567"])
    op.SendPulseApiOperator(task_id="api", endpoint="/addressbooks")
    SendPulseEventSensor(task_id="new", event_type="new_subscriber", list_id=1)
    SendPulseCampaignSensor(task_id="sent", campaign_id=7)
SendPulseCampaignTrigger(campaign_id=7)
"""
"""A DAG file that builds every operator and sensor (constructor checks included) and a campaign trigger."""


def _dag_modules() -> list[str]:
    info = get_provider_info()
    modules = [
        m for kind in ("operators", "sensors", "triggers") for e in info[kind] for m in e["python-modules"]
    ]
    return [*modules, "airflow_provider_sendpulse.operators", "airflow_provider_sendpulse.links"]


def _loaded_after_import(statement: str, watched: tuple[str, ...] = HEAVY) -> list[str]:
    """Which of ``watched`` (top-level libraries, or dotted module names) ``statement`` loads."""
    code = (
        "import json, sys\n"
        f"{statement}\n"
        "loaded = set(sys.modules) | {m.split('.')[0] for m in sys.modules}\n"
        f"print(json.dumps(sorted(loaded & set({list(watched)!r}))))\n"
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


@pytest.mark.parametrize("module", _dag_modules())
def test_importing_loads_none_of_the_providers_run_time_modules(module: str) -> None:
    assert _loaded_after_import(f"import {module}", RUN_TIME_ONLY) == []


def test_parsing_a_dag_that_builds_every_task_loads_no_run_time_module() -> None:
    """Constructors validate their arguments (a feature) through light code paths only."""
    assert _loaded_after_import(_PARSE_A_DAG, RUN_TIME_ONLY + HEAVY) == []


def test_building_an_event_trigger_in_a_dag_file_loads_no_run_time_module() -> None:
    """As in an AssetWatcher: the trigger validates its event type, loading every built-in event source."""
    statement = (
        "from airflow_provider_sendpulse.triggers.events import SendPulseEventTrigger\n"
        "SendPulseEventTrigger(event_type='new_subscriber', event_params={'list_id': 1})"
    )
    assert _loaded_after_import(statement, RUN_TIME_ONLY + HEAVY) == []


def test_the_run_time_modules_named_exist_and_do_load_when_a_task_runs() -> None:
    """The watch list cannot pass by naming modules that are gone; running code does load them."""
    statement = "\n".join(f"import {module}" for module in RUN_TIME_ONLY)
    assert _loaded_after_import(statement, RUN_TIME_ONLY) == sorted(RUN_TIME_ONLY)


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
