"""The safety engine: pure, deterministic rules over one situation (doses, check-ins, symptoms, regimen).

`parse_situation(raw)` validates a `morrow check` situation against the catalog and the instruments
(`situation_of` and the `make_*` constructors do the same for a stored record's typed values);
`evaluate(situation, now)` returns the findings. Knowledge lives in data (`morrow/data/interactions.json`,
`morrow/data/safety/*.json`). Imports nothing from the database, web, services or settings.
"""

from __future__ import annotations

from morrow.safety.engine import evaluate
from morrow.safety.errors import SituationError
from morrow.safety.findings import CATEGORIES, SEVERITIES, Finding
from morrow.safety.knowledge import rule_book
from morrow.safety.parse import (
    active_window_hours,
    make_checkin,
    make_dose,
    make_doses,
    make_patient,
    make_regimen_item,
    make_symptom,
    parse_situation,
    situation_of,
)
from morrow.safety.redflags import INSTRUMENTS_READ
from morrow.safety.rules import rule_ids
from morrow.safety.situation import Situation

__all__ = [
    "CATEGORIES",
    "INSTRUMENTS_READ",
    "SEVERITIES",
    "Finding",
    "Situation",
    "SituationError",
    "active_window_hours",
    "evaluate",
    "make_checkin",
    "make_dose",
    "make_doses",
    "make_patient",
    "make_regimen_item",
    "make_symptom",
    "parse_situation",
    "rule_book",
    "rule_ids",
    "situation_of",
]
