"""The generic scorer: items validated against their legal values, then summed, averaged or looked up."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from morrow.instruments.banding import BandTable, CompiledFlag
from morrow.instruments.common import reject_unknown_fields, require_object
from morrow.instruments.describe import listed, shown
from morrow.instruments.errors import InstrumentError
from morrow.instruments.model import ScaleDefinition
from morrow.instruments.rounding import ceiling_int, half_up_2, half_up_int, ratio

_ABSENT = object()


class ScaleScorer:
    """One definition compiled to tuples and dicts; `score` does no Pydantic work."""

    def __init__(self, definition: ScaleDefinition) -> None:
        d = definition
        self.definition = d
        self._title = d.title
        self._head: dict[str, Any] = {"instrument": d.id, "version": d.version}
        self._key = d.items_key
        self._mapping_input = d.input == "mapping"
        self._ids = tuple(item.id for item in d.items)
        self._positions = {item_id: i for i, item_id in enumerate(self._ids)}
        self._n = len(self._ids)
        self._answer_type: type = bool if d.answer_type == "boolean" else int
        self._points = tuple(_points_of(d, i) for i in range(self._n))
        self._allowed = tuple(listed(p) for p in self._points)
        self._extra = {e.id: frozenset(e.values) for e in d.extra_fields}
        self._extra_text = {e.id: listed(e.values) for e in d.extra_fields}
        self._fields = frozenset({self._key, *self._extra})
        self._prorate = d.missing.rule == "prorate"
        self._max_missing = d.missing.max_missing
        self._ceiling = d.missing.rounding == "ceiling"
        self._method = d.scoring.method
        self._output = d.scoring.output
        self._lookup_output = d.scoring.lookup_output
        self._lookup = dict(d.scoring.lookup or {})
        self._bands = BandTable(d.bands)
        self._has_bands = bool(d.bands)
        self._flags = tuple(CompiledFlag(f) for f in d.flags)
        self._subscales = tuple((s.id, tuple(self._positions[i] for i in s.items)) for s in d.subscales)

    def score(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        payload = require_object(payload)
        reject_unknown_fields(payload, self._fields)
        answers = self._answers(payload.get(self._key, _ABSENT))
        scored: list[int | None] = []
        append = scored.append
        total = 0
        missing = 0
        answer_type = self._answer_type
        for index, value in enumerate(answers):
            if value is None:
                missing += 1
                append(None)
                continue
            points = self._points[index].get(value) if type(value) is answer_type else None
            if points is None:
                raise self._illegal(index, value)
            total += points
            append(points)
        result = dict(self._head)
        if missing:
            self._check_missing(scored, missing)
        value = self._summarise(result, total, missing)
        for flag in self._flags:
            source = value if flag.source == self._output else scored[self._positions[flag.source]]
            result[flag.id] = flag.evaluate(source)
        if self._prorate:
            result["prorated"] = missing > 0
        if self._subscales:
            result["subscales"] = {
                name: None if any(scored[i] is None for i in members) else sum(scored[i] or 0 for i in members)
                for name, members in self._subscales
            }
        self._record_extras(payload, result)
        return result

    def _summarise(self, result: dict[str, Any], total: int, missing: int) -> float:
        """Put the score (and band) into `result`; return the value flags on the score should read."""
        answered = self._n - missing
        output = self._output
        if self._method == "mean":
            mean = half_up_2(ratio(total, answered))
            result[output] = mean
            result["band"] = self._bands.label_for(mean) if self._has_bands else None
            return mean
        raw: int = total
        if missing:
            exact = ratio(total * self._n, answered)
            prorated = half_up_2(exact)
            raw = ceiling_int(exact) if self._ceiling else half_up_int(Decimal(repr(prorated)))
            result[output] = raw
            result[f"{output}_prorated"] = prorated
        else:
            result[output] = raw
        if self._method == "sum_lookup":
            looked_up = self._lookup[raw]
            result[self._lookup_output or "value"] = looked_up
            result["band"] = self._bands.label_for(looked_up) if self._has_bands else None
            return raw
        result["band"] = self._bands.label_for(raw) if self._has_bands else None
        return raw

    def _answers(self, raw: object) -> list[Any]:
        if raw is _ABSENT or raw is None:
            raise InstrumentError("missing_field", f"{shown(self._key)} is required", item=self._key)
        if self._mapping_input:
            return self._answers_from_mapping(raw)
        if not isinstance(raw, list | tuple):
            raise InstrumentError(
                "wrong_type", f"{shown(self._key)} must be a list of {self._n} answers", item=self._key
            )
        if len(raw) != self._n:
            raise InstrumentError(
                "wrong_item_count", f"{self._title} needs {self._n} answers in {shown(self._key)}, got {len(raw)}"
            )
        return list(raw)

    def _answers_from_mapping(self, raw: object) -> list[Any]:
        if not isinstance(raw, Mapping):
            raise InstrumentError(
                "wrong_type", f"{shown(self._key)} must be an object keyed by item id", item=self._key
            )
        for key in raw:
            if key not in self._positions:
                raise InstrumentError(
                    "unknown_item", f"unknown item {shown(key)} (expected: {listed(self._ids)})", item=str(key)
                )
        return [raw.get(item_id) for item_id in self._ids]

    def _check_missing(self, scored: list[int | None], missing: int) -> None:
        if not self._prorate:
            first = self._ids[scored.index(None)]
            raise InstrumentError(
                "missing_item",
                f"item '{first}' is not answered; {self._title} has no rule for missing items, so no score is computed",
                item=first,
            )
        if missing > self._max_missing:
            raise InstrumentError(
                "too_many_missing",
                f"{missing} of {self._n} items are not answered; at most {self._max_missing} may be "
                "missing for a score",
            )

    def _illegal(self, index: int, value: object) -> InstrumentError:
        item_id = self._ids[index]
        where = f"item '{item_id}'" if self._mapping_input else f"item '{item_id}' (number {index + 1})"
        return InstrumentError(
            "illegal_value",
            f"{where}: {shown(value)} is not a legal value (allowed: {self._allowed[index]})",
            item=item_id,
        )

    def _record_extras(self, payload: Mapping[str, Any], result: dict[str, Any]) -> None:
        for name, legal in self._extra.items():
            value = payload.get(name)
            if value is None:
                continue
            if type(value) is not int or value not in legal:
                raise InstrumentError(
                    "illegal_value",
                    f"'{name}': {shown(value)} is not a legal value (allowed: {self._extra_text[name]})",
                    item=name,
                )
            result[name] = value


def _points_of(d: ScaleDefinition, index: int) -> dict[object, int]:
    """Answer -> points for one item; a reverse-keyed item scores min + max - answer."""
    item = d.items[index]
    if d.answer_type == "boolean":
        return {False: 0, True: 1}
    low, high = item.values[0], item.values[-1]
    return {v: (low + high - v) if item.reverse else v for v in item.values}
