"""Single-number instruments: the craving VAS (scored as itself) and the COWS pulse helper (bpm -> points)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from morrow.instruments.common import reject_unknown_fields, require_object
from morrow.instruments.describe import shown
from morrow.instruments.errors import InstrumentError
from morrow.instruments.fields import number_text
from morrow.instruments.model import ValueDefinition
from morrow.instruments.rounding import half_up_2


class ValueScorer:
    def __init__(self, definition: ValueDefinition) -> None:
        d = definition
        self.definition = d
        self._head: dict[str, Any] = {"instrument": d.id, "version": d.version}
        self._field = d.field
        self._fields = frozenset({d.field})
        self._points = tuple((m.max, m.points) for m in d.points)
        self._range = f"{number_text(d.min)} to {number_text(d.max)}"
        self._kind = "a whole number" if d.integer else "a number"

    def score(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        d = self.definition
        payload = require_object(payload)
        reject_unknown_fields(payload, self._fields)
        value = payload.get(self._field)
        if value is None:
            raise InstrumentError("missing_field", f"'{self._field}' is required", item=self._field)
        legal_type = type(value) is int or (not d.integer and type(value) is float and math.isfinite(value))
        if not legal_type:
            raise InstrumentError(
                "wrong_type", f"'{self._field}': {shown(value)} is not {self._kind}", item=self._field
            )
        if not d.min <= value <= d.max:
            raise InstrumentError(
                "out_of_range",
                f"'{self._field}': {shown(value)} is not allowed ({self._kind} from {self._range})",
                item=self._field,
            )
        result = dict(self._head)
        if self._points:
            # An item helper yields points for another instrument, not a score of its own: no band.
            result[d.output] = next(points for high, points in self._points if value <= high)
            return result
        result[d.output] = value if type(value) is int else half_up_2(value)
        result["band"] = None
        return result
