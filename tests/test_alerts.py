"""Alerts from stored data: raised in the write's transaction, de-duplicated, re-raised on new evidence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from morrow.db.models import Alert, AuditEvent, Finding, OutboxMessage
from morrow.domain.errors import Conflict
from morrow.services.alerts import check_patient
from morrow.services.checkins import record_response
from morrow.services.doses import edit_dose, log_dose
from morrow.services.symptoms import report_symptoms
from tests.conftest import Cast

EVENING = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)  # 20:00 in New York


def dose(substance: str, amount: float, unit: str, at: datetime, key: str, **extra: Any) -> dict[str, Any]:
    return {
        "substance": substance,
        "amount": amount,
        "unit": unit,
        "taken_at": at.isoformat(),
        "idempotency_key": key,
    } | extra


def alerts(session: Session) -> list[Alert]:
    with session.begin():
        return list(session.scalars(select(Alert).order_by(Alert.id)))


def outbox(session: Session) -> list[OutboxMessage]:
    with session.begin():
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_alcohol_after_kratom_raises_an_urgent_alert_in_the_same_write(session: Session, cast: Cast) -> None:
    alice = cast.actor(cast.alice)
    log_dose(session, alice, cast.alice_patient.id, dose("kratom", 3, "g", EVENING, "k-0000001"), now=EVENING)
    assert alerts(session) == []
    later = EVENING + timedelta(hours=1)
    log_dose(session, alice, cast.alice_patient.id, dose("alcohol", 2, "standard_drink", later, "a-0000001"), now=later)
    [alert] = alerts(session)
    assert (alert.rule_id, alert.severity, alert.category, alert.status) == (
        "INT-KRATOM-ALCOHOL",
        "urgent",
        "interaction",
        "open",
    )
    with session.begin():
        finding = session.scalars(select(Finding)).one()
        assert finding.alert_id == alert.id
        assert sorted(finding.substances) == ["alcohol", "kratom"]
        assert "naloxone" in finding.patient_message
        assert finding.sources
        raised = session.scalars(select(AuditEvent).where(AuditEvent.action == "raise")).one()
        assert (raised.actor_id, raised.patient_id) == (cast.alice.id, cast.alice_patient.id)
    [message] = outbox(session)
    assert (message.kind, message.status, message.payload["alert_id"]) == ("alert.urgent", "pending", alert.id)


def test_an_edited_dose_is_evaluated_as_edited(session: Session, cast: Cast) -> None:
    """The edit is evaluated in its own transaction, before it commits: the rules see the new time."""
    alice = cast.actor(cast.alice)
    log_dose(session, alice, cast.alice_patient.id, dose("kratom", 3, "g", EVENING, "k-0000009"), now=EVENING)
    days_before = EVENING - timedelta(days=3)
    drink, _ = log_dose(
        session,
        alice,
        cast.alice_patient.id,
        dose("alcohol", 2, "standard_drink", days_before, "a-0000009"),
        now=EVENING,
    )
    assert alerts(session) == []
    moved = {"taken_at": (EVENING + timedelta(minutes=30)).isoformat(), "reason": "typed the wrong day"}
    edit_dose(session, alice, drink.id, moved, now=EVENING + timedelta(hours=1))
    assert [(a.rule_id, a.severity) for a in alerts(session)] == [("INT-KRATOM-ALCOHOL", "urgent")]


def test_a_persisting_condition_is_one_alert_seen_again(session: Session, cast: Cast) -> None:
    alice = cast.actor(cast.alice)
    log_dose(session, alice, cast.alice_patient.id, dose("kratom", 3, "g", EVENING, "k-0000001"), now=EVENING)
    log_dose(
        session,
        alice,
        cast.alice_patient.id,
        dose("alcohol", 2, "standard_drink", EVENING + timedelta(hours=1), "a-0000001"),
        now=EVENING + timedelta(hours=1),
    )
    for minutes in (10, 20, 30):
        check_patient(session, alice, cast.alice_patient.id, EVENING + timedelta(hours=1, minutes=minutes))
    [alert] = alerts(session)
    assert alert.occurrences == 4
    assert alert.last_seen_at == EVENING + timedelta(hours=1, minutes=30)
    assert len(outbox(session)) == 1


def test_a_resolved_condition_returns_only_with_new_evidence(session: Session, cast: Cast, system: Any) -> None:
    from morrow.services.alerts_lifecycle import resolve_alert

    alice, bob = cast.actor(cast.alice), cast.actor(cast.bob)
    log_dose(session, alice, cast.alice_patient.id, dose("kratom", 3, "g", EVENING, "k-0000001"), now=EVENING)
    t1 = EVENING + timedelta(hours=1)
    log_dose(session, alice, cast.alice_patient.id, dose("alcohol", 2, "standard_drink", t1, "a-0000001"), now=t1)
    [first] = alerts(session)
    resolve_alert(session, bob, first.id, "Called Alice; she is safe with her partner.", now=t1 + timedelta(minutes=20))
    # Re-evaluating the same, old doses does not raise it again...
    check_patient(session, alice, cast.alice_patient.id, t1 + timedelta(minutes=40))
    assert [(a.rule_id, a.status) for a in alerts(session)] == [("INT-KRATOM-ALCOHOL", "resolved")]
    # ...a new symptom report is not evidence of the interaction either...
    report_symptoms(
        session,
        alice,
        cast.alice_patient.id,
        {
            "reported_at": (t1 + timedelta(minutes=45)).isoformat(),
            "symptoms": {"headache": 1},
            "idempotency_key": "sym-000001",
        },
        now=t1 + timedelta(minutes=45),
    )
    assert [(a.rule_id, a.status) for a in alerts(session)] == [("INT-KRATOM-ALCOHOL", "resolved")]
    # ...but another drink is.
    t2 = t1 + timedelta(hours=1)
    log_dose(session, alice, cast.alice_patient.id, dose("alcohol", 1, "standard_drink", t2, "a-0000002"), now=t2)
    assert [(a.rule_id, a.status) for a in alerts(session)] == [
        ("INT-KRATOM-ALCOHOL", "resolved"),
        ("INT-KRATOM-ALCOHOL", "open"),
    ]
    assert len(outbox(session)) == 2


def test_an_alert_escalates_when_the_same_condition_becomes_more_severe(session: Session, cast: Cast) -> None:
    alice = cast.actor(cast.alice)
    phq9 = {
        "instrument": "phq9",
        "answers": {"items": [1, 1, 1, 1, 1, 1, 1, 1, None]},
        "administered_at": EVENING.isoformat(),
        "idempotency_key": "phq9-00001",
    }
    record_response(session, alice, cast.alice_patient.id, phq9, now=EVENING)
    assert [(a.rule_id, a.severity) for a in alerts(session)] == [("RF-PHQ9-ITEM9-UNANSWERED", "caution")]
    answered = phq9 | {"answers": {"items": [1, 1, 1, 1, 1, 1, 1, 1, 2]}, "idempotency_key": "phq9-00002"}
    record_response(session, alice, cast.alice_patient.id, answered, now=EVENING + timedelta(minutes=5))
    by_rule = {a.rule_id: a for a in alerts(session)}
    assert by_rule["RF-SUICIDALITY"].severity == "urgent"
    assert [m.payload["rule_id"] for m in outbox(session)] == ["RF-SUICIDALITY"]


def test_safe_routines_raise_nothing(session: Session, cast: Cast) -> None:
    alice = cast.actor(cast.alice)
    for day in range(5):
        at = EVENING - timedelta(days=day)
        log_dose(
            session,
            alice,
            cast.alice_patient.id,
            dose("sertraline", 50, "mg", at - timedelta(hours=12), f"s-{day:07d}"),
            now=EVENING,
        )
        log_dose(
            session,
            alice,
            cast.alice_patient.id,
            dose("melatonin", 1, "mg", at + timedelta(hours=2), f"m-{day:07d}"),
            now=EVENING + timedelta(hours=3),
        )
    assert alerts(session) == []


def test_a_failed_write_leaves_no_alert_behind(session: Session, cast: Cast) -> None:
    alice = cast.actor(cast.alice)
    log_dose(session, alice, cast.alice_patient.id, dose("kratom", 3, "g", EVENING, "k-0000001"), now=EVENING)
    bad = dose("alcohol", 2, "standard_drink", EVENING + timedelta(hours=1), "k-0000001")  # key already used
    with pytest.raises(Conflict):
        log_dose(session, alice, cast.alice_patient.id, bad, now=EVENING + timedelta(hours=1))
    assert alerts(session) == []
    assert outbox(session) == []
