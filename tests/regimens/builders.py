"""Small builders so each test states only what it is about."""

from __future__ import annotations

from datetime import date
from typing import Any

from morrow.regimens import TaperRequest

START = date(2027, 1, 4)


def taper_request(**changes: Any) -> TaperRequest:
    """The worked oxycodone example (40 mg, 10 % of current, 14 days, 5 mg steps), with `changes`."""
    fields: dict[str, Any] = {
        "substance": "oxycodone",
        "current_daily_dose": 40,
        "unit": "mg",
        "method": "percent_of_current",
        "percent": 10,
        "interval_days": 14,
        "min_step": 5,
        "start": START,
    }
    fields.update(changes)
    return TaperRequest(**fields)
