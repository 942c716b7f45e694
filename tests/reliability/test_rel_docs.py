"""docs/reliability.md is what the matrix, the catalogue and the last chaos run say."""

from __future__ import annotations

import re

from rel_docs import CHAOS_BEGIN, DOC, current_chaos, render


def test_reliability_page_is_current() -> None:
    text = DOC.read_text()
    assert text == render(current_chaos(text)), (
        "docs/reliability.md is stale: run `python -m tests.reliability.report`"
    )


def test_chaos_figures_are_published_and_equal() -> None:
    chaos = current_chaos(DOC.read_text())
    assert chaos.startswith(CHAOS_BEGIN)
    rows = re.findall(r"^\| ([\d,]+) \| \d+ \|.*\| (yes|\*\*no\*\*) \|$", chaos, re.MULTILINE)
    assert rows, "no chaos figures: run `python -m tests.reliability.report --chaos`"
    assert all(equal == "yes" for _, equal in rows)
    assert any(int(contacts.replace(",", "")) >= 100_000 for contacts, _ in rows)
