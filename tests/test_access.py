"""Who may write to a patient's record: the patient, their care team's clinicians, and Morrow itself."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from morrow.db.models import AuditEvent
from morrow.domain.errors import NotFound, PermissionDenied
from morrow.services.access import check_access, require_access
from morrow.services.actors import Actor
from morrow.services.checkins import edit_response, record_response, record_sleep_diary
from morrow.services.doses import edit_dose, log_dose, void_dose
from morrow.services.people import add_to_care_team, create_care_team
from morrow.services.regimens import start_regimen
from morrow.services.symptoms import report_symptoms
from tests.conftest import Cast

NOW = datetime(2026, 11, 21, 15, 0, tzinfo=UTC)
DOSE = {
    "substance": "kratom",
    "amount": 3,
    "unit": "g",
    "taken_at": "2026-11-20T20:00:00-05:00",
    "idempotency_key": "access-dose-1",
}
COWS_ITEMS = {
    "pulse": 1,
    "sweating": 1,
    "restlessness": 1,
    "pupil_size": 1,
    "bone_joint_aches": 1,
    "runny_nose_tearing": 1,
    "gi_upset": 1,
    "tremor": 1,
    "yawning": 1,
    "anxiety_irritability": 1,
    "gooseflesh": 0,
}
REGIMEN = {
    "title": "Melatonin",
    "starts_on": "2026-11-01",
    "items": [
        {
            "substance": "melatonin",
            "dose": 1,
            "unit": "mg",
            "schedule": "fixed",
            "times": ["22:00"],
            "starts_on": "2026-11-01",
        }
    ],
}

Write = Callable[[Session, Actor, int], Any]
WRITES: dict[str, Write] = {
    "dose": lambda s, a, p: log_dose(s, a, p, DOSE, now=NOW),
    "symptoms": lambda s, a, p: report_symptoms(
        s,
        a,
        p,
        {"reported_at": "2026-11-21T08:00:00-05:00", "symptoms": {"nausea": 1}, "idempotency_key": "access-sym-1"},
        now=NOW,
    ),
    "response": lambda s, a, p: record_response(
        s,
        a,
        p,
        {
            "instrument": "craving-vas",
            "answers": {"value": 40},
            "administered_at": "2026-11-21T08:00:00-05:00",
            "idempotency_key": "access-vas-1",
        },
        now=NOW,
    ),
    "diary": lambda s, a, p: record_sleep_diary(
        s,
        a,
        p,
        {
            "night_of": "2026-11-20",
            "idempotency_key": "access-diary1",
            "answers": {
                "into_bed": "23:00",
                "try_sleep": "23:10",
                "sol_min": 20,
                "nwak": 1,
                "waso_min": 10,
                "final_wake": "06:30",
                "out_of_bed": "06:45",
            },
        },
        now=NOW,
    ),
}


@pytest.mark.parametrize("write", sorted(WRITES))
@pytest.mark.parametrize(
    ("who", "allowed"), [("alice", True), ("bob", True), ("carol", False), ("admin", False), ("system", True)]
)
def test_writes_to_alices_record(session: Session, cast: Cast, write: str, who: str, allowed: bool) -> None:
    actor = Actor.system("test") if who == "system" else cast.actor(getattr(cast, who))
    if allowed:
        WRITES[write](session, actor, cast.alice_patient.id)
    else:
        with pytest.raises(PermissionDenied) as caught:
            WRITES[write](session, actor, cast.alice_patient.id)
        assert caught.value.field == "patient_id"


def test_alice_cannot_write_to_another_patients_record(session: Session, cast: Cast) -> None:
    for write in WRITES.values():
        with pytest.raises(PermissionDenied):
            write(session, cast.actor(cast.alice), cast.other_patient.id)


def test_edits_and_voids_check_access_to_the_record(session: Session, cast: Cast) -> None:
    dose_id = log_dose(session, cast.actor(cast.alice), cast.alice_patient.id, DOSE, now=NOW)[0].id
    for outsider in (cast.carol, cast.admin):
        with pytest.raises(PermissionDenied):
            edit_dose(session, cast.actor(outsider), dose_id, {"amount": 2, "reason": "not mine"}, now=NOW)
        with pytest.raises(PermissionDenied):
            void_dose(session, cast.actor(outsider), dose_id, "not mine", now=NOW)
    assert (
        edit_dose(session, cast.actor(cast.bob), dose_id, {"amount": 2, "reason": "patient asked"}, now=NOW).amount == 2
    )


def test_only_a_clinician_on_the_team_sets_a_regimen(session: Session, cast: Cast) -> None:
    for outsider in (cast.alice, cast.carol, cast.admin):
        with pytest.raises(PermissionDenied):
            start_regimen(session, cast.actor(outsider), cast.alice_patient.id, REGIMEN)
    assert start_regimen(session, cast.actor(cast.bob), cast.alice_patient.id, REGIMEN).set_by_id == cast.bob.id


def test_a_patient_cannot_rescore_a_clinician_rated_response(session: Session, cast: Cast) -> None:
    cows = {
        "instrument": "cows",
        "answers": {"items": COWS_ITEMS},
        "administered_at": "2026-11-21T09:00:00-05:00",
        "idempotency_key": "access-cows-1",
    }
    response_id = record_response(session, cast.actor(cast.bob), cast.alice_patient.id, cows, now=NOW)[0].id
    lower = {"items": COWS_ITEMS | {"pulse": 0, "sweating": 0}}
    with pytest.raises(PermissionDenied):
        edit_response(session, cast.actor(cast.alice), response_id, {"answers": lower, "reason": "felt fine"})
    assert edit_response(session, cast.actor(cast.bob), response_id, {"answers": lower, "reason": "recount"}).total == 8


def test_joining_a_team_grants_access_and_says_so_in_the_patients_audit_trail(
    session: Session, cast: Cast, system: Actor
) -> None:
    with pytest.raises(PermissionDenied):
        log_dose(session, cast.actor(cast.carol), cast.alice_patient.id, DOSE, now=NOW)
    team = create_care_team(session, system, "Night cover", clinician_ids=[cast.carol.id], patient_ids=[])
    add_to_care_team(session, system, team.id, patient_ids=[cast.alice_patient.id, cast.alice_patient.id])
    log_dose(session, cast.actor(cast.carol), cast.alice_patient.id, DOSE, now=NOW)
    with session.begin():
        grants = session.scalars(
            select(AuditEvent).where(
                AuditEvent.patient_id == cast.alice_patient.id, AuditEvent.action == "grant_access"
            )
        ).all()
    assert [g.detail["clinicians"] for g in grants] == [[cast.bob.id], [cast.carol.id]]


@pytest.mark.parametrize("with_record", [True, False])
def test_a_patients_actor_reaches_only_their_own_record(session: Session, cast: Cast, with_record: bool) -> None:
    """A web request's actor carries the patient record read with the account (no second look-up);
    an actor made without it is looked up. Either way the answer is the same."""
    alice = cast.actor(cast.alice)
    if with_record:
        alice = Actor(alice.user_id, alice.label, alice.role, alice.origin, patient_id=cast.alice_patient.id)
    with session.begin():
        check_access(session, alice, cast.alice_patient.id)
        with pytest.raises(PermissionDenied):
            check_access(session, alice, cast.other_patient.id)
        with pytest.raises(NotFound):
            check_access(session, alice, cast.other_patient.id + 1000)


@pytest.mark.parametrize("patient_id", [0, -1, 2**63, 10**6])
@pytest.mark.parametrize("who", ["alice", "bob", "admin", "system"])
def test_a_patient_who_does_not_exist_is_not_found_for_anyone(
    session: Session, cast: Cast, who: str, patient_id: int
) -> None:
    actor = Actor.system("test") if who == "system" else cast.actor(getattr(cast, who))
    with session.begin():
        with pytest.raises(NotFound) as caught:
            check_access(session, actor, patient_id)
        assert caught.value.field == "patient_id"
        with pytest.raises(NotFound):
            require_access(session, actor, patient_id)


def test_a_write_is_audited_with_its_entity_and_actor(session: Session, cast: Cast) -> None:
    """Audit rows are Core inserts written at once; each names the row it records and who wrote it."""
    response, _ = WRITES["response"](session, cast.actor(cast.alice), cast.alice_patient.id)
    with session.begin():
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.patient_id == cast.alice_patient.id).order_by(AuditEvent.id)
        ).all()
    created = [r for r in rows if r.action == "create" and r.entity == "questionnaire_response"]
    assert [(r.entity, r.entity_id, r.actor_id) for r in created] == [
        ("questionnaire_response", str(response.id), cast.alice.id)
    ]
    assert created[0].at is not None
    assert created[0].detail == {}
