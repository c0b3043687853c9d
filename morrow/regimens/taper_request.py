"""The `morrow taper plan` input: read a JSON object into a typed request, refusing by field.

Only the shape is checked here (types, required fields); `plan_taper` checks the values against the
catalog, so that Python callers building a `TaperRequest` directly meet the same refusals.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from morrow.regimens.errors import RegimenError

__all__ = ["METHODS", "Method", "TaperRequest", "parse_taper_request"]

Method = Literal["percent_of_current", "percent_of_original", "linear"]
METHODS: tuple[Method, ...] = ("percent_of_current", "percent_of_original", "linear")
_REQUIRED = ("substance", "current_daily_dose", "unit", "method", "interval_days", "start")
_OPTIONAL = ("form", "percent", "step", "min_step", "floor")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class TaperRequest:
    """What the clinician asked for. `min_step` None means: the named form's catalog `min_step`."""

    substance: str
    current_daily_dose: float
    unit: str
    method: Method
    interval_days: int
    start: date
    percent: float | None = None
    step: float | None = None
    min_step: float | None = None
    floor: float = 0.0
    form: str | None = None


def parse_taper_request(payload: Mapping[str, Any]) -> TaperRequest:
    unknown = sorted(set(payload) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise RegimenError("unknown_field", f"{unknown[0]!r} is not a taper plan field", field=unknown[0])
    for name in _REQUIRED:
        if payload.get(name) is None:
            raise RegimenError("missing_field", f"{name} is required", field=name)
    method = _text(payload, "method")
    if method not in METHODS:
        raise RegimenError("invalid_value", f"method must be one of {', '.join(METHODS)}", field="method")
    form = payload.get("form")
    return TaperRequest(
        substance=_text(payload, "substance"),
        form=None if form is None else _text(payload, "form"),
        current_daily_dose=_number(payload, "current_daily_dose"),
        unit=_text(payload, "unit"),
        method=method,
        percent=_optional_number(payload, "percent"),
        step=_optional_number(payload, "step"),
        interval_days=_whole(payload, "interval_days"),
        min_step=_optional_number(payload, "min_step"),
        start=_date(payload, "start"),
        floor=_optional_number(payload, "floor") or 0.0,
    )


def _text(payload: Mapping[str, Any], name: str) -> str:
    value = payload[name]
    if not isinstance(value, str) or not value.strip():
        raise RegimenError("invalid_value", f"{name} must be a non-empty string", field=name)
    return value.strip()


def _number(payload: Mapping[str, Any], name: str) -> float:
    value = payload[name]
    if isinstance(value, bool) or not isinstance(value, int | float) or not _finite(value):
        raise RegimenError("invalid_value", f"{name} must be a number", field=name)
    return value


def _finite(value: float) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:  # an int too large for a float
        return False


def _optional_number(payload: Mapping[str, Any], name: str) -> float | None:
    return None if payload.get(name) is None else _number(payload, name)


def _whole(payload: Mapping[str, Any], name: str) -> int:
    value = _number(payload, name)
    if value != int(value):
        raise RegimenError("invalid_value", f"{name} must be a whole number of days", field=name)
    return int(value)


def _date(payload: Mapping[str, Any], name: str) -> date:
    value = payload[name]
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise RegimenError("invalid_value", f"{name} must be a date written YYYY-MM-DD", field=name)
