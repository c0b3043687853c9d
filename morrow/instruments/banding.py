"""Bands and flags compiled once from a definition, so scoring only looks values up."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from morrow.instruments.model import Band, Flag


class BandTable:
    """The label of the last band whose lower bound is at or below the value (None when there are none).

    Looking up by lower bound alone means a value between two one-decimal bands (a T-score of 54.95)
    falls in the lower band, as "T < 55" intends, instead of in no band at all.
    """

    __slots__ = ("_labels", "_lows", "_ordered")

    def __init__(self, bands: Sequence[Band]) -> None:
        self._lows = [b.min for b in bands]
        self._labels = [b.label for b in bands]
        self._ordered = tuple(b.label for b in bands)

    @property
    def labels(self) -> tuple[str, ...]:
        return self._ordered

    def label_for(self, value: float) -> str | None:
        if not self._lows:
            return None
        index = bisect_right(self._lows, value) - 1
        return self._labels[max(index, 0)]


class CompiledFlag:
    __slots__ = ("id", "inclusive", "source", "threshold")

    def __init__(self, flag: Flag) -> None:
        self.id = flag.id
        self.source = flag.source
        self.threshold = flag.threshold
        self.inclusive = flag.op == ">="

    def evaluate(self, value: float | None) -> bool | None:
        """None when the value it reads is unknown: an unanswered item must not read as 'no'."""
        if value is None:
            return None
        return value >= self.threshold if self.inclusive else value > self.threshold
