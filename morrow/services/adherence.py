"""Adherence per regimen item per local day, from stored doses and the regimen versions in force each day.

- Days are the patient's local days. Only days up to today (the local date of `now`) are reported.
- An item counts on the days its regimen and the item itself were in force; after a new regimen version
  the item's successor (same substance and form) takes over with its own id and schedule.
- Doses counted for an item: not voided, logged against it or against the item of the same substance and
  form in another version of the regimen (a dose logged just after a change still counts).
- Fixed items: taken, late, missed, due and upcoming from `fixed_adherence`, extra doses on the day they
  were taken. A dose "N minutes before bedtime" is timed from the patient's usual bedtime; without one
  it cannot be judged and is left out (never guessed). As-needed items: doses taken, those over the daily
  cap (extra) and those too soon.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from morrow.db.models import DoseLog, Regimen, RegimenItem
from morrow.regimens import FixedSchedule, as_needed_adherence, fixed_adherence
from morrow.services.access import require_access
from morrow.services.actors import Actor
from morrow.services.audit import audit
from morrow.services.inputs import Day, Moment, parse
from morrow.services.tx import atomic

MAX_DAYS = 92


class AdherenceQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    first_day: Day
    last_day: Day
    now: Moment
    grace_minutes: int = Field(default=60, ge=0, le=720)

    @model_validator(mode="after")
    def _range(self) -> AdherenceQuery:
        if self.last_day < self.first_day:
            raise ValueError("last_day must not be before first_day")
        if (self.last_day - self.first_day).days >= MAX_DAYS:
            raise ValueError(f"at most {MAX_DAYS} days at a time")
        return self


@dataclass(frozen=True)
class AdherenceRow:
    day: date
    regimen_item_id: int
    substance: str
    form: str | None
    schedule: str
    taken: int = 0
    late: int = 0
    missed: int = 0
    due: int = 0
    upcoming: int = 0
    extra: int = 0
    too_soon: int = 0


def adherence(
    session: Session,
    actor: Actor,
    patient_id: int,
    first_day: date,
    last_day: date,
    now: datetime,
    *,
    grace_minutes: int = 60,
) -> list[AdherenceRow]:
    """One row per regimen item per local day in force, oldest day first."""
    query = parse(
        AdherenceQuery, {"first_day": first_day, "last_day": last_day, "now": now, "grace_minutes": grace_minutes}
    )
    rows: list[AdherenceRow] = []
    with atomic(session):
        patient = require_access(session, actor, patient_id)
        zone = ZoneInfo(patient.timezone)
        last = min(query.last_day, query.now.astimezone(zone).date())
        regimens = list(session.scalars(select(Regimen).where(Regimen.patient_id == patient_id)))
        for regimen in regimens:
            for item in regimen.items:
                first_in_force = max(query.first_day, regimen.starts_on, item.starts_on)
                ends = [d for d in (last, regimen.ends_on, item.ends_on) if d is not None]
                if first_in_force <= min(ends):
                    doses = _doses(session, patient_id, _lineage(item, regimens), first_in_force, query.now, zone)
                    rows += _item_rows(item, doses, zone, first_in_force, min(ends), query)
        audit(
            session, actor, "read", "adherence", patient_id=patient_id,
            detail={"first_day": first_day.isoformat(), "last_day": last_day.isoformat()},
        )  # fmt: skip
    return sorted(rows, key=lambda row: (row.day, row.regimen_item_id))


def _item_rows(
    item: RegimenItem, doses: list[datetime], zone: ZoneInfo, first: date, last: date, query: AdherenceQuery
) -> list[AdherenceRow]:
    base = AdherenceRow(first, item.id, item.substance_id, item.form, item.schedule_kind)
    if item.schedule_kind == "as_needed":
        reported = as_needed_adherence(
            doses, zone, first, query.now,
            max_doses_per_day=item.max_doses_per_day or 1, min_interval_minutes=item.min_interval_minutes,
        )  # fmt: skip
        return [
            replace(base, day=d.day, taken=d.count, extra=len(d.extra), too_soon=len(d.too_soon))
            for d in reported
            if d.day <= last
        ]
    bedtime = item.regimen.patient.usual_bedtime
    schedule = FixedSchedule(tuple(item.times), item.minutes_before_bedtime if bedtime else None, bedtime)
    report = fixed_adherence(schedule, doses, zone, first, query.now, grace_minutes=query.grace_minutes)
    rows = []
    for day in (first + timedelta(days=n) for n in range((last - first).days + 1)):
        counts = Counter(dose.status for dose in report.on(day))
        extra = sum(1 for moment in report.extra if moment.astimezone(zone).date() == day)
        rows.append(
            replace(
                base,
                day=day,
                taken=counts["taken"],
                late=counts["late"],
                missed=counts["missed"],
                due=counts["due"],
                upcoming=counts["upcoming"],
                extra=extra,
            )
        )
    return rows


def _lineage(item: RegimenItem, regimens: list[Regimen]) -> set[int]:
    """The item, and the items of the same substance and form in the regimen's other versions."""
    same = {
        other.id
        for regimen in regimens
        if regimen.id != item.regimen_id
        for other in regimen.items
        if (other.substance_id, other.form) == (item.substance_id, item.form)
    }
    return same | {item.id}


def _doses(
    session: Session, patient_id: int, item_ids: set[int], first: date, now: datetime, zone: ZoneInfo
) -> list[datetime]:
    # From the evening before: a dose just after midnight may belong to that day, and the engine ignores
    # doses before the first window it evaluates.
    since = datetime.combine(first - timedelta(days=1), time(0), tzinfo=zone)
    query = select(DoseLog.taken_at).where(
        DoseLog.patient_id == patient_id,
        DoseLog.regimen_item_id.in_(item_ids),
        DoseLog.voided_at.is_(None),
        DoseLog.taken_at >= since,
        DoseLog.taken_at <= now,
    )
    return list(session.scalars(query))
