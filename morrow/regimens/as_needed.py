"""As-needed adherence: doses per local day against the daily cap, and the minimum time between doses.

Days are the patient's local days, so the fall-back day has 25 hours and the spring-forward day 23.
The minimum interval is measured in real elapsed time, across midnight and across DST changes.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from morrow.regimens.clock import days_between, local_day_start, require_aware, zone_of
from morrow.regimens.errors import RegimenError

__all__ = ["AsNeededDay", "as_needed_adherence"]


@dataclass(frozen=True)
class AsNeededDay:
    day: date
    taken: tuple[datetime, ...]
    cap: int
    extra: tuple[datetime, ...] = ()
    too_soon: tuple[datetime, ...] = ()

    @property
    def count(self) -> int:
        return len(self.taken)

    @property
    def within_limits(self) -> bool:
        return not self.extra and not self.too_soon


def as_needed_adherence(
    doses: Sequence[datetime],
    zone: str | ZoneInfo,
    since: date,
    now: datetime,
    *,
    max_doses_per_day: int,
    min_interval_minutes: int | None = None,
) -> tuple[AsNeededDay, ...]:
    """One row per local day from `since` to today: doses taken, those over the cap, those too soon."""
    tz = zone_of(zone)
    now = require_aware(now, "now")
    if max_doses_per_day < 1:
        raise RegimenError("invalid_value", "max_doses_per_day must be at least 1", field="max_doses_per_day")
    if min_interval_minutes is not None and min_interval_minutes < 0:
        raise RegimenError("invalid_value", "min_interval_minutes must not be negative", field="min_interval_minutes")
    gap = timedelta(minutes=min_interval_minutes or 0)
    logged = sorted(d for d in (require_aware(d, "doses") for d in doses) if d <= now)
    too_soon = {later for earlier, later in itertools.pairwise(logged) if later - earlier < gap}
    rows: list[AsNeededDay] = []
    for day in days_between(since, now.astimezone(tz).date()):
        start, end = local_day_start(day, tz), local_day_start(day + timedelta(days=1), tz)
        taken = [d for d in logged if start <= d < end]
        rows.append(
            AsNeededDay(
                day=day,
                taken=tuple(d.astimezone(tz) for d in taken),
                cap=max_doses_per_day,
                extra=tuple(d.astimezone(tz) for d in taken[max_doses_per_day:]),
                too_soon=tuple(d.astimezone(tz) for d in taken if d in too_soon),
            )
        )
    return tuple(rows)
