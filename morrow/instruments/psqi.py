"""PSQI component arithmetic (Buysse 1989, boundaries per INSTRUMENTS.md §10); bands and flags are data."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from morrow.instruments.banding import BandTable, CompiledFlag
from morrow.instruments.errors import InstrumentError
from morrow.instruments.fields import FieldReader
from morrow.instruments.model import FormDefinition
from morrow.instruments.rounding import as_decimal, half_up_2

DAY_MIN = 24 * 60
DISTURBANCES = ("q5b", "q5c", "q5d", "q5e", "q5f", "q5g", "q5h", "q5i", "q5j")


class PsqiScorer:
    def __init__(self, definition: FormDefinition) -> None:
        self.definition = definition
        self._head: dict[str, Any] = {"instrument": definition.id, "version": definition.version}
        self._reader = FieldReader(definition.fields)
        self._bands = BandTable(definition.bands)
        self._flags = tuple(CompiledFlag(f) for f in definition.flags)

    def score(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        f = self._reader.read(payload)
        if not f.get("q5j_reason", "").strip():
            f["q5j"] = 0  # Buysse's rule: "other reasons" without a description score 0.
        hours = as_decimal(f["q4_sleep_hours"])
        in_bed = (f["q3_getup"] - f["q1_bedtime"]) % DAY_MIN
        if in_bed == 0:
            raise InstrumentError(
                "inconsistent_times", "q1_bedtime and q3_getup are the same time: no time in bed", item="q3_getup"
            )
        se = hours * 6000 / in_bed
        components = [
            f["q6"],
            _four_steps(_latency_points(f["q2_latency_min"]) + f["q5a"], (0, 2, 4)),
            _duration(hours),
            _efficiency(se),
            _four_steps(sum(f.get(q, 0) for q in DISTURBANCES), (0, 9, 18)),
            f["q7"],
            _four_steps(f["q8"] + f["q9"], (0, 2, 4)),
        ]
        total = sum(components)
        result = dict(self._head)
        result.update(total=total, components=components, habitual_se_pct=half_up_2(se))
        for flag in self._flags:
            result[flag.id] = flag.evaluate(total)
        result["band"] = self._bands.label_for(total)
        # More sleep than time in bed is inconsistent; flag it rather than capping SE at 100%.
        result["inconsistent_sleep_hours"] = se > 100
        return result


def _latency_points(minutes: int) -> int:
    return 0 if minutes <= 15 else 1 if minutes <= 30 else 2 if minutes <= 60 else 3


def _four_steps(value: int, upper_bounds: tuple[int, int, int]) -> int:
    """0 up to the first bound, 1 up to the second, 2 up to the third, else 3."""
    return next((points for points, bound in enumerate(upper_bounds) if value <= bound), 3)


def _duration(hours: Decimal) -> int:
    return 0 if hours > 7 else 1 if hours >= 6 else 2 if hours >= 5 else 3


def _efficiency(se: Decimal) -> int:
    return 0 if se >= 85 else 1 if se >= 75 else 2 if se >= 65 else 3
