"""Read models for the patient's own pages: today's plan, alerts with their findings, check-ins due, progress.

Each read checks `require_access` and writes a `read` audit row in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from morrow.db.models import (
    Alert,
    DoseLog,
    Finding,
    QuestionnaireResponse,
    Regimen,
    RegimenItem,
    SleepDiaryEntry,
    SymptomReport,
)
from morrow.db.prepared import Prepared, one_of
from morrow.services.access import check_access, require_access
from morrow.services.actors import Actor
from morrow.services.alerts_lifecycle import SEVERITY_ORDER
from morrow.services.audit import audit
from morrow.services.tx import atomic

# How often each check-in is asked for, in days (0: whenever it helps).
CHECKIN_EVERY = {"sows": 1, "craving-vas": 1, "peg": 7, "isi": 14, "phq9": 14, "gad7": 14, "symptoms": 0}


@dataclass(frozen=True)
class Slot:
    item: RegimenItem
    label: str
    logged: bool


@dataclass(frozen=True)
class AsNeeded:
    item: RegimenItem
    cap: int
    taken: int

    @property
    def left(self) -> int:
        return max(self.cap - self.taken, 0)


@dataclass(frozen=True)
class AlertView:
    alert: Any  # a row of all the alert's columns
    finding: Any | None  # a row of its latest finding's id, alert_id, patient_message and sources


@dataclass(frozen=True)
class TodayView:
    today: date
    zone: ZoneInfo
    slots: list[Slot] = field(default_factory=list)
    as_needed: list[AsNeeded] = field(default_factory=list)
    doses_today: list[DoseLog] = field(default_factory=list)


def local_today(session: Session, actor: Actor, patient_id: int, now: datetime) -> tuple[date, ZoneInfo]:
    with atomic(session):
        zone = ZoneInfo(require_access(session, actor, patient_id).timezone)
    return now.astimezone(zone).date(), zone


def _day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)


def today_view(session: Session, actor: Actor, patient_id: int, now: datetime) -> TodayView:
    """The active regimen's doses for the patient's local today, and what was logged today."""
    with atomic(session):
        patient = require_access(session, actor, patient_id)
        zone = ZoneInfo(patient.timezone)
        today = now.astimezone(zone).date()
        start, end = _day_bounds(today, zone)
        doses = list(
            session.scalars(
                select(DoseLog)
                .where(DoseLog.patient_id == patient_id, DoseLog.voided_at.is_(None))
                .where(DoseLog.taken_at >= start, DoseLog.taken_at < end)
                .order_by(DoseLog.taken_at)
            )
        )
        regimen = session.scalars(
            select(Regimen).where(Regimen.patient_id == patient_id, Regimen.status == "active").order_by(Regimen.id)
        ).first()
        view = TodayView(today, zone, doses_today=doses)
        for item in regimen.items if regimen else []:
            if item.starts_on > today or (item.ends_on is not None and item.ends_on < today):
                continue
            # Only doses logged against this item: an unplanned dose of the same medicine is not this one.
            count = sum(
                1 for d in doses if d.regimen_item_id == item.id and d.kind in ("planned", "as_needed", "off_plan")
            )
            if item.schedule_kind == "as_needed":
                view.as_needed.append(AsNeeded(item, item.max_doses_per_day or 1, count))
                continue
            labels = list(item.times) or [f"{item.minutes_before_bedtime or 0} minutes before bedtime"]
            view.slots.extend(Slot(item, label, n < count) for n, label in enumerate(labels))
        audit(session, actor, "read", "today", patient_id=patient_id, detail={"day": today.isoformat()})
    return view


def alerts_with_findings(
    session: Session, actor: Actor, patient_id: int, statuses: tuple[str, ...] = ("open", "acknowledged")
) -> list[AlertView]:
    """The patient's alerts, most severe first, each with its latest finding (the words the patient sees).
    Read as Core rows of the columns shown: this runs after every dose and check-in a patient sends, in
    its transaction and without a savepoint of its own (a read and its audit row: nothing to undo apart)."""
    with atomic(session, savepoint=False):
        check_access(session, actor, patient_id)
        session.flush()  # an alert raised or seen again by this transaction is shown as it now stands
        connection = session.connection()
        alerts = _alerts_in(statuses).all(connection, {"patient_id": patient_id})
        latest: dict[int, Any] = {}
        if alerts:  # what the patient is shown; the clinician's words and evidence stay unread
            found = connection.execute(_FINDINGS, {"alert_ids": [a.id for a in alerts]})
            latest = {f.alert_id: f for f in found}
        audit(session, actor, "read", "alerts", patient_id=patient_id, detail={"count": len(alerts)})
    alerts.sort(key=lambda a: (a.status == "resolved", SEVERITY_ORDER[a.severity], -a.last_seen_at.timestamp()))
    return [AlertView(a, latest.get(a.id)) for a in alerts]


def _alerts_in(statuses: tuple[str, ...]) -> Prepared:
    """The patient's alerts in these statuses, every column as the ORM object had (one statement per
    set of statuses, sent to the driver: this runs after every entry a patient sends)."""
    prepared = _ALERTS.get(statuses)
    if prepared is None:
        prepared = _ALERTS[statuses] = Prepared(
            select(Alert.__table__).where(
                Alert.patient_id == bindparam("patient_id"), one_of(Alert.status, sorted(set(statuses)))
            ),
            "AlertRow",
        )
    return prepared


_ALERTS: dict[tuple[str, ...], Prepared] = {}
_FINDINGS = (
    select(Finding.id, Finding.alert_id, Finding.patient_message, Finding.sources)
    .where(Finding.alert_id.in_(bindparam("alert_ids", expanding=True)))
    .order_by(Finding.id)  # the latest of each alert comes last and is the one kept
)


def stored_dose(session: Session, actor: Actor, patient_id: int, key: str) -> DoseLog | None:
    """The dose already stored under this idempotency key, if any (a resubmitted form)."""
    with atomic(session):
        check_access(session, actor, patient_id)
        dose = session.scalars(
            select(DoseLog).where(DoseLog.patient_id == patient_id, DoseLog.idempotency_key == key)
        ).first()
        audit(session, actor, "read", "dose_log", None if dose is None else dose.id, patient_id=patient_id)
    return dose


@dataclass(frozen=True)
class Due:
    instrument: str
    every_days: int
    last: datetime | None
    due: bool


def checkins_due(session: Session, actor: Actor, patient_id: int, now: datetime) -> tuple[list[Due], bool]:
    """Each check-in with when it was last done and whether it is due; and whether last night's diary is due."""
    with atomic(session):
        patient = require_access(session, actor, patient_id)
        zone = ZoneInfo(patient.timezone)
        today = now.astimezone(zone).date()
        rows = session.execute(
            select(QuestionnaireResponse.instrument_id, func.max(QuestionnaireResponse.administered_at))
            .where(QuestionnaireResponse.patient_id == patient_id, QuestionnaireResponse.voided_at.is_(None))
            .group_by(QuestionnaireResponse.instrument_id)
        ).all()
        last: dict[str, datetime | None] = {row[0]: row[1] for row in rows}
        last["symptoms"] = session.scalar(
            select(func.max(SymptomReport.reported_at)).where(SymptomReport.patient_id == patient_id)
        )
        diary_due = (
            session.scalar(
                select(SleepDiaryEntry.id).where(
                    SleepDiaryEntry.patient_id == patient_id, SleepDiaryEntry.night_of == today - timedelta(days=1)
                )
            )
            is None
        )
        audit(session, actor, "read", "checkins_due", patient_id=patient_id)
    due = []
    for instrument, every in CHECKIN_EVERY.items():
        seen = last.get(instrument)
        local = None if seen is None else seen.astimezone(zone).date()
        is_due = every > 0 and (local is None or (today - local).days >= every)
        due.append(Due(instrument, every, seen, is_due))
    return due, diary_due


