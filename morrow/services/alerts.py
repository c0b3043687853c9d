"""Alerts: safety findings on a patient's stored record, with their lifecycle.

Every write of a dose, check-in or symptom report evaluates the patient's record in the same
transaction. A finding at caution or above raises an alert, unless an alert for the same condition
(fingerprint) is still open or acknowledged: then that alert is seen again, and escalated if the
finding is more severe. A resolved condition is raised again only on new evidence recorded after the
resolution. Urgent alerts are queued in the outbox at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from morrow.catalog import load_catalog
from morrow.db.models import Alert, Finding, Patient
from morrow.db.prepared import Prepared
from morrow.safety import Finding as EngineFinding
from morrow.safety import evaluate
from morrow.services.actors import Actor
from morrow.services.audit import audit
from morrow.services.outbox import enqueue
from morrow.services.situation import (
    StoredRecord,
    StoredSituation,
    build_situation,
    read_patient,
    read_record,
    situation_of_record,
)
from morrow.services.tx import atomic, reading

RANK = {"urgent": 0, "warning": 1, "caution": 2, "info": 3}
ALERTING = frozenset({"urgent", "warning", "caution"})
SUBSTANCE_CATEGORIES = frozenset({"interaction", "dose", "product", "dependence"})


@dataclass(frozen=True)
class Foreseen:
    """A patient's record evaluated as it will be once one new entry is stored, before the write began."""

    version: int  # the record's version when it was read; storing the entry makes it version + 1
    stored: StoredSituation
    findings: list[EngineFinding]


_RECORD_VERSION = Prepared(select(Patient.record_version).where(Patient.id == bindparam("patient")), "Version")


def foresee(
    session: Session, patient_id: int, now: datetime, with_entry: Callable[[StoredRecord], StoredRecord]
) -> Foreseen:
    """Evaluate the patient's record at `now` with an entry not yet stored (`with_entry` adds it to the
    rows read), in a read-only transaction: on SQLite this holds no write lock, so the evaluation is not
    part of the time one writer makes the others wait. The version is read first: under PostgreSQL's
    READ COMMITTED each statement sees the latest commits, so rows newer than the version can only make
    `check_patient` evaluate again, never accept a stale evaluation. The caller has checked access."""
    catalog = load_catalog()
    with reading(session):
        version = _version(session, patient_id)
        record = with_entry(read_record(session, read_patient(session, patient_id), now, catalog))
    stored = StoredSituation(situation=situation_of_record(record, catalog), record=record)
    return Foreseen(version=version, stored=stored, findings=_alerting(stored, now))


def _version(session: Session, patient_id: int) -> int:
    found: int = _RECORD_VERSION.scalar(session.connection(), {"patient": patient_id})
    return found


def _alerting(stored: StoredSituation, now: datetime) -> list[EngineFinding]:
    return [f for f in evaluate(stored.situation, now) if f.severity in ALERTING]


def check_patient(
    session: Session, actor: Actor, patient_id: int, now: datetime, foreseen: Foreseen | None = None
) -> list[Alert]:
    """Evaluate the patient's record at `now`; return the alerts raised or escalated by this evaluation.

    With `foreseen` (the record evaluated before this transaction, with the entry it has just stored), that
    evaluation is used when the record's version shows that the entry is the only change since: triggers
    bump the version on every change to what the rules read (`morrow.db.triggers`). Otherwise the record is
    read and evaluated again here, as it stands in this transaction. Inside a caller's transaction it
    takes no savepoint: an error here fails the caller's whole unit (the entry is not stored without it)."""
    with atomic(session, savepoint=False):
        if foreseen is not None:
            session.flush()
        if foreseen is not None and _version(session, patient_id) == foreseen.version + 1:
            stored, findings = foreseen.stored, foreseen.findings
        else:
            stored = build_situation(session, read_patient(session, patient_id), now)
            findings = _alerting(stored, now)
        if not findings:
            return []
        known = session.scalars(
            select(Alert)
            .where(Alert.patient_id == patient_id, Alert.fingerprint.in_({f.fingerprint for f in findings}))
            .order_by(Alert.id)
        ).all()
        live = {a.fingerprint: a for a in known if a.status != "resolved"}
        resolved = {a.fingerprint: a for a in known if a.status == "resolved"}  # by id: the latest wins
        changed = [
            _raise(session, actor, patient_id, f, stored, now, live.get(f.fingerprint), resolved.get(f.fingerprint))
            for f in findings
        ]
    return [alert for alert in changed if alert is not None]


def _raise(
    session: Session,
    actor: Actor,
    patient_id: int,
    finding: EngineFinding,
    stored: StoredSituation,
    now: datetime,
    live: Alert | None,
    resolved: Alert | None,
) -> Alert | None:
    if live is not None:
        live.last_seen_at = max(live.last_seen_at, now)
        live.occurrences += 1
        if RANK[finding.severity] >= RANK[live.severity]:
            return None
        live.severity = finding.severity
        _record(session, actor, live, finding, now, action="escalate")
        return live
    if resolved is not None and resolved.resolved_at and not _new_evidence(finding, stored, resolved.resolved_at):
        return None
    alert = Alert(
        patient_id=patient_id,
        rule_id=finding.rule_id,
        fingerprint=finding.fingerprint,
        severity=finding.severity,
        category=finding.category,
        title=finding.title[:200],
        status="open",
        first_seen_at=now,
        last_seen_at=now,
    )
    session.add(alert)
    session.flush()
    _record(session, actor, alert, finding, now, action="raise")
    return alert


def _record(session: Session, actor: Actor, alert: Alert, finding: EngineFinding, now: datetime, action: str) -> None:
    session.add(
        Finding(
            patient_id=alert.patient_id,
            alert_id=alert.id,
            rule_id=finding.rule_id,
            severity=finding.severity,
            category=finding.category,
            substances=list(finding.substances),
            title=finding.title[:200],
            patient_message=finding.patient_message,
            clinician_message=finding.clinician_message,
            sources=list(finding.sources),
            evidence={"claims": list(finding.evidence), "fingerprint": finding.fingerprint},
            detected_at=now,
        )
    )
    if finding.severity == "urgent":
        payload = {
            "alert_id": alert.id,
            "patient_id": alert.patient_id,
            "rule_id": finding.rule_id,
            "severity": finding.severity,
            "title": finding.title,
        }
        enqueue(session, "alert.urgent", payload, now)
    audit(
        session,
        actor,
        action,
        "alert",
        alert.id,
        patient_id=alert.patient_id,
        detail={"rule_id": finding.rule_id, "severity": finding.severity},
    )


def _new_evidence(finding: EngineFinding, stored: StoredSituation, resolved_at: datetime) -> bool:
    """Was anything behind this finding recorded after the alert was resolved?"""
    sources = list(finding.substances)
    if finding.category not in SUBSTANCE_CATEGORIES or not sources:
        sources.append("reports")
    return any(stored.recorded_after.get(key, resolved_at) > resolved_at for key in sources)
