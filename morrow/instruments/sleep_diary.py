"""Consensus Sleep Diary arithmetic (INSTRUMENTS.md §4): the part of the diary that cannot be data.

Clock times wrap: each step bed -> try -> final wake -> out is taken modulo 24 h, so a bedtime
before or after midnight, daytime sleep and rising after noon all work without dates.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from morrow.instruments.errors import InstrumentError
from morrow.instruments.fields import FieldReader
from morrow.instruments.model import FormDefinition
from morrow.instruments.rounding import half_up_2, ratio

DAY_MIN = 24 * 60
NOON = time(12, 0)
_ECHOED = ("quality", "nwak", "ema_min", "nap_count", "nap_min")


class SleepDiaryScorer:
    def __init__(self, definition: FormDefinition) -> None:
        self.definition = definition
        self._head: dict[str, Any] = {"instrument": definition.id, "version": definition.version}
        self._reader = FieldReader(definition.fields)

    def score(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        f = self._reader.read(payload)
        lights_out_lag = (f["try_sleep"] - f["into_bed"]) % DAY_MIN
        sleep_window = (f["final_wake"] - f["try_sleep"]) % DAY_MIN
        terminal_wake = (f["out_of_bed"] - f["final_wake"]) % DAY_MIN
        tib = lights_out_lag + sleep_window + terminal_wake
        if tib == 0:
            raise InstrumentError(
                "inconsistent_times", "into_bed, try_sleep, final_wake and out_of_bed are the same time: no time in bed"
            )
        if tib >= DAY_MIN:
            raise InstrumentError(
                "inconsistent_times",
                "the times are out of order: expected into_bed, then try_sleep, then final_wake, "
                "then out_of_bed, all within 24 hours",
            )
        awake = f["sol_min"] + f["waso_min"]
        if awake > sleep_window:
            raise InstrumentError(
                "inconsistent_durations",
                f"sol_min + waso_min ({awake} min) is longer than the {sleep_window} min from try_sleep to final_wake",
                item="waso_min" if f["sol_min"] <= sleep_window else "sol_min",
            )
        tst = sleep_window - awake
        attempt = sleep_window + terminal_wake
        result = dict(self._head)
        result.update(
            tib_min=tib,
            sleep_window_min=sleep_window,
            tst_min=tst,
            twt_min=tib - tst,
            se_pct=half_up_2(ratio(100 * tst, tib)),
            # Undefined when the patient got up the moment they tried to sleep.
            se_from_attempt_pct=half_up_2(ratio(100 * tst, attempt)) if attempt else None,
            lights_out_lag_min=lights_out_lag,
            terminal_wake_min=terminal_wake,
            total_24h_sleep_min=tst + f.get("nap_min", 0),
        )
        result.update((name, f[name]) for name in _ECHOED if name in f)
        result["warnings"] = _warnings(f)
        return result


def _warnings(f: Mapping[str, Any]) -> list[str]:
    """Recommended checks that do not refuse the diary (INSTRUMENTS.md §4)."""
    if f["nwak"] == 0 and f["waso_min"] > 0:
        return ["waso_without_awakenings"]
    return []


def night_of(into_bed: datetime) -> date:
    """The evening a night belongs to: a start before 12:00 counts for the previous calendar date."""
    local = into_bed.date()
    return local - timedelta(days=1) if into_bed.time() < NOON else local
