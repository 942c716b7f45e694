"""Check built distributions: the license ships in sdist and wheel, and the sdist carries no tests.

    python -m build -o dist && python scripts/check_dist.py dist

``twine check --strict`` checks the rest of the metadata (the README renders on the package index).
"""

from __future__ import annotations

import sys
import tarfile
import zipfile
from email.parser import HeaderParser
from pathlib import Path

LICENSE_FILES = ("LICENSE", "NOTICE")


def check_wheel(wheel: Path) -> list[str]:
    """Problems with ``wheel``: license files missing from ``.dist-info/licenses`` or its metadata."""
    problems = []
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        metadata = HeaderParser().parsestr(archive.read(metadata_name).decode())
        for name in LICENSE_FILES:
            if not any(n.endswith(f".dist-info/licenses/{name}") for n in names):
                problems.append(f"{wheel.name}: no {name} in .dist-info/licenses")
            if name not in (metadata.get_all("License-File") or []):
                problems.append(f"{wheel.name}: metadata has no 'License-File: {name}'")
        if metadata.get("License-Expression") != "Apache-2.0":
            problems.append(f"{wheel.name}: License-Expression is {metadata.get('License-Expression')!r}")
        license_name = metadata_name.replace("METADATA", "licenses/LICENSE")
        if license_name in names and "Apache License" not in archive.read(license_name).decode():
            problems.append(f"{wheel.name}: LICENSE is not the Apache License text")
    return problems


def check_sdist(sdist: Path) -> list[str]:
    """Problems with ``sdist``: license files missing, or test files shipped."""
    with tarfile.open(sdist) as archive:
        names = [name.split("/", 1)[1] for name in archive.getnames() if "/" in name]
    problems = [f"{sdist.name}: no {name}" for name in LICENSE_FILES if name not in names]
    problems += [f"{sdist.name}: ships {name}" for name in names if name.startswith("tests/")]
    return problems


def main(dist: Path) -> int:
    """Check every wheel and sdist in ``dist``; print problems; 0 when there are none."""
    wheels, sdists = sorted(dist.glob("*.whl")), sorted(dist.glob("*.tar.gz"))
    if not wheels or not sdists:
        print(f"{dist}: expected a wheel and an sdist")
        return 1
    problems = [p for w in wheels for p in check_wheel(w)] + [p for s in sdists for p in check_sdist(s)]
    for problem in problems:
        print(problem)
    if not problems:
        print(f"{', '.join(p.name for p in [*wheels, *sdists])}: license shipped, no tests in the sdist")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "dist")))
