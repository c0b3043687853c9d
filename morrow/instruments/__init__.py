"""The questionnaire engine: data-driven, pure scoring of clinical instruments (INSTRUMENTS.md).

Each instrument version is a validated JSON file in `morrow/data/instruments`; one generic scorer reads
them, and only arithmetic that cannot be data (sleep diary, PSQI components) is code. Imports nothing
from the database, web, services or settings.
"""

from __future__ import annotations

from morrow.instruments.errors import InstrumentError
from morrow.instruments.registry import get_instrument, instrument_ids, score
from morrow.instruments.sleep_diary import night_of
from morrow.instruments.symptoms import symptom_checklist, symptom_codes, validate_symptom_report

__all__ = [
    "InstrumentError",
    "get_instrument",
    "instrument_ids",
    "night_of",
    "score",
    "symptom_checklist",
    "symptom_codes",
    "validate_symptom_report",
]
