"""docs/operators.md is generated from the code: it must list every operator and sensor and be current."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "operator_reference.py"
sys.path.insert(0, str(SCRIPT.parent))

import operator_reference  # noqa: E402

from airflow_provider_sendpulse import operators  # noqa: E402


def test_the_committed_page_is_current() -> None:
    done = subprocess.run([sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_every_operator_and_sensor_is_on_the_page() -> None:
    listed = {cls.__name__ for cls in operator_reference.public_classes()}
    exported = {name for name in operators.__all__ if name.endswith("Operator")}
    assert exported <= listed
    assert {"SendPulseEventSensor", "SendPulseCampaignSensor"} <= listed


def test_templated_fields_and_returns_are_shown() -> None:
    page = operator_reference.render()
    assert "| `poll_interval` | yes |" in page
    assert "| `body_html` | yes |" in page
    assert '**Returns** ``{"list_id", "rows", "distinct", "duplicates"' in page
    summary, params, returns = operator_reference.parse_docstring(
        """Do a thing.

        :param a: first line
            continued.
        :return: the result.
        """
    )
    assert (summary, params, returns) == ("Do a thing.", {"a": "first line continued."}, "the result.")
