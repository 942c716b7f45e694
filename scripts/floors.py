"""Print the declared dependency floors as pins (``name==version``), one a line, for a constraints file.

    python scripts/floors.py > floors.txt && pip install -c floors.txt -e ".[test]"
    python scripts/floors.py --check     # fails unless exactly those versions are installed

Installs the lowest version of every runtime dependency this package claims to support, so that the
unit tests prove the floors in ``pyproject.toml`` are true.
"""

from __future__ import annotations

import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
FLOOR = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*>=\s*([0-9][^,;\s]*)\s*(?:,[^;]*)?$")


def floors(pyproject: Path = PYPROJECT) -> list[str]:
    """``name==floor`` for every runtime dependency of ``pyproject``; raises if one has no ``>=`` floor."""
    dependencies = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    pins = []
    for requirement in dependencies:
        match = FLOOR.match(requirement)
        if match is None:
            raise ValueError(f"dependency {requirement!r} declares no '>=' floor")
        pins.append(f"{match.group(1)}=={match.group(2)}")
    return pins


def mismatches(pins: list[str]) -> list[str]:
    """The pins whose distribution is missing or installed at another version."""
    problems = []
    for pin in pins:
        name, version = pin.split("==")
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = "not installed"
        if installed != version:
            problems.append(f"{name}: floor {version}, installed {installed}")
    return problems


if __name__ == "__main__":
    if sys.argv[1:] == ["--check"]:
        problems = mismatches(floors())
        print("\n".join(problems) or "every dependency is installed at its declared floor")
        sys.exit(1 if problems else 0)
    sys.stdout.write("".join(f"{pin}\n" for pin in floors()))
