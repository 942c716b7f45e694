"""What importing a provider module costs a DAG file: time beyond Airflow's own imports, in fresh processes.

    python benchmarks/import_cost.py            # markdown table; median of 5 fresh processes per module
    python benchmarks/import_cost.py 5 --cold   # the same, compiling the provider's sources on every import

Airflow's dag-processor parses each DAG file in a fresh child process, so a module's import cost is paid
on every parse of every DAG file that uses it. Each module is timed in its own fresh interpreter after a
baseline import, twice: after ``from airflow.sdk import DAG`` (what any DAG file imports), and after the
Airflow base classes the provider subclasses (``BaseOperator``, ``BaseSensorOperator``,
``airflow.triggers.base``), which Airflow's own providers pay too. CPU time (``process_time``) is reported
next to wall time: it is what a busy dag-processor pays, and it is steadier on a shared machine. Airflow's
HTTP provider modules, if installed, are measured the same way for comparison.

Bytecode: an installed wheel carries compiled ``.pyc`` files (pip compiles at install), and so does
Airflow here, but an editable checkout run with ``PYTHONDONTWRITEBYTECODE=1`` recompiles the provider's
sources in every process, which no dag-processor in production pays. So the probes read the provider's
bytecode from a cache in a temporary ``PYTHONPYCACHEPREFIX``, filled by one discarded import of each
module first. ``--cold`` measures the compiling case instead (a worst case for a checkout).
"""

from __future__ import annotations

import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from typing import Any

DAG_FILE = "from airflow.sdk import DAG"
BASE_CLASSES = (
    DAG_FILE + "\nfrom airflow.sdk import BaseOperator, BaseSensorOperator\nimport airflow.triggers.base"
)
HEAVY = ("requests", "urllib3", "oauthlib", "requests_oauthlib", "fastapi", "uvicorn", "charset_normalizer")
HTTP_PROVIDER = (
    "airflow.providers.http.operators.http",
    "airflow.providers.http.sensors.http",
    "airflow.providers.http.triggers.http",
)
LIMIT_MS = 15.0
"""The most a provider module may add to a DAG file's parse."""

_PROBE = """
import json, sys, time
{baseline}
wall, cpu = time.perf_counter(), time.process_time()
import {module}
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
heavy = sorted({{m.split('.')[0] for m in sys.modules}} & set({heavy!r}))
print(json.dumps({{"wall_ms": wall * 1000, "cpu_ms": cpu * 1000, "heavy": heavy}}))
"""


def provider_modules() -> list[str]:
    """Every operator, sensor and trigger module the provider declares, and the operators package."""
    from airflow_provider_sendpulse import get_provider_info

    info = get_provider_info()
    kinds = ("operators", "sensors", "triggers")
    modules = [module for kind in kinds for entry in info[kind] for module in entry["python-modules"]]
    return ["airflow_provider_sendpulse.operators", *modules]


def probe_env(pycache: str | None) -> dict[str, str]:
    """The probes' environment: bytecode read from and written to ``pycache``, or (None) never written."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")}
    if pycache is None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        env["PYTHONPYCACHEPREFIX"] = pycache
    return env


def probe(module: str, baseline: str, env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """One fresh interpreter: import ``baseline``, then time importing ``module``."""
    code = _PROBE.format(baseline=baseline, module=module, heavy=HEAVY)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"importing {module} failed:\n{done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def measure(module: str, runs: int = 5, env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Median import cost of ``module`` over ``runs`` fresh processes per baseline."""
    row: dict[str, Any] = {"module": module}
    probe(module, DAG_FILE, env)  # fills the bytecode cache, if there is one
    for name, baseline in (("after_dag", DAG_FILE), ("after_bases", BASE_CLASSES)):
        samples = [probe(module, baseline, env) for _ in range(runs)]
        row[f"{name}_wall_ms"] = round(statistics.median(s["wall_ms"] for s in samples), 1)
        row[f"{name}_cpu_ms"] = round(statistics.median(s["cpu_ms"] for s in samples), 1)
        row["heavy"] = sorted({h for s in samples for h in s["heavy"]})
    return row


def bench(runs: int = 5, log: Callable[[str], None] = print, *, cold: bool = False) -> dict[str, Any]:
    """Import cost of every provider module, and of the HTTP provider's modules when installed.

    Bytecode is cached as an installed wheel has it, unless ``cold`` (sources compiled in every process).
    """
    with tempfile.TemporaryDirectory(prefix="import-cost-pycache-") as pycache:
        env = probe_env(None if cold else pycache)
        rows = []
        for module in provider_modules():
            rows.append(measure(module, runs, env))
            log(
                f"import cost {module}: {rows[-1]['after_bases_cpu_ms']} ms CPU beyond Airflow's base classes"
            )
        http = [m for m in HTTP_PROVIDER if _installed(m)]
        http_rows = [measure(m, runs, env) for m in http]
    bytecode = "compiled in every process" if cold else "cached"
    return {
        "runs": runs,
        "limit_ms": LIMIT_MS,
        "bytecode": bytecode,
        "modules": rows,
        "http_provider": http_rows,
    }


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def markdown(result: dict[str, Any]) -> list[str]:
    """Table lines of a :func:`bench` result."""
    header = [
        "Module",
        "Beyond `airflow.sdk` DAG (ms CPU / wall)",
        "Beyond Airflow base classes (ms CPU / wall)",
        "HTTP/web libraries loaded",
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in [*result["modules"], *result["http_provider"]]:
        heavy = ", ".join(row["heavy"]) or "none"
        lines.append(
            f"| `{row['module']}` | {row['after_dag_cpu_ms']} / {row['after_dag_wall_ms']} "
            f"| {row['after_bases_cpu_ms']} / {row['after_bases_wall_ms']} | {heavy} |"
        )
    if not result["http_provider"]:
        lines += ["", "Airflow's HTTP provider is not installed here, so it has no rows."]
    if "bytecode" in result:
        lines += ["", f"Bytecode of the measured modules: {result['bytecode']}."]
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    """Print the table: ``[runs] [--cold]``."""
    args = list(argv or [])
    cold = "--cold" in args
    numbers = [a for a in args if a != "--cold"]
    runs = int(numbers[0]) if numbers else 5
    print("\n".join(markdown(bench(runs, log=lambda _: None, cold=cold))))


if __name__ == "__main__":
    main(sys.argv[1:])
