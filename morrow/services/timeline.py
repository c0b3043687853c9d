"""One timeline of a patient's record: doses, scores, sleep nights, alerts and notes, newest first.

A page is a run of the patient's local days (`until` back `days` days); the next page ends the day before.
Reading it is audited like every read of health data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from morrow.db.models import Alert, ClinicalNote, DoseLog, QuestionnaireResponse, Regimen, RegimenItem, SleepDiaryEntry
from morrow.services.access import check_access, require_access
from morrow.services.actors import Actor
from morrow.services.audit import audit
from morrow.services.inputs import Day, parse
from morrow.services.tx import atomic

KINDS = ("dose", "score", "sleep", "alert", "note")
_RANK = {kind: n for n, kind in enumerate(KINDS)}  # breaks ties between entries of the same moment
MAX_DAYS = 366  # a year in one page (a leap year's too)


class TimelineQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    until: Day | None = None
    days: int = Field(default=7, ge=1, le=MAX_DAYS)
    kinds: list[str] = Field(default_factory=lambda: list(KINDS))

    @field_validator("kinds")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        unknown = [k for k in value if k not in KINDS]
        if unknown:
            raise ValueError(f"unknown kind {unknown[0]!r} (expected one of {', '.join(KINDS)})")
        return [k for k in KINDS if k in value]


class Entry(NamedTuple):  # a tuple: a year's page makes about a thousand of them
    kind: str
    id: int
    at: datetime
    day: date
    title: str
    detail: str


@dataclass(frozen=True)
class TimelinePage:
    patient_id: int
    first_day: date
    last_day: date
    kinds: tuple[str, ...]
    entries: tuple[Entry, ...]
    older_until: date


def timeline(
    session: Session,
    actor: Actor,
    patient_id: int,
    *,
    until: date | None = None,
    days: int = 7,
    kinds: list[str] | None = None,
    now: datetime | None = None,
) -> TimelinePage:
    query = parse(TimelineQuery, {"until": until, "days": days, "kinds": list(KINDS) if kinds is None else kinds})
    with atomic(session):
        patient = require_access(session, actor, patient_id)
        zone = ZoneInfo(patient.timezone)
        last_day = query.until or (now or datetime.now(UTC)).astimezone(zone).date()
        first_day = last_day - timedelta(days=query.days - 1)
        start = datetime.combine(first_day, time(0), tzinfo=zone).astimezone(UTC)
        end = datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
        entries: list[Entry] = []
        for kind in query.kinds:
            entries += READERS[kind](session, patient_id, start, end, first_day, last_day, zone)
        audit(
            session, actor, "read", "timeline", patient_id=patient_id,
            detail={"first_day": first_day.isoformat(), "last_day": last_day.isoformat(), "kinds": query.kinds},
        )  # fmt: skip
    entries.sort(key=lambda e: (e.at, _RANK[e.kind], e.id), reverse=True)
    return TimelinePage(
        patient_id, first_day, last_day, tuple(query.kinds), tuple(entries), first_day - timedelta(days=1)
    )


def _day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


# Readers select the columns they show, not whole rows: a year of one patient is about a thousand entries,
# and loading ORM objects (with the answers' and scores' JSON decoded) cost more than the rest of a page.
def _doses(s: Session, pid: int, start: datetime, end: datetime, d0: date, d1: date, zone: ZoneInfo) -> list[Entry]:
    rows = s.execute(
        select(DoseLog.id, DoseLog.substance_id, DoseLog.amount, DoseLog.unit, DoseLog.kind, DoseLog.note,
               DoseLog.taken_at, DoseLog.voided_at)
        .where(DoseLog.patient_id == pid, DoseLog.taken_at >= start, DoseLog.taken_at < end)
    )  # fmt: skip
    entries = []
    for dose_id, substance, amount, unit, kind, note, taken_at, voided_at in rows:  # unpacked: a year is ~500 rows
        detail = kind.replace("_", " ")
        detail += " (entered in error, voided)" if voided_at else ""
        detail += f"; note: {note}" if note else ""
        title = f"{substance.replace('_', ' ')} {amount:g} {unit.replace('_', ' ')}"
        entries.append(Entry("dose", dose_id, taken_at, taken_at.astimezone(zone).date(), title, detail))
    return entries


def _scores(s: Session, pid: int, start: datetime, end: datetime, d0: date, d1: date, zone: ZoneInfo) -> list[Entry]:
    r = QuestionnaireResponse
    query = select(r.id, r.instrument_id, r.total, r.band, r.rater, r.voided_at, r.administered_at).where(
        r.patient_id == pid, r.administered_at >= start, r.administered_at < end
    )
    entries = []
    for response_id, instrument, total, band_code, rater_kind, voided_at, at in s.execute(query):
        value = "no total" if total is None else f"{total:g}"
        band = f" ({band_code.replace('_', ' ')})" if band_code else ""
        rater = "rated by a clinician" if rater_kind == "clinician" else "self-report"
        voided = "; removed" if voided_at else ""
        entries.append(
            Entry("score", response_id, at, at.astimezone(zone).date(), f"{instrument.upper()} {value}{band}",
                  f"{rater}{voided}")
        )  # fmt: skip
    return entries


_BEDTIME = time(22)  # a night's entry sits at 22:00 local on the timeline


def _sleep(s: Session, pid: int, start: datetime, end: datetime, d0: date, d1: date, zone: ZoneInfo) -> list[Entry]:
    e = SleepDiaryEntry
    query = select(e.id, e.night_of, e.total_sleep_min, e.sleep_efficiency_pct).where(
        e.patient_id == pid, e.night_of >= d0, e.night_of <= d1
    )
    entries = []
    for entry_id, night_of, asleep, efficiency in s.execute(query):
        tst = "total sleep unknown" if asleep is None else f"{asleep // 60} h {asleep % 60} min asleep"
        se = "" if efficiency is None else f", sleep efficiency {efficiency:g}%"
        at = datetime.combine(night_of, _BEDTIME, tzinfo=zone).astimezone(UTC)
        entries.append(Entry("sleep", entry_id, at, night_of, f"Night of {night_of.isoformat()}", tst + se))
    return entries


def _alerts(s: Session, pid: int, start: datetime, end: datetime, d0: date, d1: date, zone: ZoneInfo) -> list[Entry]:
    a = Alert
    query = select(a.id, a.first_seen_at, a.severity, a.title, a.status, a.occurrences).where(
        a.patient_id == pid, a.first_seen_at >= start, a.first_seen_at < end
    )
    return [
        Entry("alert", r.id, r.first_seen_at, _day(r.first_seen_at, zone), f"{r.severity.title()}: {r.title}",
              f"{r.status}; seen {r.occurrences} time{'s' if r.occurrences > 1 else ''}")
        for r in s.execute(query)
    ]  # fmt: skip


def _notes(s: Session, pid: int, start: datetime, end: datetime, d0: date, d1: date, zone: ZoneInfo) -> list[Entry]:
    n = ClinicalNote
    query = select(n.id, n.written_at, n.kind, n.body).where(
        n.patient_id == pid, n.written_at >= start, n.written_at < end
    )
    return [
        Entry("note", r.id, r.written_at, _day(r.written_at, zone), f"{r.kind.title()} note", r.body)
        for r in s.execute(query)
    ]


READERS = {"dose": _doses, "score": _scores, "sleep": _sleep, "alert": _alerts, "note": _notes}


@dataclass(frozen=True)
class RegimenView:
    regimen: Regimen | None
    items: tuple[RegimenItem, ...]


def active_regimen(session: Session, actor: Actor, patient_id: int) -> RegimenView:
    """The patient's active regimen with its items loaded (they are read after the transaction ends)."""
    with atomic(session):
        check_access(session, actor, patient_id)
        query = select(Regimen).where(Regimen.patient_id == patient_id, Regimen.status == "active")
        regimen = session.scalars(query.order_by(Regimen.starts_on.desc()).limit(1)).first()
        items = tuple(regimen.items) if regimen is not None else ()
        audit(session, actor, "read", "regimen", None if regimen is None else regimen.id, patient_id=patient_id)
    return RegimenView(regimen, items)
