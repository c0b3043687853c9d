"""Fixed-schedule adherence, healthchecks-style: each scheduled dose is taken, late, missed, due or upcoming.

Rules (docs/regimens.md, "Adherence"):
- A scheduled dose belongs to the local day it is scheduled on; a bedtime dose to the evening its
  night begins. Each dose logged is matched to at most one scheduled dose, in time order.
- Taken: logged within `grace` either side of the scheduled time.
- Late: logged after the grace window but before the next scheduled dose's window opens, so a 23:30
  dose taken at 00:20 counts for the day before, not as an extra today.
- Missed: the grace window has closed and nothing was logged. Due: the window is open now.
  Upcoming: the window has not opened yet.
- Extra: a dose that matches no scheduled dose (a second dose in one window, or more than the grace
  early). Doses before the first evaluated window are not judged: they may belong to the day before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from morrow.regimens.clock import at_local, days_between, parse_clock, require_aware, zone_of
from morrow.regimens.errors import RegimenError

__all__ = ["AdherenceReport", "FixedSchedule", "ScheduledDose", "fixed_adherence"]

DoseStatus = Literal["taken", "late", "missed", "due", "upcoming"]
NOON = time(12, 0)


@dataclass(frozen=True)
class FixedSchedule:
    times: tuple[str, ...] = ()
    minutes_before_bedtime: int | None = None
    bedtime: str | None = None


@dataclass(frozen=True)
class ScheduledDose:
    day: date
    label: str
    due_at: datetime
    status: DoseStatus
    taken_at: datetime | None = None


@dataclass(frozen=True)
class AdherenceReport:
    scheduled: tuple[ScheduledDose, ...]
    extra: tuple[datetime, ...]

    def on(self, day: date) -> tuple[ScheduledDose, ...]:
        return tuple(dose for dose in self.scheduled if dose.day == day)


def fixed_adherence(
    schedule: FixedSchedule,
    doses: Sequence[datetime],
    zone: str | ZoneInfo,
    since: date,
    now: datetime,
    *,
    grace_minutes: int = 60,
) -> AdherenceReport:
    tz = zone_of(zone)
    now = require_aware(now, "now")
    if grace_minutes < 0:
        raise RegimenError("invalid_value", "grace_minutes must not be negative", field="grace_minutes")
    grace = timedelta(minutes=grace_minutes)
    slots = sorted(_slots(schedule, tz, since, now.astimezone(tz).date()), key=lambda slot: slot[2])
    if not slots:
        return AdherenceReport((), ())
    opens = slots[0][2] - grace
    logged = sorted(d for d in (require_aware(d, "doses") for d in doses) if opens <= d <= now)
    taken: dict[int, datetime] = {}
    extra: list[datetime] = []
    for dose in logged:
        index = _match(slots, taken, dose, grace)
        if index is None:
            extra.append(dose)
        else:
            taken[index] = dose
    report: list[ScheduledDose] = []
    for i, (day, label, due) in enumerate(slots):
        taken_at = taken.get(i)
        status = _status(due, taken_at, now, grace)
        local_taken = None if taken_at is None else taken_at.astimezone(tz)
        report.append(ScheduledDose(day, label, due.astimezone(tz), status, local_taken))
    return AdherenceReport(tuple(report), tuple(dose.astimezone(tz) for dose in extra))


def _match(
    slots: list[tuple[date, str, datetime]], taken: dict[int, datetime], dose: datetime, grace: timedelta
) -> int | None:
    for i, (_, _, due) in enumerate(slots):
        if i not in taken and abs(dose - due) <= grace:  # both in UTC: see clock.at_local
            return i
    closed = [i for i, (_, _, due) in enumerate(slots) if due + grace < dose]
    if not closed:
        return None
    last = closed[-1]
    following = slots[last + 1][2] - grace if last + 1 < len(slots) else None
    if last in taken or (following is not None and dose >= following):
        return None
    return last


def _status(due: datetime, taken_at: datetime | None, now: datetime, grace: timedelta) -> DoseStatus:
    if taken_at is not None:
        return "taken" if taken_at <= due + grace else "late"
    if now > due + grace:
        return "missed"
    return "due" if now >= due - grace else "upcoming"


def _slots(schedule: FixedSchedule, tz: ZoneInfo, first: date, last: date) -> list[tuple[date, str, datetime]]:
    clocks = [(label, parse_clock(label)) for label in schedule.times]
    bedtime = _bedtime(schedule)
    slots: list[tuple[date, str, datetime]] = []
    for day in days_between(first, last):
        slots += [(day, label, at_local(day, clock, tz)) for label, clock in clocks]
        if bedtime is not None:
            clock, minutes = bedtime
            night = day + timedelta(days=1) if clock < NOON else day
            due = at_local(night, clock, tz) - timedelta(minutes=minutes)
            slots.append((day, f"{minutes} min before bedtime", due))
    return slots


def _bedtime(schedule: FixedSchedule) -> tuple[time, int] | None:
    if schedule.minutes_before_bedtime is None:
        return None
    if schedule.bedtime is None:
        raise RegimenError("missing_field", "a dose before bedtime needs the bedtime", field="bedtime")
    if schedule.minutes_before_bedtime < 0:
        raise RegimenError(
            "invalid_value", "minutes_before_bedtime must not be negative", field="minutes_before_bedtime"
        )
    return parse_clock(schedule.bedtime, "bedtime"), schedule.minutes_before_bedtime
