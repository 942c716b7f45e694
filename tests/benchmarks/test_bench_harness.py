"""The benchmark harness on small inputs: every figure is produced and well-formed (not how fast)."""

from __future__ import annotations

import importlib.util
import json
import math
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from airflow_provider_sendpulse.emulator.control import EmulatorControl

BENCH_DIR = Path(__file__).resolve().parents[2] / "benchmarks"

# The harness also drives pysendpulse (JSON text in form bodies, by design of that client); the provider's
# own requests are audited by every other test.
# The first test builds the module's results (every measurement, small, several worker processes).
pytestmark = [pytest.mark.wire_exempt, pytest.mark.timeout(600)]


def load(name: str) -> ModuleType:
    """``benchmarks/<name>.py`` under a name of its own (``report`` alone is taken elsewhere in tests)."""
    spec = importlib.util.spec_from_file_location(f"sendpulse_benchmarks_{name}", BENCH_DIR / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


run = load("run")  # appends benchmarks/ to sys.path for its own sibling imports
report = run.load_sibling("report")

TARGETS = {
    "import throughput",
    "import rate-limit answers",
    "import contacts landed",
    "import memory growth",
    "idle poll requests",
    "CRM deal idle poll requests",
    "fleet memory per trigger",
    "fleet longest event-loop stall",
    "fleet never over the rate limit",
    "fleet token mints",
    "hook overhead",
    "DAG-parse import cost per module",
    "chatbot idle poll requests",
    "events throughput",
    "events refused requests (429)",
    "events started once per row",
    "events memory growth",
    "multi-process contacts landed",
    "token mints, 3 task processes",
}


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


@pytest.fixture(scope="module")
def results(_emulator_control: EmulatorControl) -> dict[str, Any]:
    """One small run of every measurement, in this process, against the session emulator."""
    _emulator_control.reset()
    try:
        return run.run_all(_emulator_control, run.SMALL, worker=run.in_process, log=lambda _: None)
    finally:
        _emulator_control.reset()


def test_machine_and_settings(results: dict[str, Any]) -> None:
    machine = results["machine"]
    assert machine["cpu"]
    assert machine["logical_cores"] >= 1
    assert machine["python"].count(".") == 2
    assert {"apache-airflow", "pysendpulse"} <= set(machine["versions"])
    assert results["mode"] == "small"
    assert results["failed"] == []
    assert results["settings"]["rate_limit"] == run.SMALL.rate_limit
    assert _number(results["duration_s"])
    json.dumps(results)  # JSON-able as a whole


def test_import_figures(results: dict[str, Any]) -> None:
    imp = results["import"]
    assert imp["ceiling_contacts_per_s"] == run.SMALL.rate_limit * run.SMALL.batch_size
    keys = ("requests", "wall_s", "contacts_per_s", "fraction_of_ceiling", "rate_limited", "token_mints")
    seen = {(s["client"], s["rows"]) for s in imp["summary"]}
    expected = {(c, r) for c in ("operator", "pysendpulse") for r in run.SMALL.import_rows}
    assert seen == expected | {("hook", r) for r in run.SMALL.hook_rows}
    for summary in imp["summary"]:
        for key in (*keys, "in_list", "landed_fraction", "rss_peak_mib", "job_memory_mib"):
            assert _number(summary[key]), (summary["client"], key)
        assert summary["token_mints"] == 1
        assert summary["requests"] >= summary["rows"] / run.SMALL.batch_size
        assert 0 <= summary["landed_fraction"] <= 1
    provider = [s for s in imp["summary"] if s["client"] in ("operator", "hook")]
    assert all(s["in_list"] == s["rows"] for s in provider)
    assert _number(imp["operator_memory_growth_mib"])
    charted = [r for r in imp["runs"] if r.get("series")]
    assert {r["client"] for r in charted} == {"operator", "hook", "pysendpulse"}
    for r in charted:
        times = [t for t, _ in r["series"]]
        assert times == sorted(times)
        assert r["series"][-1][1] == r["in_list"]


def test_idle_poll_figures(results: dict[str, Any]) -> None:
    sizes = results["idle_poll"]["sizes"]
    assert [row["contacts"] for row in sizes] == list(run.SMALL.poll_sizes)
    for row in sizes:
        assert row["idle_poll_requests"] >= 1
        # The naive poll reads every page (100 contacts each) and finds nothing new.
        assert row["naive_idle_poll_requests"] >= row["contacts"] / 100
        assert row["naive_new"] == 0
        assert _number(row["naive_poll_s_at_rate_limit"])


def test_crm_poll_figures(results: dict[str, Any]) -> None:
    crm = results["crm_poll"]
    deal_rows = {(r["event_type"], r["records"]) for r in crm["deals"]}
    deal_types = {"deal_created", "deal_updated", "deal_stage_changed", "deal_won", "deal_lost"}
    assert deal_rows == {(t, n) for t in deal_types for n in run.SMALL.crm_sizes}
    for row in crm["deals"] + crm["contacts"]:
        for key in ("idle_requests", "changed_requests", "changed_events", "idle_s", "changed_s"):
            assert _number(row[key]), (row["event_type"], key)
        assert row["idle_requests"] >= 1
        assert row["changed_events"] >= 1 or row["event_type"] == "deal_lost"
    contact_types = {r["event_type"] for r in crm["contacts"]}
    assert contact_types == {"crm_contact_created", "crm_contact_updated"}


def test_fleet_figures(results: dict[str, Any]) -> None:
    fleet = results["fleet"]
    assert set(fleet) == {"unthrottled", "account_limit"}
    for phase in fleet.values():
        assert phase["triggers"] == run.SMALL.fleet_triggers
        for key in (
            "memory_per_trigger_kib",
            "longest_loop_stall_ms",
            "token_mints",
            "peak_requests_per_s",
            "api_requests",
            "rate_limited",
        ):
            assert _number(phase[key]), key
        assert phase["api_requests"] > 0
    assert fleet["account_limit"]["emulator_limit_rps"] == run.SMALL.rate_limit


def test_hook_overhead_figures(results: dict[str, Any]) -> None:
    hook = results["hook_overhead"]
    assert hook["hook_ms"] > 0
    assert hook["bare_session_ms"] > 0
    assert hook["ratio"] == pytest.approx(hook["hook_ms"] / hook["bare_session_ms"], rel=0.01)
    assert _number(hook["client_cost_without_network_us"])


def test_every_target_is_judged(results: dict[str, Any]) -> None:
    targets = results["targets"]
    shared = {"shared limiter: no refusals"} if shutil.which("redis-server") else set()
    assert {t["name"] for t in targets} == TARGETS | shared, sorted(t["name"] for t in targets)
    for target in targets:
        assert isinstance(target["met"], bool)
        assert target["target"]
        assert target["measured"]


def test_report_files(results: dict[str, Any], tmp_path: Path) -> None:
    written = report.write_report(results, tmp_path)
    assert json.loads((tmp_path / "latest.json").read_text()) == results
    markdown = (tmp_path / "latest.md").read_text()
    for heading in ("## Targets", "## 1. Bulk import", "## 2. Idle poll", "## 3. Trigger fleet"):
        assert heading in markdown
    assert "## 4. Hook overhead" in markdown
    assert "## Chatbot poll (`chatbot_incoming_message`)" in markdown
    assert "## 6. Several processes on one account" in markdown
    assert results["machine"]["cpu"] in markdown
    rows = [line for line in markdown.splitlines() if line.startswith("| ")]
    assert all(line.count("|") == rows[0].count("|") for line in rows[:2])
    pytest.importorskip("matplotlib")
    chart = tmp_path / "import_throughput.png"
    assert chart in written
    assert chart.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_peak_window_slides() -> None:
    assert run.peak_window([]) == 0
    # Three requests within one second, though they straddle a calendar second.
    assert run.peak_window([10.6, 10.9, 11.2, 12.5]) == 3
    assert run.peak_window([0.0, 1.0, 2.0]) == 1


def test_evaluate_reports_misses() -> None:
    results = {
        "hook_overhead": {"ratio": 1.3},
        "idle_poll": {"sizes": [{"idle_poll_requests": 2}, {"idle_poll_requests": 3}]},
    }
    judged = {t["name"]: t["met"] for t in run.evaluate(results)}
    assert judged == {"hook overhead": False, "idle poll requests": False}


def test_a_failing_measurement_is_reported(emulator: EmulatorControl, tmp_path: Path) -> None:
    def broken(name: str, params: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError(f"{name} worker down")

    results = run.run_all(
        emulator, run.SMALL, only=("fleet", "hook_overhead"), worker=broken, log=lambda _: None
    )
    assert results["failed"] == ["fleet"]
    assert results["fleet"] == {"error": "RuntimeError: fleet worker down"}
    assert [t["name"] for t in results["targets"]] == ["hook overhead"]
    report.write_report(results, tmp_path)
    assert "**fleet failed**" in (tmp_path / "latest.md").read_text()


def test_official_client_failures_are_recognised() -> None:
    pysendpulse_import = run.load_sibling("pysendpulse_import")

    assert pysendpulse_import.failed({"data": {"is_error": True, "http_code": 429}})
    assert pysendpulse_import.failed({"is_error": True})
    assert not pysendpulse_import.failed({"result": True})


def test_command_line(tmp_path: Path) -> None:
    """``run.py`` writes the results files (two quick measurements, its own emulator process)."""
    script = run.BENCH_DIR / "run.py"
    command = [sys.executable, str(script), "--small", "--in-process", "--out", str(tmp_path)]
    done = subprocess.run(
        [*command, "--only", "idle_poll,hook_overhead"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    saved = json.loads((tmp_path / "latest.json").read_text())
    assert saved["command"] == "python benchmarks/run.py --small --only idle_poll,hook_overhead"
    assert {t["name"] for t in saved["targets"]} == {"idle poll requests", "hook overhead"}
    assert (tmp_path / "latest.md").read_text().startswith("# Benchmark results")


def test_sections_run_apart_merge_into_one_report(results: dict[str, Any], tmp_path: Path) -> None:
    base = {k: results[k] for k in ("mode", "started_at", "machine", "settings", "duration_s")}
    first = {
        **base,
        "command": "python benchmarks/run.py --only fleet",
        "failed": [],
        "fleet": results["fleet"],
    }
    second = {
        **base,
        "command": "python benchmarks/run.py --only hook_overhead",
        "failed": [],
        "hook_overhead": results["hook_overhead"],
    }
    merged = run.merge([first, second])
    assert merged["fleet"] == results["fleet"]
    assert merged["hook_overhead"] == results["hook_overhead"]
    assert "import" not in merged
    assert merged["command"] == f"{first['command']} ; {second['command']}"
    names = {t["name"] for t in merged["targets"]}
    assert "hook overhead" in names
    assert "fleet token mints" in names
    assert "import throughput" not in names
    paths = [tmp_path / "a.json", tmp_path / "b.json"]
    for path, document in zip(paths, (first, second), strict=True):
        path.write_text(json.dumps(document))
    run.main(["--merge", *map(str, paths), "--out", str(tmp_path / "out")])
    assert json.loads((tmp_path / "out" / "latest.json").read_text())["targets"] == merged["targets"]


def test_events_runs_measured_apart_add_up(results: dict[str, Any]) -> None:
    events = results["events"]
    small, large = ({**events, "runs": [run_]} for run_ in events["runs"])
    combined = run.merge(
        [
            {
                "command": "a",
                "mode": "custom",
                "started_at": "1",
                "machine": {},
                "settings": {},
                "failed": [],
                "duration_s": 1.0,
                "events": large,
            },
            {
                "command": "b",
                "mode": "custom",
                "started_at": "2",
                "machine": {},
                "settings": {},
                "failed": [],
                "duration_s": 2.0,
                "events": small,
            },
        ]
    )["events"]
    assert combined["runs"] == events["runs"]  # ordered by rows, whichever run came first
    assert combined["memory_growth_mib"] == events["memory_growth_mib"]


def test_multi_process_figures(results: dict[str, Any]) -> None:
    multi = results["multi_process"]
    assert "error" not in multi, multi
    counts = {(r["mode"], r["processes"]) for r in multi["summary"]}
    assert {("host", 2), ("adaptive", 2)} <= counts
    for run_ in multi["runs"]:
        assert run_["landed"] == run_["contacts"]
        assert 0 < run_["fraction_of_ceiling"] <= 1.2
    mints = multi["mints"]
    assert mints["process"]["token_mints"] == mints["tasks"]
    assert mints["host_cache"]["token_mints"] == 1