@dataclass(frozen=True)
class Point:
    day: date
    value: float


@dataclass(frozen=True)
class Progress:
    first_day: date
    last_day: date
    doses: list[Point]
    sows: list[Point]
    sleep_efficiency: list[Point]
    peg: list[Point]
    craving: list[Point]


def progress(session: Session, actor: Actor, patient_id: int, now: datetime, days: int) -> Progress:
    """Daily series over the last `days` local days up to today: doses taken, the day's highest SOWS,
    sleep efficiency by night, PEG and the day's highest craving."""
    with atomic(session):
        zone = ZoneInfo(require_access(session, actor, patient_id).timezone)
        last_day = now.astimezone(zone).date()
        first_day = last_day - timedelta(days=days - 1)
        since, until = _day_bounds(first_day, zone)[0], _day_bounds(last_day, zone)[1]
        dose_days: dict[date, float] = {}
        for taken_at in session.scalars(
            select(DoseLog.taken_at).where(
                DoseLog.patient_id == patient_id,
                DoseLog.voided_at.is_(None),
                DoseLog.taken_at >= since,
                DoseLog.taken_at < until,
            )
        ):
            day = taken_at.astimezone(zone).date()
            dose_days[day] = dose_days.get(day, 0) + 1
        scores: dict[str, dict[date, float]] = {"sows": {}, "peg": {}, "craving-vas": {}}
        for instrument, at, total in session.execute(
            select(
                QuestionnaireResponse.instrument_id, QuestionnaireResponse.administered_at, QuestionnaireResponse.total
            )
            .where(QuestionnaireResponse.patient_id == patient_id, QuestionnaireResponse.voided_at.is_(None))
            .where(QuestionnaireResponse.instrument_id.in_(list(scores)))
            .where(QuestionnaireResponse.administered_at >= since, QuestionnaireResponse.administered_at < until)
        ).all():
            if total is not None:
                day = at.astimezone(zone).date()
                scores[instrument][day] = max(scores[instrument].get(day, total), total)
        nights = session.execute(
            select(SleepDiaryEntry.night_of, SleepDiaryEntry.sleep_efficiency_pct)
            .where(SleepDiaryEntry.patient_id == patient_id)
            .where(SleepDiaryEntry.night_of >= first_day, SleepDiaryEntry.night_of <= last_day)
        ).all()
        sleep = {night: pct for night, pct in nights if pct is not None}
        audit(
            session, actor, "read", "progress", patient_id=patient_id,
            detail={"first_day": first_day.isoformat(), "last_day": last_day.isoformat()},
        )  # fmt: skip

    def series(values: dict[date, float]) -> list[Point]:
        return [Point(day, float(value)) for day, value in sorted(values.items())]

    return Progress(
        first_day,
        last_day,
        series(dose_days),
        series(scores["sows"]),
        series(sleep),
        series(scores["peg"]),
        series(scores["craving-vas"]),
    )
