"""The kratom and melatonin side-effect checklist: a symptom report, validated but never totalled."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from morrow.instruments.common import require_object
from morrow.instruments.describe import listed, shown
from morrow.instruments.errors import InstrumentError
from morrow.instruments.loader import load_checklist
from morrow.instruments.model import SymptomChecklist


@lru_cache(maxsize=1)
def symptom_checklist() -> SymptomChecklist:
    return load_checklist()


def symptom_codes() -> list[str]:
    return [s.code for s in symptom_checklist().symptoms]


def validate_symptom_report(answers: Mapping[str, Any]) -> dict[str, int]:
    """The reported symptoms in checklist order, each 0 none .. 3 severe; unreported codes are left out."""
    answers = require_object(answers)
    checklist = symptom_checklist()
    levels = [level.value for level in checklist.levels]
    order = {s.code: i for i, s in enumerate(checklist.symptoms)}
    for code, value in answers.items():
        if code not in order:
            raise InstrumentError(
                "unknown_symptom", f"unknown symptom {shown(code)} (known: {', '.join(order)})", item=str(code)
            )
        if type(value) is not int or value not in levels:
            raise InstrumentError(
                "illegal_value",
                f"symptom '{code}': {shown(value)} is not a legal value (allowed: {listed(levels)})",
                item=code,
            )
    return {code: answers[code] for code in sorted(answers, key=order.__getitem__)}
