"""Alerts: safety findings on a patient's stored record, with their lifecycle.

Every write of a dose, check-in or symptom report evaluates the patient's record in the same
transaction. A finding at caution or above raises an alert, unless an alert for the same condition
(fingerprint) is still open or acknowledged: then that alert is seen again, and escalated if the
finding is more severe. A resolved condition is raised again only on new evidence recorded after the
resolution. Urgent alerts are queued in the outbox at once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from morrow.db.models import Alert, Finding
from morrow.safety import Finding as EngineFinding
from morrow.safety import evaluate
from morrow.services.actors import Actor
from morrow.services.audit import audit
from morrow.services.outbox import enqueue
from morrow.services.situation import StoredSituation, build_situation, read_patient
from morrow.services.tx import atomic

RANK = {"urgent": 0, "warning": 1, "caution": 2, "info": 3}
ALERTING = frozenset({"urgent", "warning", "caution"})
SUBSTANCE_CATEGORIES = frozenset({"interaction", "dose", "product", "dependence"})


def check_patient(session: Session, actor: Actor, patient_id: int, now: datetime) -> list[Alert]:
    """Evaluate the patient's record at `now`; return the alerts raised or escalated by this evaluation."""
    with atomic(session):
        stored = build_situation(session, read_patient(session, patient_id), now)
        findings = [f for f in evaluate(stored.situation, now) if f.severity in ALERTING]
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
