"""The demo clinic: deterministic for a seed, plausible, and loaded through the real services."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from morrow.db.base import Base
from morrow.db.engine import make_engine, make_sessionmaker
from morrow.db.migrate import upgrade
from morrow.db.models import DoseLog, Patient, QuestionnaireResponse, Regimen, SleepDiaryEntry, SymptomReport
from morrow.demo.loader import DemoSummary, load_demo
from morrow.instruments import score
from morrow.services.checkins import diary_metrics
from tests.cli_helpers import one_line_error, run_morrow

UNTIL = date(2026, 11, 20)
BOOKKEEPING = {"created_at", "at", "edited_at", "password_hash"}  # wall-clock times and salted hashes


def fresh(tmp_path: Path, name: str) -> sessionmaker[Session]:
    engine = make_engine(f"sqlite:///{tmp_path / name}")
    upgrade(engine)
    return make_sessionmaker(engine)


def dump(sessions: sessionmaker[Session]) -> dict[str, list[dict[str, Any]]]:
    with sessions() as session, session.begin():
        return {
            table.name: [
                {k: v for k, v in row._mapping.items() if k not in BOOKKEEPING}
                for row in session.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in Base.metadata.sorted_tables
        }


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[sessionmaker[Session], DemoSummary]:
    sessions = fresh(tmp_path_factory.mktemp("demo"), "demo.db")
    summary = load_demo(sessions, seed=11, patients=12, days=30, until=UNTIL)
    return sessions, summary


def test_the_same_seed_gives_the_same_clinic(tmp_path: Path) -> None:
    first, second, other = fresh(tmp_path, "a.db"), fresh(tmp_path, "b.db"), fresh(tmp_path, "c.db")
    load_demo(first, seed=5, patients=4, days=10, until=UNTIL)
    load_demo(second, seed=5, patients=4, days=10, until=UNTIL)
    load_demo(other, seed=6, patients=4, days=10, until=UNTIL)
    assert dump(first) == dump(second)
    assert dump(first)["dose_logs"] != dump(other)["dose_logs"]


def test_it_has_every_kind_of_record(demo: tuple[sessionmaker[Session], DemoSummary]) -> None:
    _, summary = demo
    assert summary.patients == 12
    assert {"regimen", "dose", "response", "diary", "symptoms"} <= set(summary.counts)
    assert [login[1] for login in summary.logins[:4]] == [
        "bob@demo.morrow.test",
        "carol@demo.morrow.test",
        "admin@demo.morrow.test",
        "alice@demo.morrow.test",
    ]


def test_history_ends_on_the_last_day_in_each_patients_zone(demo: tuple[sessionmaker[Session], DemoSummary]) -> None:
    sessions, _ = demo
    with sessions() as session, session.begin():
        for patient in session.scalars(select(Patient)):
            zone = ZoneInfo(patient.timezone)
            days = {
                d.taken_at.astimezone(zone).date()
                for d in session.scalars(select(DoseLog).where(DoseLog.patient_id == patient.id))
            }
            assert max(days) <= UNTIL
            assert min(days) >= date(2026, 10, 22)


def test_it_contains_the_episodes_the_safety_rules_must_see(demo: tuple[sessionmaker[Session], DemoSummary]) -> None:
    sessions, _ = demo
    with sessions() as session, session.begin():
        unplanned = {
            (d.substance_id, d.form) for d in session.scalars(select(DoseLog).where(DoseLog.kind == "unplanned"))
        }
        assert {("alcohol", None), ("clonazepam", None), ("kratom", "7oh_concentrate"), ("heroin", None)} <= unplanned
        phq9 = session.scalars(select(QuestionnaireResponse).where(QuestionnaireResponse.instrument_id == "phq9"))
        assert any(r.score["item9_positive"] for r in phq9)
        reported = set().union(*(r.symptoms for r in session.scalars(select(SymptomReport))))
        assert {"slow_breathing", "jaundice", "severe_drowsiness", "disorientation"} <= reported
        assert session.scalars(select(DoseLog).where(DoseLog.kind == "off_plan")).first() is not None


def test_some_planned_doses_are_missed(demo: tuple[sessionmaker[Session], DemoSummary]) -> None:
    """Per patient and local day: the doses the regimen in force scheduled, against those logged."""
    sessions, _ = demo
    scheduled = logged = 0
    with sessions() as session, session.begin():
        for patient in session.scalars(select(Patient)):
            zone = ZoneInfo(patient.timezone)
            per_day: Counter[date] = Counter(
                dose.taken_at.astimezone(zone).date()
                for dose in session.scalars(
                    select(DoseLog).where(DoseLog.patient_id == patient.id, DoseLog.regimen_item_id.is_not(None))
                )
            )
            regimens = session.scalars(select(Regimen).where(Regimen.patient_id == patient.id)).all()
            for offset in range(1, 29):  # whole days inside the 30, away from jitter at the edges
                day = UNTIL - timedelta(days=offset)
                active = [r for r in regimens if r.starts_on <= day and (r.ends_on is None or day <= r.ends_on)]
                assert len(active) == 1, (patient.id, day)
                scheduled += sum(len(item.times) or 1 for item in active[0].items)
                logged += per_day[day]
    assert scheduled > 0
    assert 0.75 * scheduled < logged < scheduled  # adherence is high, and not perfect


def test_every_stored_score_is_the_engines_score_of_its_answers(
    demo: tuple[sessionmaker[Session], DemoSummary],
) -> None:
    sessions, _ = demo
    with sessions() as session, session.begin():
        for response in session.scalars(select(QuestionnaireResponse)):
            assert response.score == score(response.instrument_id, response.answers)
        shifts = set()
        for night in session.scalars(select(SleepDiaryEntry)):
            zone = ZoneInfo(session.get_one(Patient, night.patient_id).timezone)
            assert night.metrics == diary_metrics(night.answers, night.night_of, zone)
            shifts.add(night.metrics.get("dst_shift_min"))
    assert 60 in shifts  # the 30 days include the night the clocks went back (1 November 2026)


def test_the_demo_command_loads_once_and_guards_real_data(tmp_path: Path) -> None:
    env = {"MORROW_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    assert run_morrow("db", "upgrade", env=env).returncode == 0
    small = ("--patients", "3", "--days", "5", "--until", "2026-11-20")
    first = run_morrow("demo", *small, env=env)
    assert first.returncode == 0, first.stderr
    assert "Loaded 3 patients" in first.stdout
    assert "bob@demo.morrow.test" in first.stdout
    assert "morrow-demo" in first.stdout
    assert "already has accounts" in one_line_error(run_morrow("demo", *small, env=env))
    again = run_morrow("demo", "--if-empty", *small, env=env)
    assert again.returncode == 0
    assert "was not loaded again" in again.stdout
    replaced = run_morrow("demo", "--replace", *small, env=env)
    assert replaced.returncode == 0, replaced.stderr
    real_patient = run_morrow("patient", "add", "--name", "Real Person", "--timezone", "UTC", env=env)
    assert real_patient.returncode == 0, real_patient.stderr
    assert "not the demo's" in one_line_error(run_morrow("demo", "--replace", *small, env=env))
    added = run_morrow(
        "user",
        "add",
        "--email",
        "real@clinic.org",
        "--name",
        "Real",
        "--role",
        "clinician",
        "--password-stdin",
        env=env,
        stdin="a long enough password\n",
    )
    assert added.returncode == 0, added.stderr
    assert "not the demo's" in one_line_error(run_morrow("demo", "--replace", *small, env=env))


def test_the_demo_never_holds_data_from_the_future(tmp_path: Path) -> None:
    env = {"MORROW_DATABASE_URL": f"sqlite:///{tmp_path / 'future.db'}"}
    run_morrow("db", "upgrade", env=env)
    assert "no data from the future" in one_line_error(run_morrow("demo", "--until", "2099-01-01", env=env))
    assert "is before" in one_line_error(run_morrow("demo", "--until", "0001-01-03", env=env))
