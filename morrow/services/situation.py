"""A patient's stored record, as the safety engine's situation at one moment.

Only what a rule can use is read, which keeps each evaluation near a millisecond: every dose of the last
15 days (fast escalation compares two 168-hour weeks), older doses whose active window still reaches
the look-back (fluoxetine's runs 24 days), the latest kratom dose of the liver rule's 60 days, and the
check-ins and symptoms of the look-back. The rows become the engine's situation through the same
constructors that validate a `morrow check` situation (`morrow.safety.make_dose` and the others), without
a round trip through JSON text.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from typing import Any, NamedTuple, Protocol

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from morrow.catalog import Catalog, load_catalog
from morrow.db.models import DoseLog, Patient, QuestionnaireResponse, Regimen, RegimenItem, SymptomReport
from morrow.db.prepared import Prepared, one_of
from morrow.safety import (
    INSTRUMENTS_READ,
    Situation,
    active_window_hours,
    make_checkin,
    make_doses,
    make_patient,
    make_regimen_item,
    make_symptom,
    rule_book,
    situation_of,
)

RECENT_DAYS = 15
SYMPTOM_SEVERITY_FLOOR = 1  # a symptom rated 0 ("not at all") is not a report of it


class PatientFacts(Protocol):
    """What the rules read of the patient: a `Patient` row, or the Core row `read_patient` returns."""

    @property
    def id(self) -> int: ...
    @property
    def timezone(self) -> str: ...
    @property
    def pregnant(self) -> bool: ...
    @property
    def opioid_abstinent_since(self) -> date | None: ...
    @property
    def taper_completed_on(self) -> date | None: ...


@dataclass(frozen=True)
class StoredSituation:
    situation: Situation
    record: StoredRecord

    @cached_property
    def recorded_after(self) -> dict[str, datetime]:
        """The latest recording time per substance, and "reports" for the check-ins and symptoms: read
        only when a resolved alert's condition is found again (worked out then, not on every write)."""
        return _recorded_after(self.record)


# Built once: this runs on every write, so statements are bound, not rebuilt, and rows are plain tuples.
_DOSE_COLUMNS = (DoseLog.substance_id, DoseLog.form, DoseLog.amount, DoseLog.unit, DoseLog.taken_at, DoseLog.created_at)


def _doses(reaching: tuple[str, ...]) -> Prepared:
    """The last 15 days, and before them only substances whose active window may reach the look-back."""
    return Prepared(
        select(*_DOSE_COLUMNS)
        .where(DoseLog.patient_id == bindparam("patient"), DoseLog.voided_at.is_(None))
        .where(DoseLog.taken_at >= bindparam("since"), DoseLog.taken_at <= bindparam("now"))
        .where((DoseLog.taken_at >= bindparam("recent")) | one_of(DoseLog.substance_id, reaching))
        .order_by(DoseLog.taken_at, DoseLog.id),
        "Dose",
    )


_LAST_KRATOM = Prepared(
    select(*_DOSE_COLUMNS)
    .where(DoseLog.patient_id == bindparam("patient"), DoseLog.voided_at.is_(None), DoseLog.substance_id == "kratom")
    .where(DoseLog.taken_at >= bindparam("since"), DoseLog.taken_at <= bindparam("now"))
    .order_by(DoseLog.taken_at.desc())
    .limit(1),
    "Dose",
)
_RESPONSES = Prepared(
    select(
        QuestionnaireResponse.instrument_id,
        QuestionnaireResponse.answers,
        QuestionnaireResponse.administered_at,
        QuestionnaireResponse.created_at,
    )
    .where(QuestionnaireResponse.patient_id == bindparam("patient"), QuestionnaireResponse.voided_at.is_(None))
    .where(one_of(QuestionnaireResponse.instrument_id, sorted(INSTRUMENTS_READ)))  # the others change no finding
    .where(QuestionnaireResponse.administered_at >= bindparam("since"))
    .where(QuestionnaireResponse.administered_at <= bindparam("now"))
    .order_by(QuestionnaireResponse.administered_at, QuestionnaireResponse.id),  # ties: in the order stored
    "Response",
)
_SYMPTOMS = Prepared(
    select(SymptomReport.symptoms, SymptomReport.reported_at, SymptomReport.created_at)
    .where(SymptomReport.patient_id == bindparam("patient"))
    .where(SymptomReport.reported_at >= bindparam("since"), SymptomReport.reported_at <= bindparam("now"))
    .order_by(SymptomReport.reported_at),
    "Symptoms",
)
_ACTIVE_REGIMEN_ITEMS = Prepared(
    select(
        RegimenItem.substance_id,
        RegimenItem.form,
        RegimenItem.ceiling_dose,
        RegimenItem.unit,
        RegimenItem.max_doses_per_day,
    )
    .where(
        RegimenItem.regimen_id
        == select(Regimen.id)
        .where(Regimen.patient_id == bindparam("patient"), Regimen.status == "active")
        .order_by(Regimen.id)
        .limit(1)
        .scalar_subquery()
    )
    .order_by(RegimenItem.id),
    "RegimenItem",
)
_PATIENT = Prepared(
    select(
        Patient.id, Patient.timezone, Patient.pregnant, Patient.opioid_abstinent_since, Patient.taper_completed_on
    ).where(Patient.id == bindparam("patient")),
    "PatientFacts",
)


