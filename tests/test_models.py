"""Every model round-trips through the real database, and the database enforces its constraints."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session

from morrow.db.base import Base
from morrow.db.models import (
    Alert,
    AuditEvent,
    CareTeam,
    ClinicalNote,
    DoseChangeRequest,
    DoseLog,
    Finding,
    LoginAttempt,
    OutboxMessage,
    Patient,
    Product,
    QuestionnaireResponse,
    RecordRevision,
    Regimen,
    RegimenItem,
    SleepDiaryEntry,
    SleepWindow,
    SymptomReport,
    TaperPlan,
    TaperStep,
    User,
    UserSession,
)

EASTERN = timezone(timedelta(hours=-5))
T0 = datetime(2026, 11, 20, 22, 30, tzinfo=EASTERN)


def one_of_each(session: Session) -> dict[str, Any]:
    """One row in every table, every column filled, linked the way the product links them."""
    patient = Patient(
        display_name="Alice",
        clinic_ref="A-001",
        timezone="America/New_York",
        birth_year=1988,
        pregnant=False,
        opioid_abstinent_since=date(2026, 10, 1),
        taper_completed_on=None,
        usual_bedtime="23:00",
    )
    clinician = User(email="bob@example.org", display_name="Bob", role="clinician", password_hash="x" * 20)
    account = User(
        email="alice@example.org",
        display_name="Alice",
        role="patient",
        password_hash="y" * 20,
        patient=patient,
        last_login_at=T0,
    )
    team = CareTeam(name="North", members=[clinician], patients=[patient])
    product = Product(
        substance_id="kratom",
        form="capsule",
        name="Green Maeng Da capsules",
        strength=0.5,
        strength_unit="g",
        per="capsule",
        note="lab-tested batch",
    )
    item = RegimenItem(
        substance_id="kratom",
        form="capsule",
        dose=2.0,
        unit="g",
        schedule_kind="fixed",
        times=["08:00", "14:00", "20:00"],
        minutes_before_bedtime=None,
        max_doses_per_day=3,
        min_interval_minutes=240,
        ceiling_dose=3.0,
        titration_max_increase=0.5,
        titration_period_days=7,
        starts_on=date(2026, 11, 1),
        ends_on=None,
        reason="stabilise before taper",
    )
    regimen = Regimen(
        patient=patient,
        title="Kratom stabilisation",
        status="active",
        starts_on=date(2026, 11, 1),
        reason="clinic intake",
        items=[item],
    )
    session.add_all([patient, clinician, account, team, product, regimen])
    session.flush()
    item.product_id = product.id
    regimen.set_by_id = clinician.id
    change = DoseChangeRequest(
        patient_id=patient.id,
        regimen_item_id=item.id,
        proposed_by_id=account.id,
        current_dose=2.0,
        proposed_dose=2.5,
        unit="g",
        reason="pain at night",
        needs_approval=True,
        rule_explanation="+0.5 g in 7 days is the most the rule allows without approval",
        status="pending",
    )
    plan = TaperPlan(
        lineage_id=None,
        version=1,
        patient_id=patient.id,
        regimen_item_id=item.id,
        substance_id="kratom",
        form="capsule",
        unit="g",
        method="percent_of_current",
        parameters={"percent": 10, "interval_days": 14},
        original_daily_dose=6.0,
        floor_dose=0.0,
        starts_on=date(2026, 12, 1),
        status="approved",
        hold_rules={"sows_above": 20, "consecutive_days": 2},
        created_by_id=clinician.id,
        approved_by_id=clinician.id,
        approved_at=T0,
        reason="patient asked to taper",
    )
    plan.steps = [
        TaperStep(
            position=0,
            starts_on=date(2026, 12, 1),
            ends_on=date(2026, 12, 14),
            daily_dose=5.5,
            mme_per_day=None,
            status="planned",
        )
    ]
    dose = DoseLog(
        patient_id=patient.id,
        regimen_item_id=item.id,
        product_id=product.id,
        substance_id="kratom",
        form="capsule",
        amount=2.0,
        unit="g",
        kind="planned",
        taken_at=T0,
        recorded_by_id=account.id,
        idempotency_key="dose-0001",
        note="with food",
    )
    response = QuestionnaireResponse(
        patient_id=patient.id,
        instrument_id="sows",
        instrument_version="1987.1",
        answers={"items": [1] * 16},
        score={"total": 16, "band": "moderate"},
        total=16,
        band="moderate",
        rater="self",
        rater_id=account.id,
        administered_at=T0,
        idempotency_key="resp-0001",
    )
    diary = SleepDiaryEntry(
        patient_id=patient.id,
        night_of=date(2026, 11, 20),
        answers={"into_bed": "23:40"},
        metrics={"tst_min": 245},
        total_sleep_min=245,
        sleep_efficiency_pct=59.76,
        instrument_version="2012.1",
        recorded_by_id=account.id,
        idempotency_key="diary-0001",
    )
    symptoms = SymptomReport(
        patient_id=patient.id,
        reported_at=T0,
        symptoms={"drowsiness": 2},
        note="after evening dose",
        reported_by_id=account.id,
        idempotency_key="symp-0001",
    )
    alert = Alert(
        patient_id=patient.id,
        rule_id="INT-KRATOM-ALCOHOL",
        fingerprint="INT-KRATOM-ALCOHOL:alcohol,kratom",
        severity="urgent",
        category="interaction",
        title="Kratom with alcohol",
        status="acknowledged",
        first_seen_at=T0,
        last_seen_at=T0,
        occurrences=2,
        acknowledged_by_id=clinician.id,
        acknowledged_at=T0,
        acknowledgement_note="called patient",
        resolved_by_id=None,
        resolved_at=None,
        resolution_note=None,
    )
    session.add_all([change, plan, dose, response, diary, symptoms, alert])
    session.flush()
    finding = Finding(
        patient_id=patient.id,
        alert_id=alert.id,
        rule_id=alert.rule_id,
        severity="urgent",
        category="interaction",
        substances=["kratom", "alcohol"],
        title="Kratom with alcohol",
        patient_message="Do not drink with kratom.",
        clinician_message="Dangerous combination.",
        sources=["TripSit combo chart"],
        evidence={"claims": []},
        detected_at=T0,
    )
    note = ClinicalNote(patient_id=patient.id, author_id=clinician.id, kind="visit", body="COWS 6.", written_at=T0)
    audit = AuditEvent(
        at=T0,
        actor_id=clinician.id,
        actor_label="bob@example.org",
        action="read",
        entity="patient",
        entity_id=str(patient.id),
        patient_id=patient.id,
        origin="127.0.0.1",
        detail={"page": "timeline"},
    )
    revision = RecordRevision(
        entity="dose_log",
        entity_id=dose.id,
        version=1,
        values={"amount": 1.5},
        edited_by_id=account.id,
        edited_at=T0,
        reason="typo",
    )
    outbox = OutboxMessage(
        kind="alert.urgent",
        payload={"alert_id": alert.id},
        status="pending",
        attempts=0,
        created_at=T0,
        available_at=T0,
        claimed_by=None,
        claimed_at=None,
        sent_at=None,
        last_error=None,
    )
    window = SleepWindow(
        patient_id=patient.id,
        proposed_at=T0,
        action="initial",
        nights_used=7,
        time_in_bed_min=390,
        flags={"flag_for_clinician": False},
        reason="A first window from the average sleep time.",
    )
    signed_in = UserSession(
        token_hash="0" * 64,
        user_id=clinician.id,
        csrf_token="c" * 43,
        last_seen_at=T0,
        expires_at=T0 + timedelta(hours=12),
        revoked_at=None,
        ip="127.0.0.1",
        user_agent="pytest",
    )
    attempt = LoginAttempt(email="bob@example.org", ip="127.0.0.1", at=T0, succeeded=True)
    session.add_all([finding, note, audit, revision, outbox, window, signed_in, attempt])
    session.flush()
    return {"patient": patient, "dose": dose, "alert": alert, "plan": plan, "outbox": outbox}


def test_every_table_gets_a_row_and_reads_back(engine: Engine, session: Session) -> None:
    with session.begin():
        made = one_of_each(session)
        ids = {name: row.id for name, row in made.items()}
    session.expunge_all()
    with session.begin():
        for table in Base.metadata.sorted_tables:
            rows = session.execute(select(table)).all()
            expected = 2 if table.name == "users" else 1  # a clinician and a patient's own account
            assert len(rows) == expected, f"{table.name} has {len(rows)} rows"
        dose = session.get_one(DoseLog, ids["dose"])
        assert dose.taken_at == T0
        assert dose.taken_at.tzinfo is UTC
        assert dose.taken_at.hour == 3  # 22:30 at UTC-5 is 03:30 UTC the next day
        patient = session.get_one(Patient, ids["patient"])
        assert patient.opioid_abstinent_since == date(2026, 10, 1)
        assert [t.name for t in patient.care_teams] == ["North"]
        assert patient.care_teams[0].members[0].email == "bob@example.org"
        plan = session.get_one(TaperPlan, ids["plan"])
        assert plan.parameters == {"percent": 10, "interval_days": 14}
        assert [s.daily_dose for s in plan.steps] == [5.5]
        alert = session.get_one(Alert, ids["alert"])
        assert alert.acknowledged_at == T0
        finding = session.scalars(select(Finding)).one()
        assert finding.substances == ["kratom", "alcohol"]
        item = session.scalars(select(RegimenItem)).one()
        assert item.times == ["08:00", "14:00", "20:00"]
        assert item.product_id is not None


def test_it_refuses_a_naive_datetime(session: Session) -> None:
    with pytest.raises(StatementError, match="naive datetime"), session.begin():
        session.add(
            AuditEvent(
                at=datetime(2026, 1, 1),
                actor_label="x",
                action="read",
                entity="patient",
                origin="test",
                detail={},
            )
        )
        session.flush()


def test_it_refuses_a_value_outside_a_vocabulary(session: Session) -> None:
    with pytest.raises((IntegrityError, StatementError)), session.begin():
        session.add(User(email="x@example.org", display_name="X", role="superuser", password_hash="z" * 20))
        session.flush()


def test_it_enforces_foreign_keys(session: Session) -> None:
    with pytest.raises(IntegrityError), session.begin():
        session.add(ClinicalNote(patient_id=999_999, kind="visit", body="orphan", written_at=T0))
        session.flush()


def test_it_stores_one_dose_per_idempotency_key(session: Session) -> None:
    with session.begin():
        made = one_of_each(session)
    dose: DoseLog = made["dose"]
    with pytest.raises(IntegrityError), session.begin():
        session.add(
            DoseLog(
                patient_id=dose.patient_id,
                substance_id="kratom",
                amount=1.0,
                unit="g",
                kind="unplanned",
                taken_at=T0,
                idempotency_key=dose.idempotency_key,
            )
        )
        session.flush()


def test_only_one_live_alert_per_fingerprint(session: Session) -> None:
    with session.begin():
        made = one_of_each(session)
    alert: Alert = made["alert"]

    def twin(status: str) -> Alert:
        return Alert(
            patient_id=alert.patient_id,
            rule_id=alert.rule_id,
            fingerprint=alert.fingerprint,
            severity="urgent",
            category="interaction",
            title="again",
            status=status,
            first_seen_at=T0,
            last_seen_at=T0,
        )

    with pytest.raises(IntegrityError), session.begin():
        session.add(twin("open"))
        session.flush()
    with session.begin():
        session.add(twin("resolved"))  # a resolved alert does not block a live one, nor the other way round
        session.flush()
