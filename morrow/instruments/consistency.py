"""Cross-field checks on a definition: the ranges, bands and references must agree with the items."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from morrow.instruments.model import Band, FormDefinition, ScaleDefinition, ValueDefinition


def check_scale(d: ScaleDefinition) -> None:
    ids = [item.id for item in d.items]
    _unique(ids, "item ids")
    lows, highs = _item_point_ranges(d)
    n = len(d.items)
    scoring = d.scoring
    divisor = n if scoring.method == "mean" else 1
    expected = (sum(lows) / divisor, sum(highs) / divisor)
    if tuple(scoring.range) != expected:
        raise ValueError(f"scoring.range {list(scoring.range)} does not match the items' range {list(expected)}")
    if scoring.method == "sum_lookup":
        _check_lookup(d, int(expected[0]), int(expected[1]))
    elif d.bands:
        check_bands(d.bands, expected[0], expected[1], integer=scoring.method == "sum")
    _check_missing(d, n)
    known = {*ids, scoring.output}
    for flag in d.flags:
        if flag.source not in known:
            raise ValueError(f"flag {flag.id!r} reads {flag.source!r}, which is neither an item nor the score")
    for sub in d.subscales:
        unknown = [i for i in sub.items if i not in ids]
        if unknown:
            raise ValueError(f"subscale {sub.id!r} names unknown items {unknown}")
    if any(extra.id == d.items_key for extra in d.extra_fields):
        raise ValueError("an extra field may not share the items key")


def check_value(d: ValueDefinition) -> None:
    if d.min > d.max:
        raise ValueError("min is above max")
    if d.points:
        spans = [(m.min, m.max) for m in d.points]
        _check_spans(spans, d.min, d.max, integer=d.integer, what="points")


def check_form(d: FormDefinition) -> None:
    _unique([f.id for f in d.fields], "field ids")
    if d.bands:
        check_bands(d.bands, d.bands[0].min, d.bands[-1].max, integer=True)


def check_bands(bands: Sequence[Band], low: float, high: float, *, integer: bool) -> None:
    _unique([b.label for b in bands], "band labels")
    _check_spans([(b.min, b.max) for b in bands], low, high, integer=integer, what="bands")


def _check_spans(spans: Sequence[tuple[float, float]], low: float, high: float, *, integer: bool, what: str) -> None:
    """Spans must run in order without overlap; on an integer scale they must also leave no gap."""
    if spans[0][0] != low or spans[-1][1] != high:
        raise ValueError(f"{what} must run from {low} to {high}")
    for (lo, hi), (next_lo, _) in pairwise(spans):
        if lo > hi:
            raise ValueError(f"{what}: {lo} is above {hi}")
        if next_lo <= hi:
            raise ValueError(f"{what} overlap at {next_lo}")
        if integer and next_lo != hi + 1:
            raise ValueError(f"{what} leave a gap between {hi} and {next_lo}")
    if spans[-1][0] > spans[-1][1]:
        raise ValueError(f"{what}: {spans[-1][0]} is above {spans[-1][1]}")
    if integer and any(v != int(v) for span in spans for v in span):
        raise ValueError(f"{what} on an integer scale need whole-number bounds")


def _item_point_ranges(d: ScaleDefinition) -> tuple[list[int], list[int]]:
    lows: list[int] = []
    highs: list[int] = []
    for item in d.items:
        if d.answer_type == "boolean":
            if item.values or item.reverse:
                raise ValueError(f"item {item.id!r}: yes/no items take no values and no reverse key")
            lows.append(0)
            highs.append(1)
            continue
        if not item.values or list(item.values) != sorted(set(item.values)):
            raise ValueError(f"item {item.id!r}: values must be distinct and in increasing order")
        lows.append(item.values[0])
        highs.append(item.values[-1])
    return lows, highs


def _check_lookup(d: ScaleDefinition, low: int, high: int) -> None:
    table = d.scoring.lookup
    if table is None or d.scoring.lookup_output is None:
        raise ValueError("sum_lookup needs lookup and lookup_output")
    if sorted(table) != list(range(low, high + 1)):
        raise ValueError(f"the lookup table must have one row per raw score {low}..{high}")
    if d.bands:
        _unique([b.label for b in d.bands], "band labels")
        for raw, value in table.items():
            if sum(b.min <= value <= b.max for b in d.bands) != 1:
                raise ValueError(f"lookup value {value} (raw {raw}) must fall in exactly one band")


def _check_missing(d: ScaleDefinition, n: int) -> None:
    rule = d.missing
    if rule.rule == "refuse" and rule.max_missing != 0:
        raise ValueError("a refuse rule allows no missing items")
    if rule.rule == "prorate" and not 1 <= rule.max_missing < n:
        raise ValueError("a prorate rule must allow between 1 and n-1 missing items")


def _unique(values: Sequence[str], what: str) -> None:
    if len(set(values)) != len(values):
        raise ValueError(f"{what} must be unique")
