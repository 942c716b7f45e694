"""Import rules between the packages: operators never import sensors, and no package reaches into
another package's private module."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "airflow_provider_sendpulse"
ROOT = "airflow_provider_sendpulse"


def imports(path: Path) -> list[str]:
    """Every module ``path`` imports from this package (absolute names)."""
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            names.extend(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
    return [name for name in names if name.startswith(f"{ROOT}.")]


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "emulator" not in p.relative_to(PACKAGE).parts)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_package_imports_another_packages_private_module(path: Path) -> None:
    own = path.relative_to(PACKAGE).parts[0]
    for name in imports(path):
        parts = name.split(".")
        private = [part for part in parts[1:] if part.startswith("_") and not part.startswith("__")]
        assert not private or parts[1] == own, f"{path.name} imports {name}"


def test_operators_never_import_sensors() -> None:
    for path in (PACKAGE / "operators").glob("*.py"):
        assert not [n for n in imports(path) if n.startswith(f"{ROOT}.sensors")], path.name
