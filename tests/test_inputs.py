"""Hostile and odd input: refused with the field named, never a crash or a silent change."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from morrow.db.models import User
from morrow.domain.errors import Conflict, NotFound, ValidationError
from morrow.services import passwords
from morrow.services.actors import Actor
from morrow.services.checkins import SleepDiaryCreate, record_sleep_diary
from morrow.services.doses import edit_dose, log_dose
from morrow.services.people import create_care_team, create_patient, create_user, get_patient
from morrow.services.symptoms import report_symptoms
from tests.cli_helpers import one_line_error, run_morrow
from tests.conftest import Cast

NOW = datetime(2026, 11, 21, 15, 0, tzinfo=UTC)
DOSE = {
    "substance": "kratom",
    "amount": 3,
    "unit": "g",
    "taken_at": "2026-11-20T20:00:00-05:00",
    "idempotency_key": "inputs-dose-1",
}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"taken_at": "0001-01-01T00:00:00+05:00"}, "taken_at"),
        ({"taken_at": "1999-12-31T23:00:00+00:00"}, "taken_at"),
        ({"note": "fine\x00"}, "note"),
        ({"regimen_item_id": 2**63, "kind": "planned"}, "regimen_item_id"),
        ({"idempotency_key": "key\x00with-nul"}, "idempotency_key"),
    ],
)
def test_implausible_dose_input_names_the_field(
    session: Session, cast: Cast, overrides: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        log_dose(session, cast.actor(cast.alice), cast.alice_patient.id, DOSE | overrides, now=NOW)
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("text", "code"),
    [("clear \x1b[2J the screen", "U+001B"), ("page\x0cbreak", "U+000C"), ("\x7f", "U+007F"), ("csi \x9b2J", "U+009B")],
)
def test_a_control_character_in_text_is_refused_by_its_code(session: Session, cast: Cast, text: str, code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        log_dose(session, cast.actor(cast.alice), cast.alice_patient.id, DOSE | {"note": text}, now=NOW)
    assert (caught.value.field, str(caught.value)) == ("note", f"note: contains a control character ({code})")


def test_tabs_and_line_breaks_are_text(session: Session, cast: Cast) -> None:
    note = "took it late\r\n\tafter work"
    dose, _ = log_dose(session, cast.actor(cast.alice), cast.alice_patient.id, DOSE | {"note": note}, now=NOW)
    assert dose.note == note


def test_a_nul_deep_inside_answers_is_refused(session: Session, cast: Cast) -> None:
    answers = {
        "into_bed": "23:00",
        "try_sleep": "23:10",
        "sol_min": 20,
        "nwak": 1,
        "waso_min": 10,
        "final_wake": "06:30",
        "out_of_bed": "06:45",
        "comments": "woke at 3\x00",
    }
    with pytest.raises(ValidationError) as caught:
        record_sleep_diary(
            session,
            cast.actor(cast.alice),
            cast.alice_patient.id,
            {"night_of": "2026-11-20", "answers": answers, "idempotency_key": "inputs-diary"},
            now=NOW,
        )
    assert caught.value.field == "answers.comments"


@pytest.mark.parametrize("text", ["woke at 3\ud800", "\udfff"])
def test_a_lone_surrogate_anywhere_in_answers_is_refused(session: Session, cast: Cast, text: str) -> None:
    """JSON can carry "\\ud800", which is no Unicode text: it was stored, to break every page showing it."""
    answers = {"into_bed": "23:00", "try_sleep": "23:10", "sol_min": 20, "nwak": 1, "waso_min": 10,
               "final_wake": "06:30", "out_of_bed": "06:45", "comments": text}  # fmt: skip
    diary = SleepDiaryCreate.model_validate(
        {"night_of": "2026-11-20", "answers": answers, "idempotency_key": "inputs-diary-2"}
    )
    with pytest.raises(ValidationError) as caught:  # also when the web layer has validated the model already
        record_sleep_diary(session, cast.actor(cast.alice), cast.alice_patient.id, diary, now=NOW)
    assert caught.value.field == "answers.comments"


@pytest.mark.parametrize(
    ("amount", "unit", "field"),
    [
        (4.151611331798204e-44, "g", "amount"),  # stored by the fuzzer, then shown in a regimen as "4.15e-44 g"
        (0.0009, "mg", "amount"),
        (0.5, "mcg", "amount"),
    ],
)
def test_an_amount_below_any_real_dose_is_refused(
    session: Session, cast: Cast, amount: float, unit: str, field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        log_dose(session, cast.actor(cast.alice), cast.alice_patient.id, DOSE | {"amount": amount, "unit": unit},
                 now=NOW)  # fmt: skip
    assert caught.value.field == field


def test_the_smallest_real_amounts_are_accepted(session: Session, cast: Cast) -> None:
    actor, patient = cast.actor(cast.alice), cast.alice_patient.id
    log_dose(session, actor, patient, DOSE | {"amount": 1, "unit": "mcg", "idempotency_key": "inputs-small-1"}, now=NOW)
    alcohol = {"substance": "alcohol", "amount": 0.1, "unit": "standard_drink", "idempotency_key": "inputs-small-2"}
    log_dose(session, actor, patient, DOSE | alcohol, now=NOW)
    with pytest.raises(ValidationError) as caught:
        log_dose(session, actor, patient, DOSE | alcohol | {"amount": 0.05, "idempotency_key": "inputs-small-3"},
                 now=NOW)  # fmt: skip
    assert caught.value.field == "amount"


def test_huge_or_negative_ids_are_simply_not_found(session: Session, cast: Cast) -> None:
    for bad in (0, -1, 2**63):
        with pytest.raises(NotFound), session.begin():
            get_patient(session, bad)


def test_a_key_reused_for_a_different_kind_or_note_is_a_conflict(session: Session, cast: Cast) -> None:
    log_dose(session, cast.actor(cast.alice), cast.alice_patient.id, DOSE, now=NOW)
    with pytest.raises(Conflict):
        log_dose(session, cast.actor(cast.alice), cast.alice_patient.id, DOSE | {"note": "different"}, now=NOW)
    report = {"reported_at": "2026-11-21T08:00:00-05:00", "symptoms": {"nausea": 1}, "idempotency_key": "inputs-sym1"}
    report_symptoms(session, cast.actor(cast.alice), cast.alice_patient.id, report, now=NOW)
    with pytest.raises(Conflict):
        report_symptoms(session, cast.actor(cast.alice), cast.alice_patient.id, report | {"note": "and dizzy"}, now=NOW)


def test_a_severity_must_be_a_whole_number_not_true(session: Session, cast: Cast) -> None:
    report = {
        "reported_at": "2026-11-21T08:00:00-05:00",
        "symptoms": {"nausea": True},
        "idempotency_key": "inputs-sym2",
    }
    with pytest.raises(ValidationError) as caught:
        report_symptoms(session, cast.actor(cast.alice), cast.alice_patient.id, report, now=NOW)
    assert caught.value.field == "symptoms.nausea"


def test_an_edit_cannot_move_a_dose_into_the_future(session: Session, cast: Cast) -> None:
    dose_id = log_dose(session, cast.actor(cast.alice), cast.alice_patient.id, DOSE, now=NOW)[0].id
    for when in ("2099-01-01T00:00:00+00:00", "2026-11-22T15:00:00+00:00"):
        with pytest.raises(ValidationError) as caught:
            edit_dose(session, cast.actor(cast.alice), dose_id, {"taken_at": when, "reason": "typo"}, now=NOW)
        assert caught.value.field == "taken_at"


def test_a_password_is_kept_exactly_as_typed(session: Session, system: Actor) -> None:
    spaced = "  spaced password  "
    user_id = create_user(
        session, system, {"email": " Fay@Example.org ", "display_name": " Fay ", "role": "admin", "password": spaced}
    ).id
    with session.begin():
        user = session.get_one(User, user_id)
        assert (user.email, user.display_name) == ("fay@example.org", "Fay")
        assert passwords.verify_password(user.password_hash, spaced)
        assert not passwords.verify_password(user.password_hash, spaced.strip())


def test_the_cli_keeps_spaces_and_drops_only_the_line_ending(tmp_path: Path) -> None:
    env = {"MORROW_DATABASE_URL": f"sqlite:///{tmp_path / 'pw.db'}"}
    run_morrow("db", "upgrade", env=env)
    added = run_morrow(
        "user",
        "add",
        "--email",
        "gus@clinic.org",
        "--name",
        "Gus",
        "--role",
        "admin",
        "--password-stdin",
        env=env,
        stdin="  spaced password  \r\n",
    )
    assert added.returncode == 0, added.stderr
    from morrow.db.engine import make_engine, make_sessionmaker

    with make_sessionmaker(make_engine(env["MORROW_DATABASE_URL"]))() as session, session.begin():
        stored = session.scalars(select(User.password_hash).where(User.email == "gus@clinic.org")).one()
    assert passwords.verify_password(stored, "  spaced password  ")


def test_duplicate_ids_in_a_new_team_are_taken_once(session: Session, cast: Cast, system: Actor) -> None:
    team = create_care_team(
        session,
        system,
        "Twice",
        clinician_ids=[cast.bob.id, cast.bob.id],
        patient_ids=[cast.other_patient.id, cast.other_patient.id],
    )
    assert [u.id for u in team.members] == [cast.bob.id]


@pytest.mark.parametrize("zone", ["Factory", "EST5EDT", "Mars/Base"])
def test_only_real_place_time_zones_are_accepted(session: Session, system: Actor, zone: str) -> None:
    with pytest.raises(ValidationError) as caught:
        create_patient(session, system, {"display_name": "Zed", "timezone": zone})
    assert caught.value.field == "timezone"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite://", "in-memory"),
        ("sqlite:///:memory:", "in-memory"),
        ("sqlite:////etc/passwd", "file is not a database"),
    ],
)
def test_urls_that_cannot_hold_a_clinic_are_refused(url: str, expected: str) -> None:
    assert expected in one_line_error(run_morrow("db", "upgrade", env={"MORROW_DATABASE_URL": url}))


def test_a_database_that_is_not_morrows_is_refused(tmp_path: Path) -> None:
    import sqlite3

    other = tmp_path / "other.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE accounts (id INTEGER)")
    line = one_line_error(run_morrow("db", "upgrade", env={"MORROW_DATABASE_URL": f"sqlite:///{other}"}))
    assert "already has tables but no Morrow schema version" in line


def test_serve_refuses_an_impossible_port(tmp_path: Path) -> None:
    result = run_morrow("serve", "--port", "99999", env={"MORROW_DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}"})
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "--port" in result.stderr


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"amount": 5000}, "5,000 g is not a plausible single dose"),
        ({"amount": 5e10, "unit": "mg"}, "50,000,000,000 mg is not a plausible single dose"),
        (
            {"substance": "alcohol", "unit": "standard_drink", "amount": 1000},
            "1,000 standard drinks is not a plausible single entry",
        ),
    ],
)
def test_an_impossible_amount_is_refused_in_plain_numbers(
    session: Session, cast: Cast, overrides: dict[str, Any], words: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        log_dose(session, cast.actor(cast.alice), cast.alice_patient.id, DOSE | overrides, now=NOW)
    assert (caught.value.field, caught.value.message) == ("amount", words)
