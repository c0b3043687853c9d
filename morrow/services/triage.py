"""Triage: a clinician's team patients ordered by risk, from a handful of aggregate queries.

The order (the rule is shown on the page, word for word from `RULE`):
1. an open urgent alert, 2. an open warning, 3. a worsening trend: the mean SOWS total or craving score of
the last 3 days (72 hours) is above the mean of the 7 days before (both windows need a check-in),
4. no check-in (any questionnaire) for 2 days (48 hours) or more, 5. an open caution, 6. nothing flagged.
Within a tier: more open alerts first, then the oldest last check-in, then the name.

Every query is grouped by patient (no query per patient), so 1,000 patients cost the same few queries.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from morrow.db.models import (
    Alert,
    DoseChangeRequest,
    Finding,
    Patient,
    QuestionnaireResponse,
    Regimen,
    RegimenItem,
    care_team_members,
    care_team_patients,
)
from morrow.domain.errors import PermissionDenied
from morrow.services.access import require_access
from morrow.services.actors import Actor
from morrow.services.audit import audit
from morrow.services.inputs import valid_id
from morrow.services.tx import atomic, reading

TREND_INSTRUMENTS = {"sows": "SOWS", "craving-vas": "craving"}
RECENT = timedelta(days=3)
BEFORE = timedelta(days=7)
MISSED_AFTER = timedelta(days=2)
TIERS = ("urgent", "warning", "trend", "missed", "caution", "none")
RULE = (
    "Patients are listed in this order: an open urgent alert; an open warning; a worsening trend (the mean SOWS "
    "total or craving score of the last 3 days is above the mean of the 7 days before); no check-in for 2 days "
    "or more; an open caution; nothing flagged."
)


@dataclass(frozen=True)
class Trend:
    measure: str
    recent_mean: float
    earlier_mean: float


@dataclass(frozen=True)
class TriageRow:
    patient_id: int
    display_name: str
    tier: str
    urgent: int
    warning: int
    caution: int
    trends: tuple[Trend, ...]
    last_check_in: datetime | None
    reasons: tuple[str, ...]


def team_patient_ids(actor: Actor) -> Select[tuple[int]]:
    """The ids of the patients on the clinician's care teams, as a subquery."""
    teams = select(care_team_members.c.care_team_id).where(care_team_members.c.user_id == actor.user_id)
    return select(care_team_patients.c.patient_id).where(care_team_patients.c.care_team_id.in_(teams))


def triage(session: Session, actor: Actor, *, now: datetime | None = None) -> list[TriageRow]:
    """The actor's team patients, most at risk first, each with the reasons it is placed where it is."""
    if actor.role != "clinician":
        raise PermissionDenied("triage lists a clinician's own patients", field="actor")
    now = now or datetime.now(UTC)
    ids = team_patient_ids(actor)
    with atomic(session):
        patients = session.execute(select(Patient.id, Patient.display_name).where(Patient.id.in_(ids))).all()
        alerts = _alert_counts(session, ids)
        trends = _trends(session, ids, now)
        last = _last_check_ins(session, ids)
        rows = [_row(pid, name, alerts.get(pid, {}), trends.get(pid, ()), last.get(pid), now) for pid, name in patients]
        # Which patients were shown, not only how many: each patient's access history can be traced.
        audit(session, actor, "read", "triage", detail={"patients": sorted(pid for pid, _ in patients)})
    return sorted(rows, key=_order)


def _order(row: TriageRow) -> tuple[int, int, float, str, int]:
    oldest = row.last_check_in.timestamp() if row.last_check_in else 0.0
    return (TIERS.index(row.tier), -(row.urgent + row.warning + row.caution), oldest, row.display_name, row.patient_id)


def _alert_counts(session: Session, ids: Select[tuple[int]]) -> dict[int, dict[str, int]]:
    query = (
        select(Alert.patient_id, Alert.severity, func.count(Alert.id))
        .where(Alert.status == "open", Alert.patient_id.in_(ids))
        .group_by(Alert.patient_id, Alert.severity)
    )
    counts: dict[int, dict[str, int]] = {}
    for patient_id, severity, count in session.execute(query):
        counts.setdefault(patient_id, {})[severity] = count
    return counts


def _trends(session: Session, ids: Select[tuple[int]], now: datetime) -> dict[int, tuple[Trend, ...]]:
    split, start = now - RECENT, now - RECENT - BEFORE
    recent = func.avg(case((QuestionnaireResponse.administered_at >= split, QuestionnaireResponse.total)))
    earlier = func.avg(case((QuestionnaireResponse.administered_at < split, QuestionnaireResponse.total)))
    query = (
        select(QuestionnaireResponse.patient_id, QuestionnaireResponse.instrument_id, recent, earlier)
        .where(
            QuestionnaireResponse.patient_id.in_(ids),
            QuestionnaireResponse.instrument_id.in_(list(TREND_INSTRUMENTS)),
            QuestionnaireResponse.administered_at >= start,
            QuestionnaireResponse.administered_at <= now,
            QuestionnaireResponse.voided_at.is_(None),
            QuestionnaireResponse.total.is_not(None),
        )
        .group_by(QuestionnaireResponse.patient_id, QuestionnaireResponse.instrument_id)
    )
    found: dict[int, list[Trend]] = {}
    for patient_id, instrument, recent_mean, earlier_mean in session.execute(query):
        if recent_mean is not None and earlier_mean is not None and recent_mean > earlier_mean:
            trend = Trend(TREND_INSTRUMENTS[instrument], round(float(recent_mean), 1), round(float(earlier_mean), 1))
            found.setdefault(patient_id, []).append(trend)
    return {pid: tuple(sorted(t, key=lambda x: x.measure)) for pid, t in found.items()}


