"""docs/regimens.md stays true: every ```python block is a doctest, and all of them pass."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "regimens.md"
BLOCKS = re.findall(r"^```python\n(.*?)^```", DOC.read_text(encoding="utf-8"), flags=re.MULTILINE | re.DOTALL)


def test_it_has_worked_examples_and_every_one_is_checked() -> None:
    assert len(BLOCKS) >= 5
    assert all(block.lstrip().startswith(">>> ") for block in BLOCKS)


def test_it_runs_every_example_in_the_page() -> None:
    result = doctest.testfile(str(DOC), module_relative=False, optionflags=doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.attempted >= 30
    assert result.failed == 0


def test_it_documents_each_part_of_the_engine() -> None:
    headings = re.findall(r"^## (.+)$", DOC.read_text(encoding="utf-8"), flags=re.MULTILINE)
    for part in ("Titration", "Tapering", "Holds", "Adherence", "sleep window"):
        assert any(part in heading for heading in headings), part
