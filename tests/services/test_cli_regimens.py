"""The regimen commands, run for real in a subprocess against a migrated SQLite database."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from morrow.db.engine import make_engine, make_sessionmaker
from morrow.db.migrate import upgrade
from morrow.services.actors import Actor
from morrow.services.people import create_patient
from tests.cli_helpers import one_line_error, run_morrow
from tests.services.builders import diary_night, item, set_regimen

TAPER = {
    "substance": "oxycodone",
    "current_daily_dose": 40,
    "unit": "mg",
    "method": "percent_of_current",
    "percent": 10,
    "interval_days": 14,
    "min_step": 5,
    "start": "2026-11-16",
    "hold_rules": [{"measure": "sows.total", "above": 20, "consecutive_days": 3}],
}


@pytest.fixture
def clinic(tmp_path: Path) -> tuple[dict[str, str], int, int]:
    """A migrated database with one patient on a kratom regimen; (env, patient id, regimen item id)."""
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    engine = make_engine(url)
    upgrade(engine)
    session: Session = make_sessionmaker(engine)()
    with session:
        patient = create_patient(session, Actor.system("test"), {"display_name": "Ana", "timezone": "America/New_York"})
        regimen = set_regimen(session, patient.id, "2024-01-01", item(starts_on="2024-01-01"))
        ids = (patient.id, regimen.items[0].id)
        for n in range(1, 8):
            diary_night(session, patient.id, date(2026, 11, 20) - timedelta(days=n))
    engine.dispose()
    return {"MORROW_DATABASE_URL": url}, *ids


def test_taper_create_approve_and_status(clinic: tuple[dict[str, str], int, int]) -> None:
    env, patient_id, _ = clinic
    created = run_morrow("taper", "create", str(patient_id), "--today", "2026-11-10", env=env, stdin=json.dumps(TAPER))
    assert created.returncode == 0, created.stderr
    assert "Draft taper plan 1" in created.stdout
    assert "52.5" in created.stdout
    approved = run_morrow("taper", "approve", "1", env=env)
    assert approved.returncode == 0, approved.stderr
    status = run_morrow("taper", "status", str(patient_id), "--today", "2026-11-20", env=env)
    assert status.returncode == 0, status.stderr
    assert "on_track" in status.stdout
    assert "35 mg a day" in status.stdout


def test_taper_create_refuses_bad_input_in_one_line(clinic: tuple[dict[str, str], int, int]) -> None:
    env, patient_id, _ = clinic
    assert "JSON" in one_line_error(run_morrow("taper", "create", str(patient_id), env=env, stdin="{nope"))
    past = json.dumps(TAPER | {"start": "2020-01-01"})
    assert "past" in one_line_error(run_morrow("taper", "create", str(patient_id), env=env, stdin=past))


def test_change_propose_then_decide(clinic: tuple[dict[str, str], int, int]) -> None:
    env, _, item_id = clinic
    args = ("change", "propose", str(item_id), "--dose", "3", "--reason", "withdrawal", "--today", "2026-11-10")
    proposed = run_morrow(*args, env=env)
    assert proposed.returncode == 0, proposed.stderr
    assert "pending" in proposed.stdout
    assert "Pending dose changes" in run_morrow("change", "queue", env=env).stdout
    decided = run_morrow("change", "decide", "1", "--approve", "--reason", "reviewed", "--today", "2026-11-12", env=env)
    assert decided.returncode == 0, decided.stderr
    assert "approved" in decided.stdout
    again = run_morrow("change", "decide", "1", "--decline", "--reason", "too late", env=env)
    assert "already approved" in one_line_error(again)


def test_sleep_window_propose_then_decide(clinic: tuple[dict[str, str], int, int]) -> None:
    env, patient_id, _ = clinic
    args = ("sleep-window", "propose", str(patient_id), "--today", "2026-11-20", "--rise-time", "06:30")
    proposed = run_morrow(*args, env=env)
    assert proposed.returncode == 0, proposed.stderr
    assert "390 minutes" in proposed.stdout
    decided = run_morrow("sleep-window", "decide", "1", "--approve", "--reason", "agreed", env=env)
    assert decided.returncode == 0, decided.stderr
    assert "approved" in decided.stdout
    thin = run_morrow("sleep-window", "propose", str(patient_id), "--today", "2026-12-20", env=env)
    assert "at least 5" in one_line_error(thin)


def test_adherence_prints_a_table(clinic: tuple[dict[str, str], int, int]) -> None:
    env, patient_id, _ = clinic
    shown = run_morrow("adherence", str(patient_id), "--days", "3", env=env)
    assert shown.returncode == 0, shown.stderr
    assert "Adherence" in shown.stdout
    assert "kratom" in shown.stdout


def test_taper_pause_resume_and_reverse_make_new_versions(clinic: tuple[dict[str, str], int, int]) -> None:
    env, patient_id, _ = clinic
    run_morrow("taper", "create", str(patient_id), "--today", "2026-11-10", env=env, stdin=json.dumps(TAPER))
    run_morrow("taper", "approve", "1", env=env)
    paused = run_morrow(
        "taper", "pause", "1", "--reason", "severe withdrawal this week", "--today", "2026-11-20", env=env
    )
    assert paused.returncode == 0, paused.stderr
    assert "version 2: paused from today" in paused.stdout
    assert "paused" in run_morrow("taper", "status", str(patient_id), "--today", "2026-11-21", env=env).stdout
    resumed = run_morrow("taper", "resume", "2", "--reason", "settled again", "--today", "2026-11-24", env=env)
    assert resumed.returncode == 0, resumed.stderr
    assert "version 3: resumed" in resumed.stdout
    reversed_ = run_morrow("taper", "reverse", "3", "--reason", "pain came back", "--today", "2026-12-01", env=env)
    assert reversed_.returncode == 0, reversed_.stderr
    assert "version 4: one step back" in reversed_.stdout
    old = run_morrow("taper", "pause", "1", "--reason", "the first version", "--today", "2026-12-02", env=env)
    assert "taper plan 1 is superseded; only a live plan can be changed" in one_line_error(old)
    assert "reason" in one_line_error(run_morrow("taper", "pause", "4", "--reason", "x", env=env))
    assert "no taper plan with id 99" in one_line_error(run_morrow("taper", "pause", "99", "--reason", "none", env=env))