class _Reach(NamedTuple):
    catalog: Catalog  # kept so that its id stays its own
    longest_hours: float  # the longest active window of a substance with a half-life
    reaching: tuple[str, ...]  # substances a dose of which older than RECENT_DAYS may still be active
    doses: Prepared  # the record's doses (`_doses` of `reaching`)


_REACH: dict[int, _Reach] = {}  # by catalog


def _reach(catalog: Catalog) -> _Reach:
    """Worked out once per catalog. A dose taken before the last RECENT_DAYS is in the record only if its
    active window reaches the look-back, so only a substance whose window can be longer than RECENT_DAYS
    less the look-back is read that far back: one with a long half-life (fluoxetine), or one whose window
    grows with the amount (alcohol). `read_record` still checks each such dose's own window."""
    known = _REACH.get(id(catalog))
    if known is None or known.catalog is not catalog:
        reach_hours = RECENT_DAYS * 24 - rule_book().thresholds.lookback_hours
        reaching = tuple(
            sorted(
                s.id
                for s in catalog.substances
                if s.active_hours_per_unit or active_window_hours(s, 1.0) >= reach_hours
            )
        )
        longest = max(active_window_hours(s, 1.0) for s in catalog.substances if s.half_life is not None)
        known = _REACH[id(catalog)] = _Reach(catalog, longest, reaching, _doses(reaching))
    return known


def read_patient(session: Session, patient_id: int) -> PatientFacts:
    """The patient's facts the rules read, as they stand in this transaction (after a flush), without
    loading the ORM row; the caller has checked that the patient exists."""
    session.flush()
    found: PatientFacts = _PATIENT.one(session.connection(), {"patient": patient_id})
    return found


@dataclass(frozen=True)
class StoredRecord:
    """The rows of a patient's record that the rules read at one moment, in the engine's order."""

    now: datetime
    patient: PatientFacts
    doses: list[Any]  # substance_id, form, amount, unit, taken_at, created_at
    responses: list[Any]  # instrument_id, answers, administered_at, created_at
    symptoms: list[Any]  # symptoms (code -> severity), reported_at, created_at
    regimen: list[Any]  # substance_id, form, ceiling_dose, unit, max_doses_per_day

    @property
    def reports(self) -> list[tuple[str, datetime]]:
        """Each symptom reported (severity above "not at all"), with when."""
        return [
            (code, report.reported_at)
            for report in self.symptoms
            for code, severity in report.symptoms.items()
            if severity >= SYMPTOM_SEVERITY_FLOOR
        ]


