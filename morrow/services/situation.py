"""A patient's stored record, as the safety engine's situation at one moment.

Only what a rule can use is sent, which keeps each evaluation near a millisecond: every dose of the last
15 days (fast escalation compares two 168-hour weeks), older doses whose active window still reaches
the look-back (fluoxetine's runs 24 days), the latest kratom dose of the liver rule's 60 days, and the
check-ins and symptoms of the look-back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from morrow.catalog import Catalog, load_catalog
from morrow.db.models import DoseLog, Patient, QuestionnaireResponse, Regimen, SymptomReport
from morrow.safety import INSTRUMENTS_READ, active_window_hours, rule_book

RECENT_DAYS = 15
SYMPTOM_SEVERITY_FLOOR = 1  # a symptom rated 0 ("not at all") is not a report of it


@dataclass(frozen=True)
class StoredSituation:
    raw: dict[str, Any]
    recorded_after: dict[str, datetime]  # latest recording time per substance, and "reports" for the rest


# Built once: this runs on every write, so statements are bound, not rebuilt, and rows are plain tuples.
_DOSE_COLUMNS = (DoseLog.substance_id, DoseLog.form, DoseLog.amount, DoseLog.unit, DoseLog.taken_at, DoseLog.created_at)
_DOSES = (
    select(*_DOSE_COLUMNS)
    .where(DoseLog.patient_id == bindparam("patient"), DoseLog.voided_at.is_(None))
    .where(DoseLog.taken_at >= bindparam("since"), DoseLog.taken_at <= bindparam("now"))
    .order_by(DoseLog.taken_at, DoseLog.id)
)
_LAST_KRATOM = (
    select(*_DOSE_COLUMNS)
    .where(DoseLog.patient_id == bindparam("patient"), DoseLog.voided_at.is_(None), DoseLog.substance_id == "kratom")
    .where(DoseLog.taken_at >= bindparam("since"), DoseLog.taken_at <= bindparam("now"))
    .order_by(DoseLog.taken_at.desc())
    .limit(1)
)
_RESPONSES = (
    select(
        QuestionnaireResponse.instrument_id,
        QuestionnaireResponse.answers,
        QuestionnaireResponse.administered_at,
        QuestionnaireResponse.created_at,
    )
    .where(QuestionnaireResponse.patient_id == bindparam("patient"), QuestionnaireResponse.voided_at.is_(None))
    .where(QuestionnaireResponse.instrument_id.in_(sorted(INSTRUMENTS_READ)))  # the others change no finding
    .where(QuestionnaireResponse.administered_at >= bindparam("since"))
    .where(QuestionnaireResponse.administered_at <= bindparam("now"))
    .order_by(QuestionnaireResponse.administered_at)
)
_SYMPTOMS = (
    select(SymptomReport.symptoms, SymptomReport.reported_at, SymptomReport.created_at)
    .where(SymptomReport.patient_id == bindparam("patient"))
    .where(SymptomReport.reported_at >= bindparam("since"), SymptomReport.reported_at <= bindparam("now"))
    .order_by(SymptomReport.reported_at)
)
_ACTIVE_REGIMEN = select(Regimen).where(Regimen.patient_id == bindparam("patient"), Regimen.status == "active")


def _longest_window_hours(catalog: Catalog) -> float:
    return max(active_window_hours(s, 1.0) for s in catalog.substances if s.half_life is not None)


def build_situation(
    session: Session, patient: Patient, now: datetime, catalog: Catalog | None = None
) -> StoredSituation:
    catalog = catalog or load_catalog()
    thresholds = rule_book().thresholds
    lookback = timedelta(hours=thresholds.lookback_hours)
    earliest = now - max(timedelta(days=RECENT_DAYS), timedelta(hours=_longest_window_hours(catalog)) + lookback)
    doses = session.execute(_DOSES, {"patient": patient.id, "since": earliest, "now": now}).all()
    recent_from, active_from = now - timedelta(days=RECENT_DAYS), now - lookback
    kept = [
        d
        for d in doses
        if d.taken_at >= recent_from
        or d.taken_at + timedelta(hours=active_window_hours(catalog.substance(d.substance_id), d.amount)) >= active_from
    ]
    if not any(d.substance_id == "kratom" for d in kept):
        since = now - timedelta(days=thresholds.liver_window_days)
        kept[:0] = session.execute(_LAST_KRATOM, {"patient": patient.id, "since": since, "now": now}).all()
    window = {"patient": patient.id, "since": active_from, "now": now}
    responses = session.execute(_RESPONSES, window).all()
    symptoms = session.execute(_SYMPTOMS, window).all()
    regimen = session.scalars(_ACTIVE_REGIMEN, {"patient": patient.id}).first()
    raw = {
        "now": now.isoformat(),
        "patient": {
            "timezone": patient.timezone,
            "pregnant": patient.pregnant,
            "opioid_abstinent_since": _iso(patient.opioid_abstinent_since),
            "taper_completed_on": _iso(patient.taper_completed_on),
        },
        "regimen": [
            {
                "substance": i.substance_id,
                "form": i.form,
                "max_dose": i.ceiling_dose,
                "unit": i.unit,
                "max_doses_per_day": i.max_doses_per_day,
            }
            for i in (regimen.items if regimen else [])
        ],
        "doses": [
            {
                "substance": d.substance_id,
                "form": d.form,
                "amount": d.amount,
                "unit": d.unit,
                "taken_at": d.taken_at.isoformat(),
            }
            for d in kept
        ],
        "checkins": [
            {"instrument": r.instrument_id, "answers": r.answers, "at": r.administered_at.isoformat()}
            for r in responses
        ],
        "symptoms": [
            {"code": code, "at": report.reported_at.isoformat()}
            for report in symptoms
            for code, severity in report.symptoms.items()
            if severity >= SYMPTOM_SEVERITY_FLOOR
        ],
    }
    recorded: dict[str, datetime] = {}
    for dose in kept:
        recorded[dose.substance_id] = max(recorded.get(dose.substance_id, dose.created_at), dose.created_at)
    report_times = [r.created_at for r in responses] + [r.created_at for r in symptoms]
    if report_times:
        recorded["reports"] = max(report_times)
    return StoredSituation(raw=raw, recorded_after=recorded)


def _iso(value: Any) -> str | None:
    return None if value is None else str(value.isoformat())
