"""No instrument goes undocumented: docs/instruments.md has one section per instrument id."""

from __future__ import annotations

import re
from pathlib import Path

from morrow.instruments import instrument_ids

DOC = Path(__file__).resolve().parents[2] / "docs" / "instruments.md"


def test_it_documents_every_instrument_in_its_own_section() -> None:
    headings = re.findall(r"^## `([a-z0-9-]+)`", DOC.read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert sorted(headings) == sorted([*instrument_ids(), "side-effects"])
