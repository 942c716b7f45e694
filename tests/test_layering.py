"""Import rules between the packages (operators never import sensors, no package reaches into
another package's private module), and operators stay thin."""

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


def module_name(path: Path) -> str:
    parts = [ROOT, *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_package_imports_another_packages_private_module(path: Path) -> None:
    """A private name (``_x``) is for the package that holds it and the packages inside that one."""
    importer = module_name(path)
    for name in imports(path):
        parts = name.split(".")
        first = next((i for i, p in enumerate(parts) if p.startswith("_") and not p.startswith("__")), None)
        if first is not None:
            owner = ".".join(parts[:first])
            assert importer == owner or importer.startswith(f"{owner}."), f"{importer} imports {name}"


def test_operators_never_import_sensors() -> None:
    for path in (PACKAGE / "operators").glob("*.py"):
        assert not [n for n in imports(path) if n.startswith(f"{ROOT}.sensors")], path.name


MAX_EXECUTE_LINES = 40


def test_operators_stay_thin() -> None:
    """No operator's ``execute()`` is longer than 40 lines: composite work belongs in the hook."""
    long = []
    for path in sorted((PACKAGE / "operators").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and node.name == "execute":
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_EXECUTE_LINES:
                    long.append(f"{path.name}:{node.lineno} ({lines} lines)")
    assert not long, long
