"""Fixtures for running the example DAGs on a local Airflow against the emulator."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from airflow_stack import AIRFLOW, EXAMPLE_DAGS, airflow_env


@pytest.fixture(scope="session")
def migrated_airflow_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An Airflow home with a migrated SQLite metadata database, shared by the example-DAG tests."""
    home = tmp_path_factory.mktemp("airflow-home")
    env = airflow_env(home, EXAMPLE_DAGS)
    subprocess.run([AIRFLOW, "db", "migrate"], env=env, check=True, capture_output=True, timeout=300)
    return home