def _last_check_ins(session: Session, ids: Select[tuple[int]]) -> dict[int, datetime]:
    # One seek per patient in ix_questionnaire_responses_patient_live_at, not a scan of every check-in.
    latest = (
        select(func.max(QuestionnaireResponse.administered_at))
        .where(QuestionnaireResponse.patient_id == Patient.id, QuestionnaireResponse.voided_at.is_(None))
        .scalar_subquery()
    )
    query = select(Patient.id, latest).where(Patient.id.in_(ids))
    return {pid: _aware(at) for pid, at in session.execute(query) if at is not None}


def _aware(value: datetime | str) -> datetime:
    # An aggregate bypasses the column type, so SQLite may hand back text or a naive UTC datetime.
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _row(
    patient_id: int, name: str, alerts: dict[str, int], trends: tuple[Trend, ...], last: datetime | None, now: datetime
) -> TriageRow:
    urgent, warning, caution = alerts.get("urgent", 0), alerts.get("warning", 0), alerts.get("caution", 0)
    missed = last is None or now - last >= MISSED_AFTER
    reasons = []
    if urgent:
        reasons.append(f"{urgent} open urgent alert{'s' if urgent > 1 else ''}")
    if warning:
        reasons.append(f"{warning} open warning{'s' if warning > 1 else ''}")
    for trend in trends:
        reasons.append(
            f"{trend.measure} rising: mean {trend.recent_mean:g} in the last 3 days, {trend.earlier_mean:g} before"
        )
    if missed:
        reasons.append("no check-in yet" if last is None else f"no check-in for {(now - last).days} days")
    if caution:
        reasons.append(f"{caution} open caution{'s' if caution > 1 else ''}")
    flags = (urgent > 0, warning > 0, bool(trends), missed, caution > 0, True)
    tier = TIERS[flags.index(True)]
    return TriageRow(patient_id, name, tier, urgent, warning, caution, trends, last, tuple(reasons))


def patient_names(session: Session, patient_ids: Iterable[int]) -> dict[int, str]:
    """Display names for rows the actor was already allowed to list (no health data)."""
    wanted = sorted(set(patient_ids))
    if not wanted:
        return {}
    with reading(session):
        rows = session.execute(select(Patient.id, Patient.display_name).where(Patient.id.in_(wanted))).all()
    return dict(rows)


def latest_findings(session: Session, alert_ids: Iterable[int]) -> dict[int, Finding]:
    """The newest stored finding of each alert (its clinician message and sources), for alerts already listed."""
    wanted = sorted(set(alert_ids))
    found: dict[int, Finding] = {}
    if not wanted:
        return found
    with reading(session):
        query = select(Finding).where(Finding.alert_id.in_(wanted)).order_by(Finding.detected_at, Finding.id)
        for finding in session.scalars(query):
            if finding.alert_id is not None:
                found[finding.alert_id] = finding
    return found


def patient_today(session: Session, patient_id: int, now: datetime | None = None) -> date:
    """The patient's own date now, in their time zone (UTC for an unknown id: the service then refuses it)."""
    with reading(session):
        zone = (
            session.scalar(select(Patient.timezone).where(Patient.id == patient_id)) if valid_id(patient_id) else None
        )
    return (now or datetime.now(UTC)).astimezone(ZoneInfo(zone or "UTC")).date()


def dose_change_today(session: Session, request_id: int, now: datetime | None = None) -> date:
    """The local date of the patient a dose change request is for (UTC when there is no such request)."""
    with reading(session):
        found = (
            session.scalar(select(DoseChangeRequest.patient_id).where(DoseChangeRequest.id == request_id))
            if valid_id(request_id)
            else None
        )
    return patient_today(session, found or 0, now)


def regimen_item_patient(session: Session, regimen_item_id: int) -> int | None:
    """Whose regimen an item belongs to (None for an unknown id), to check a route's patient before writing."""
    if not valid_id(regimen_item_id):
        return None
    with reading(session):
        query = select(Regimen.patient_id).join(RegimenItem).where(RegimenItem.id == regimen_item_id)
        return session.scalar(query)


def require_patient(session: Session, actor: Actor, patient_id: int) -> str:
    """The patient's display name when the actor may see their record (403 or 404 otherwise), audited."""
    with atomic(session):
        patient = require_access(session, actor, patient_id)
        audit(session, actor, "read", "patient", patient_id, patient_id=patient_id)
        return patient.display_name
