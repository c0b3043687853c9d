"""Clinicians triage alerts: the inbox shows their teams' patients only; acknowledge, then resolve."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from morrow.domain.errors import Conflict, PermissionDenied, ValidationError
from morrow.services.alerts_lifecycle import acknowledge_alert, list_alerts, resolve_alert
from morrow.services.doses import log_dose
from tests.conftest import Cast

EVENING = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)


def raise_kratom_alcohol(session: Session, cast: Cast, patient_id: int, who: str = "alice") -> int:
    actor = cast.actor(getattr(cast, who)) if who != "system" else None
    from morrow.services.actors import Actor

    actor = actor or Actor.system("test")
    log_dose(
        session,
        actor,
        patient_id,
        {
            "substance": "kratom",
            "amount": 3,
            "unit": "g",
            "taken_at": EVENING.isoformat(),
            "idempotency_key": "life-k-0001",
        },
        now=EVENING,
    )
    later = EVENING + timedelta(hours=1)
    log_dose(
        session,
        actor,
        patient_id,
        {
            "substance": "alcohol",
            "amount": 2,
            "unit": "standard_drink",
            "taken_at": later.isoformat(),
            "idempotency_key": "life-a-0001",
        },
        now=later,
    )
    [alert] = list_alerts(session, Actor.system("test"), patient_id=patient_id)
    return alert.id


def test_the_inbox_holds_only_the_clinicians_own_patients(session: Session, cast: Cast) -> None:
    alice_alert = raise_kratom_alcohol(session, cast, cast.alice_patient.id)
    other_alert = raise_kratom_alcohol(session, cast, cast.other_patient.id, who="system")
    assert [a.id for a in list_alerts(session, cast.actor(cast.bob))] == [alice_alert]
    assert [a.id for a in list_alerts(session, cast.actor(cast.carol))] == [other_alert]
    with pytest.raises(PermissionDenied):
        list_alerts(session, cast.actor(cast.admin))
    with pytest.raises(PermissionDenied):
        list_alerts(session, cast.actor(cast.carol), patient_id=cast.alice_patient.id)
    assert [a.id for a in list_alerts(session, cast.actor(cast.alice), patient_id=cast.alice_patient.id)] == [
        alice_alert
    ]


def test_acknowledge_then_resolve_records_who_when_and_why(session: Session, cast: Cast) -> None:
    alert_id = raise_kratom_alcohol(session, cast, cast.alice_patient.id)
    bob = cast.actor(cast.bob)
    at = EVENING + timedelta(hours=2)
    acknowledged = acknowledge_alert(session, bob, alert_id, "calling her now", now=at)
    assert (acknowledged.status, acknowledged.acknowledged_by_id, acknowledged.acknowledged_at) == (
        "acknowledged",
        cast.bob.id,
        at,
    )
    assert acknowledge_alert(session, bob, alert_id, now=at + timedelta(minutes=1)).acknowledged_at == at
    resolved = resolve_alert(
        session, bob, alert_id, "Spoke with Alice; no more alcohol tonight.", now=at + timedelta(minutes=9)
    )
    assert (resolved.status, resolved.resolved_by_id) == ("resolved", cast.bob.id)
    assert resolved.resolution_note == "Spoke with Alice; no more alcohol tonight."
    assert list_alerts(session, bob) == []
    with pytest.raises(Conflict):
        resolve_alert(session, bob, alert_id, "again", now=at)


def test_only_the_patients_clinicians_act_on_an_alert(session: Session, cast: Cast) -> None:
    alert_id = raise_kratom_alcohol(session, cast, cast.alice_patient.id)
    for outsider in (cast.alice, cast.carol, cast.admin):
        with pytest.raises(PermissionDenied):
            acknowledge_alert(session, cast.actor(outsider), alert_id)
        with pytest.raises(PermissionDenied):
            resolve_alert(session, cast.actor(outsider), alert_id, "not mine to close")


@pytest.mark.parametrize("note", ["", "  ", "ok", "x\x00y", "x" * 4001])
def test_a_resolution_needs_a_real_note(session: Session, cast: Cast, note: str) -> None:
    alert_id = raise_kratom_alcohol(session, cast, cast.alice_patient.id)
    with pytest.raises(ValidationError) as caught:
        resolve_alert(session, cast.actor(cast.bob), alert_id, note)
    assert caught.value.field == "note"


def test_reading_the_inbox_records_which_patients_were_shown(session: Session, cast: Cast) -> None:
    from sqlalchemy import select

    from morrow.db.models import AuditEvent

    raise_kratom_alcohol(session, cast, cast.alice_patient.id)
    list_alerts(session, cast.actor(cast.bob))
    with session.begin():
        read = session.scalars(
            select(AuditEvent).where(AuditEvent.entity == "alerts", AuditEvent.actor_id == cast.bob.id)
        ).one()
    assert read.detail == {"patients": [cast.alice_patient.id]}
