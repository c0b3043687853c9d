"""Named answers of form-shaped instruments (sleep diary, PSQI), read and checked against their specs."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

from morrow.instruments.common import reject_unknown_fields, require_object
from morrow.instruments.describe import shown
from morrow.instruments.errors import InstrumentError
from morrow.instruments.model import InputField

_CLOCK = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")


def number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


class FieldReader:
    def __init__(self, specs: Sequence[InputField]) -> None:
        self._specs = tuple(specs)
        self._allowed = frozenset(spec.id for spec in specs)

    def read(self, payload: object) -> dict[str, Any]:
        """The present answers by id: clock times as minutes after midnight, absent optionals left out."""
        answers = require_object(payload)
        reject_unknown_fields(answers, self._allowed)
        values: dict[str, Any] = {}
        for spec in self._specs:
            value = answers.get(spec.id)
            if value is None:
                if spec.required:
                    raise InstrumentError("missing_field", f"'{spec.id}' ({spec.label}) is required", item=spec.id)
                continue
            values[spec.id] = _read_one(spec, value)
        return values


def _read_one(spec: InputField, value: object) -> Any:
    if spec.type == "clock":
        return clock_minutes(spec.id, value)
    if spec.type == "text":
        if not isinstance(value, str) or (spec.max is not None and len(value) > spec.max):
            raise InstrumentError(
                "wrong_type", f"'{spec.id}' must be text of at most {spec.max} characters", item=spec.id
            )
        return value
    if spec.type == "hours":
        if not _is_real(value):
            raise InstrumentError("wrong_type", f"'{spec.id}': {shown(value)} is not a number of hours", item=spec.id)
    elif type(value) is not int:
        raise InstrumentError("wrong_type", f"'{spec.id}': {shown(value)} is not a whole number", item=spec.id)
    assert isinstance(value, int | float)
    if (spec.min is not None and value < spec.min) or (spec.max is not None and value > spec.max):
        raise InstrumentError("out_of_range", f"'{spec.id}': {shown(value)} is {_bounds(spec)}", item=spec.id)
    return value


def _is_real(value: object) -> bool:
    return type(value) is int or (type(value) is float and math.isfinite(value))


def clock_minutes(field: str, value: object) -> int:
    match = _CLOCK.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise InstrumentError(
            "invalid_time", f"'{field}': {shown(value)} is not a 24-hour clock time (HH:MM)", item=field
        )
    return int(match[1]) * 60 + int(match[2])


def _bounds(spec: InputField) -> str:
    if spec.min is not None and spec.max is not None:
        return f"outside {number_text(spec.min)}-{number_text(spec.max)}"
    if spec.min is not None:
        return f"below {number_text(spec.min)}"
    return f"above {number_text(spec.max or 0)}"
