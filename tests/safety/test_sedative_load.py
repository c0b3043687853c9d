"""Sedative load: three or more sedating agents active together give one warning listing all of them."""

from __future__ import annotations

from typing import Any

import pytest

from tests.safety.conftest import at, dose, findings, only, situation


def _load(doses: list[dict[str, Any]]) -> list[tuple[str, ...]]:
    return [f.substances for f in findings(situation(doses)) if f.rule_id == "INT-SEDATIVE-LOAD"]


def test_it_lists_every_active_sedating_agent() -> None:
    doses = [dose("kratom", 3, "g", at(3)), dose("melatonin", 3, "mg", at(1)), dose("gabapentin", 300, "mg", at(2)),
             dose("alcohol", 1, "standard_drink", at(0.5)), dose("sertraline", 50, "mg", at(2))]  # fmt: skip
    finding = only(situation(doses), "INT-SEDATIVE-LOAD")
    assert (finding.severity, finding.category) == ("warning", "interaction")
    assert finding.substances == ("alcohol", "gabapentin", "kratom", "melatonin")
    assert "naloxone" in finding.patient_message
    assert "911" in finding.patient_message


@pytest.mark.parametrize(
    ("doses", "expected"),
    [
        ([dose("kratom", 3, "g", at(3)), dose("melatonin", 3, "mg", at(1))], []),
        ([dose("kratom", 3, "g", at(3)), dose("melatonin", 3, "mg", at(1)), dose("zolpidem", 5, "mg", at(1))],
         [("kratom", "melatonin", "zolpidem")]),
        # melatonin's window (8.4 h) closed before the zolpidem dose: never three at once
        ([dose("kratom", 3, "g", at(12)), dose("melatonin", 3, "mg", at(10)), dose("zolpidem", 5, "mg", at(1))], []),
        # three at once earlier in the look-back still counts (the overlap, not only `now`)
        ([dose("kratom", 3, "g", at(12)), dose("melatonin", 3, "mg", at(10)), dose("zolpidem", 5, "mg", at(9))],
         [("kratom", "melatonin", "zolpidem")]),
        # a leaf dose and a 7-OH concentrate are one agent: kratom
        ([dose("kratom", 3, "g", at(3)), dose("kratom", 10, "mg", at(2), form="7oh_concentrate"),
          dose("melatonin", 3, "mg", at(1))], []),
    ],
)  # fmt: skip
def test_it_counts_distinct_agents_active_together(
    doses: list[dict[str, Any]], expected: list[tuple[str, ...]]
) -> None:
    assert _load(doses) == expected