def read_record(session: Session, patient: PatientFacts, now: datetime, catalog: Catalog | None = None) -> StoredRecord:
    catalog = catalog or load_catalog()
    thresholds = rule_book().thresholds
    lookback = timedelta(hours=thresholds.lookback_hours)
    reach = _reach(catalog)
    earliest = now - max(timedelta(days=RECENT_DAYS), timedelta(hours=reach.longest_hours) + lookback)
    recent_from, active_from = now - timedelta(days=RECENT_DAYS), now - lookback
    session.flush()  # what this transaction added must be in the record, as an autoflushing query would see it
    connection = session.connection()  # named tuples straight from the driver: no ORM objects, no Core result
    span = {"patient": patient.id, "since": earliest, "now": now, "recent": recent_from}
    doses = reach.doses.all(connection, span)
    kept = [
        d
        for d in doses
        if d.taken_at >= recent_from
        or d.taken_at + timedelta(hours=active_window_hours(catalog.substance(d.substance_id), d.amount)) >= active_from
    ]
    if not any(d.substance_id == "kratom" for d in kept):
        since = now - timedelta(days=thresholds.liver_window_days)
        kept[:0] = _LAST_KRATOM.all(connection, {"patient": patient.id, "since": since, "now": now})
    window = {"patient": patient.id, "since": active_from, "now": now}
    return StoredRecord(
        now=now,
        patient=patient,
        doses=kept,
        responses=_RESPONSES.all(connection, window),
        symptoms=_SYMPTOMS.all(connection, window),
        regimen=_ACTIVE_REGIMEN_ITEMS.all(connection, {"patient": patient.id}),
    )


class NewResponse(NamedTuple):
    """A questionnaire response about to be stored, shaped as a row of `_RESPONSES`."""

    instrument_id: str
    answers: Any
    administered_at: datetime
    created_at: datetime


def with_response(record: StoredRecord, new: NewResponse) -> StoredRecord:
    """The record as `read_record` reads it once `new` is stored (the latest row stored, so last among
    responses given at the same moment): what the rules will see, worked out before the write."""
    at = new.administered_at.astimezone(UTC)
    lookback = timedelta(hours=rule_book().thresholds.lookback_hours)
    if new.instrument_id not in INSTRUMENTS_READ or not record.now - lookback <= at <= record.now:
        return record
    # As the database gives the answers back: JSON, so tuples come back as lists.
    row = new._replace(answers=json.loads(json.dumps(new.answers)), administered_at=at)
    place = bisect_right([r.administered_at for r in record.responses], at)
    return replace(record, responses=[*record.responses[:place], row, *record.responses[place:]])


def build_situation(
    session: Session, patient: PatientFacts, now: datetime, catalog: Catalog | None = None
) -> StoredSituation:
    """The engine's situation of the record at `now`, validated as `morrow check` validates its input."""
    catalog = catalog or load_catalog()
    record = read_record(session, patient, now, catalog)
    return StoredSituation(situation=situation_of_record(record, catalog), record=record)


def situation_of_record(record: StoredRecord, catalog: Catalog) -> Situation:
    patient = record.patient
    person = make_patient(
        patient.timezone,
        pregnant=patient.pregnant,
        opioid_abstinent_since=patient.opioid_abstinent_since,
        taper_completed_on=patient.taper_completed_on,
    )
    return situation_of(
        record.now,
        person,
        regimen=[
            make_regimen_item(
                i.substance_id,
                i.form,
                i.ceiling_dose,
                i.unit,
                i.max_doses_per_day,
                where=f"regimen[{n}]",
                catalog=catalog,
            )
            for n, i in enumerate(record.regimen)
        ],
        doses=make_doses(
            ((d.substance_id, d.form, d.amount, d.unit, d.taken_at) for d in record.doses),
            catalog=catalog,
            zone=person.timezone,
        ),
        checkins=[
            make_checkin(r.instrument_id, r.answers, r.administered_at, where=f"checkins[{n}]")
            for n, r in enumerate(record.responses)
        ],
        symptoms=[
            make_symptom(code, at, where=f"symptoms[{n}]", catalog=catalog)
            for n, (code, at) in enumerate(record.reports)
        ],
    )


def _recorded_after(record: StoredRecord) -> dict[str, datetime]:
    """The latest recording time per substance, and under "reports" that of the check-ins and symptoms."""
    recorded: dict[str, datetime] = {}
    for dose in record.doses:
        recorded[dose.substance_id] = max(recorded.get(dose.substance_id, dose.created_at), dose.created_at)
    report_times = [r.created_at for r in record.responses] + [r.created_at for r in record.symptoms]
    if report_times:
        recorded["reports"] = max(report_times)
    return recorded
