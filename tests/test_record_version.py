"""`patients.record_version`: database triggers count every change to what the safety rules read of a
patient, whoever makes it, and nothing else. Runs on the suite's database (SQLite, or PostgreSQL in CI)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from morrow.db.models import DoseLog, Patient, QuestionnaireResponse, Regimen, RegimenItem, SymptomReport
from morrow.services.checkins import record_response
from morrow.services.doses import log_dose, void_dose
from morrow.services.regimens import start_regimen
from morrow.services.symptoms import report_symptoms
from morrow.services.tx import atomic
from tests.conftest import Cast
from tests.test_regimens import regimen

NOW = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)


def version(session: Session, patient_id: int) -> int:
    with atomic(session):
        found = session.scalar(select(Patient.record_version).where(Patient.id == patient_id))
        assert found is not None
        return found


def bumps(session: Session, patient_id: int, change: Callable[[], object]) -> int:
    before = version(session, patient_id)
    change()
    return version(session, patient_id) - before


def in_unit(session: Session, statement: object) -> Callable[[], object]:
    def run() -> object:
        with atomic(session):
            return session.execute(statement)  # type: ignore[call-overload]

    return run


def test_every_change_to_the_record_moves_the_version_and_only_that_patient_s(session: Session, cast: Cast) -> None:
    alice, bob = cast.actor(cast.alice), cast.actor(cast.bob)
    me, other = cast.alice_patient.id, cast.other_patient.id
    assert version(session, me) == 0
    dose = {
        "substance": "kratom",
        "amount": 2,
        "unit": "g",
        "taken_at": NOW.isoformat(),
        "idempotency_key": "kratom-0001",
    }
    assert bumps(session, me, lambda: log_dose(session, alice, me, dose, now=NOW)) == 1
    assert bumps(session, me, lambda: log_dose(session, alice, me, dose, now=NOW)) == 0  # a retry stores nothing
    with atomic(session):
        dose_id = session.scalars(select(DoseLog.id)).one()
    assert bumps(session, me, lambda: void_dose(session, alice, dose_id, "logged twice", now=NOW)) == 1
    sows = {
        "instrument": "sows",
        "answers": {"items": [1] * 16},
        "administered_at": NOW.isoformat(),
        "idempotency_key": "sows-00001",
    }
    assert bumps(session, me, lambda: record_response(session, alice, me, sows, now=NOW)) == 1
    symptoms = {"symptoms": {"headache": 1}, "reported_at": NOW.isoformat(), "idempotency_key": "symptom-0001"}
    assert bumps(session, me, lambda: report_symptoms(session, alice, me, symptoms, now=NOW)) == 1
    made = start_regimen(session, bob, me, regimen())
    with atomic(session):
        item_id = session.scalars(select(RegimenItem.id).where(RegimenItem.regimen_id == made.id)).one()
    assert version(session, me) == 6  # four changes above, then the regimen and its one item
    assert (
        bumps(
            session, me, in_unit(session, update(RegimenItem).values(ceiling_dose=4).where(RegimenItem.id == item_id))
        )
        == 1
    )
    assert (
        bumps(session, me, in_unit(session, update(Regimen).values(status="ended").where(Regimen.id == made.id))) == 1
    )
    for fact, value in (
        ("timezone", "Europe/Paris"),
        ("pregnant", True),
        ("opioid_abstinent_since", date(2026, 11, 1)),
        ("taper_completed_on", date(2026, 11, 20)),
    ):
        assert bumps(session, me, in_unit(session, update(Patient).values({fact: value}).where(Patient.id == me))) == 1
    same = update(Patient).values(timezone="Europe/Paris").where(Patient.id == me)
    assert bumps(session, me, in_unit(session, same)) == 0  # written, but not changed
    renamed = update(Patient).values(display_name="Alice B.", usual_bedtime="23:00").where(Patient.id == me)
    assert bumps(session, me, in_unit(session, renamed)) == 0  # the rules read neither
    for model in (DoseLog, QuestionnaireResponse, SymptomReport):
        assert bumps(session, me, in_unit(session, delete(model).where(model.patient_id == me))) == 1
    assert bumps(session, me, in_unit(session, delete(RegimenItem).where(RegimenItem.id == item_id))) == 1
    assert version(session, other) == 0


def test_a_row_moved_to_another_patient_moves_both_versions(session: Session, cast: Cast) -> None:
    alice = cast.actor(cast.alice)
    me = cast.alice_patient.id
    dose = {
        "substance": "kratom",
        "amount": 2,
        "unit": "g",
        "taken_at": NOW.isoformat(),
        "idempotency_key": "kratom-0002",
    }
    log_dose(session, alice, me, dose, now=NOW + timedelta(hours=1))
    other_id = cast.other_patient.id
    before = (version(session, me), version(session, other_id))
    in_unit(session, update(DoseLog).values(patient_id=other_id).where(DoseLog.patient_id == me))()
    assert (version(session, me), version(session, other_id)) == (before[0] + 1, before[1] + 1)
