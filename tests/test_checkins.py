"""Check-ins: scored from raw answers in the same transaction, stored once, edits keep history."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import event, func, inspect, select
from sqlalchemy.orm import Session

from morrow.db.models import QuestionnaireResponse, SleepDiaryEntry, SymptomReport
from morrow.domain.errors import Conflict, PermissionDenied, ValidationError
from morrow.instruments import get_instrument
from morrow.services.checkins import edit_response, record_response, record_sleep_diary
from morrow.services.history import revisions
from morrow.services.symptoms import report_symptoms
from tests.conftest import Cast

NOW = datetime(2026, 11, 21, 15, 0, tzinfo=UTC)  # 10:00 in New York
SOWS = {"items": [1, 0, 2, 0, 1, 0, 1, 2, 1, 3, 2, 1, 0, 1, 2, 3]}
DIARY = {
    "into_bed": "23:40",
    "try_sleep": "00:10",
    "sol_min": 45,
    "nwak": 3,
    "waso_min": 50,
    "final_wake": "05:50",
    "out_of_bed": "06:30",
    "quality": 2,
}


def sows(**overrides: Any) -> dict[str, Any]:
    return {
        "instrument": "sows",
        "answers": SOWS,
        "administered_at": "2026-11-20T20:30:00-05:00",
        "idempotency_key": "sows-0000001",
    } | overrides


def rows(session: Session, model: Any) -> int:
    with session.begin():
        return session.scalar(select(func.count(model.id))) or 0


def test_a_response_is_scored_and_names_its_instrument_version(session: Session, cast: Cast) -> None:
    response, created = record_response(session, cast.actor(cast.alice), cast.alice_patient.id, sows(), now=NOW)
    assert created
    assert (response.total, response.band, response.rater) == (20.0, "moderate", "self")
    assert response.instrument_version == get_instrument("sows").version
    assert response.answers == SOWS
    assert response.score["total"] == 20


def test_a_retried_response_is_stored_once(session: Session, cast: Cast) -> None:
    record_response(session, cast.actor(cast.alice), cast.alice_patient.id, sows(), now=NOW)
    _, created = record_response(session, cast.actor(cast.alice), cast.alice_patient.id, sows(), now=NOW)
    assert not created
    assert rows(session, QuestionnaireResponse) == 1
    with pytest.raises(Conflict):
        record_response(
            session, cast.actor(cast.alice), cast.alice_patient.id, sows(answers={"items": [0] * 16}), now=NOW
        )


def test_a_new_response_is_one_insert_and_reads_back_as_the_database_stored_it(session: Session, cast: Cast) -> None:
    """A new check-in is written with one Core INSERT, not the ORM's unit of work (`insert_detached`), that
    skips a stored key (ON CONFLICT DO NOTHING) so that no SAVEPOINT is needed around it: the object given
    back holds its id and every column as stored, defaults included, and the session does not track it. A
    retry's INSERT stores nothing, and it is answered with the stored row, loaded as usual."""
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        response, created = record_response(session, cast.actor(cast.alice), cast.alice_patient.id, sows(), now=NOW)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert created
    inserts = [s for s in sent if s.startswith("INSERT INTO questionnaire_responses")]
    assert len(inserts) == 1
    assert "ON CONFLICT (patient_id, idempotency_key) DO NOTHING" in inserts[0]
    # The write is one unit (a SAVEPOINT here, where the test's session nests every unit): none inside it.
    write_begins = max(n for n, s in enumerate(sent[: sent.index(inserts[0])]) if s.startswith("SAVEPOINT"))
    write_ends = sent.index(f"RELEASE SAVEPOINT {sent[write_begins].split()[-1]}")
    assert not [s for s in sent[write_begins + 1 : write_ends] if "SAVEPOINT" in s]
    assert response not in session
    assert (response.created_at, response.version, response.voided_at) == (NOW, 1, None)
    with session.begin():
        stored = session.get(QuestionnaireResponse, response.id)
    assert stored is not None
    assert stored is not response
    columns = [attribute.key for attribute in inspect(QuestionnaireResponse).column_attrs]
    assert {c: getattr(response, c) for c in columns} == {c: getattr(stored, c) for c in columns}
    again, created = record_response(session, cast.actor(cast.alice), cast.alice_patient.id, sows(), now=NOW)
    assert (created, again.id, again in session) == (False, response.id, True)
    assert rows(session, QuestionnaireResponse) == 1


def test_illegal_answers_are_refused_naming_the_item_and_nothing_is_stored(session: Session, cast: Cast) -> None:
    bad = {"items": [*SOWS["items"][:15], 7]}
    with pytest.raises(ValidationError) as caught:
        record_response(session, cast.actor(cast.alice), cast.alice_patient.id, sows(answers=bad), now=NOW)
    assert "7" in caught.value.message
    assert rows(session, QuestionnaireResponse) == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"instrument": ""}, "instrument"),
        ({"administered_at": "2026-11-20"}, "administered_at"),
        ({"administered_at": "2026-11-22T09:00:00+00:00"}, "administered_at"),
        ({"answers": []}, "answers"),
    ],
)
def test_bad_envelopes_name_the_field(session: Session, cast: Cast, overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        record_response(session, cast.actor(cast.alice), cast.alice_patient.id, sows(**overrides), now=NOW)
    assert caught.value.field == field


def test_an_unknown_instrument_is_refused(session: Session, cast: Cast) -> None:
    with pytest.raises(ValidationError, match="unknown instrument"):
        record_response(session, cast.actor(cast.alice), cast.alice_patient.id, sows(instrument="bdi"), now=NOW)


def test_a_patient_cannot_rate_the_clinician_rated_cows(session: Session, cast: Cast) -> None:
    items = {
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
    cows = {
        "instrument": "cows",
        "answers": {"items": items},
        "administered_at": "2026-11-21T09:00:00-05:00",
        "idempotency_key": "cows-0000001",
    }
    with pytest.raises(PermissionDenied):
        record_response(session, cast.actor(cast.alice), cast.alice_patient.id, cows, now=NOW)
    response, _ = record_response(session, cast.actor(cast.bob), cast.alice_patient.id, cows, now=NOW)
    assert (response.total, response.band, response.rater, response.rater_id) == (
        10.0,
        "mild",
        "clinician",
        cast.bob.id,
    )


def test_an_edit_rescores_and_keeps_the_old_answers_and_score(session: Session, cast: Cast) -> None:
    response_id = record_response(session, cast.actor(cast.alice), cast.alice_patient.id, sows(), now=NOW)[0].id
    edited = edit_response(
        session,
        cast.actor(cast.alice),
        response_id,
        {"answers": {"items": [0] * 16}, "reason": "answered the wrong day"},
    )
    assert (edited.total, edited.band, edited.version) == (0.0, "none", 2)
    with session.begin():
        history = revisions(session, "questionnaire_response", response_id)
    assert len(history) == 1
    assert history[0].values["answers"] == SOWS
    assert history[0].values["total"] == 20
    with pytest.raises(ValidationError):
        edit_response(session, cast.actor(cast.alice), response_id, {"answers": {"items": [9] * 16}, "reason": "x!"})


def test_a_diary_night_is_scored_and_filed_under_the_evening_it_began(session: Session, cast: Cast) -> None:
    entry, created = record_sleep_diary(
        session,
        cast.actor(cast.alice),
        cast.alice_patient.id,
        {"night_of": "2026-11-20", "answers": DIARY, "idempotency_key": "diary-000001"},
        now=NOW,
    )
    assert created
    assert entry.night_of == date(2026, 11, 20)
    assert (entry.total_sleep_min, entry.sleep_efficiency_pct) == (245, 59.76)
    assert entry.metrics["tib_min"] == 410


def test_a_night_is_recorded_once(session: Session, cast: Cast) -> None:
    def diary(key: str) -> dict[str, Any]:
        return {"night_of": "2026-11-20", "answers": DIARY, "idempotency_key": key}

    record_sleep_diary(session, cast.actor(cast.alice), cast.alice_patient.id, diary("diary-000001"), now=NOW)
    _, created = record_sleep_diary(
        session, cast.actor(cast.alice), cast.alice_patient.id, diary("diary-000001"), now=NOW
    )
    assert not created
    with pytest.raises(Conflict) as caught:
        record_sleep_diary(session, cast.actor(cast.alice), cast.alice_patient.id, diary("diary-000002"), now=NOW)
    assert caught.value.field == "night_of"
    assert rows(session, SleepDiaryEntry) == 1


@pytest.mark.parametrize("night", ["2026-11-21", "2026-11-25", "2020-01-01"])
def test_a_night_that_has_not_happened_yet_is_refused(session: Session, cast: Cast, night: str) -> None:
    # NOW is the morning of the 21st in New York: tonight's diary can only be filled tomorrow.
    with pytest.raises(ValidationError) as caught:
        record_sleep_diary(
            session,
            cast.actor(cast.alice),
            cast.alice_patient.id,
            {"night_of": night, "answers": DIARY, "idempotency_key": "diary-000003"},
            now=NOW,
        )
    assert caught.value.field == "night_of"


def test_an_inconsistent_diary_is_refused_naming_the_item(session: Session, cast: Cast) -> None:
    answers = DIARY | {"waso_min": 600}
    with pytest.raises(ValidationError) as caught:
        record_sleep_diary(
            session,
            cast.actor(cast.alice),
            cast.alice_patient.id,
            {"night_of": "2026-11-20", "answers": answers, "idempotency_key": "diary-000004"},
            now=NOW,
        )
    assert getattr(caught.value, "item", None) == "waso_min"


def test_symptoms_use_catalog_codes_rated_zero_to_three(session: Session, cast: Cast) -> None:
    report = {
        "reported_at": "2026-11-20T23:30:00-05:00",
        "symptoms": {"severe_drowsiness": 3, "disorientation": 2},
        "idempotency_key": "symptoms-0001",
    }
    stored, _ = report_symptoms(session, cast.actor(cast.alice), cast.alice_patient.id, report, now=NOW)
    assert stored.symptoms == {"disorientation": 2, "severe_drowsiness": 3}
    for symptoms, field in (
        ({"sneezing_fit": 1}, "symptoms"),
        ({"vomiting": 4}, "symptoms.vomiting"),
        ({}, "symptoms"),
    ):
        with pytest.raises(ValidationError) as caught:
            report_symptoms(
                session,
                cast.actor(cast.alice),
                cast.alice_patient.id,
                report | {"symptoms": symptoms, "idempotency_key": "symptoms-0002"},
                now=NOW,
            )
        assert caught.value.field == field
    assert rows(session, SymptomReport) == 1


NIGHT = {
    "into_bed": "23:00",
    "try_sleep": "23:00",
    "sol_min": 0,
    "nwak": 0,
    "waso_min": 0,
    "final_wake": "07:00",
    "out_of_bed": "07:00",
}


@pytest.mark.parametrize(
    ("zone", "night_of", "answers", "tib", "shift"),
    [
        ("America/New_York", "2026-03-07", NIGHT, 420, -60),  # spring forward: 23:00 to 07:00 is 7 hours
        ("America/New_York", "2026-10-31", NIGHT, 540, 60),  # fall back: 9 hours
        ("America/New_York", "2026-11-20", NIGHT, 480, None),  # an ordinary night
        ("Europe/Berlin", "2026-03-07", NIGHT, 480, None),  # New York's change is not Berlin's
        ("Europe/Berlin", "2026-03-28", NIGHT, 420, -60),
        ("America/New_York", "2026-03-07", NIGHT | {"into_bed": "00:30", "try_sleep": "00:40"}, 330, -60),
        ("America/Phoenix", "2026-03-07", NIGHT, 480, None),  # Arizona keeps standard time
    ],
)
def test_a_night_across_a_clock_change_counts_the_time_that_passed(
    session: Session, system: Any, zone: str, night_of: str, answers: dict[str, Any], tib: int, shift: int | None
) -> None:
    from morrow.services.people import create_patient

    patient_id = create_patient(session, system, {"display_name": "Night owl", "timezone": zone}).id
    entry, _ = record_sleep_diary(
        session,
        system,
        patient_id,
        {"night_of": night_of, "answers": answers, "idempotency_key": "dst-night-01"},
        now=datetime(2026, 12, 1, tzinfo=UTC),
    )
    assert entry.metrics["tib_min"] == tib
    lights_out_lag = 10 if answers["try_sleep"] != answers["into_bed"] else 0
    assert entry.total_sleep_min == tib - lights_out_lag
    assert entry.metrics.get("dst_shift_min") == shift
    assert entry.answers == answers  # what the patient wrote is kept as written


def test_a_bedtime_after_midnight_belongs_to_the_evening_before(session: Session, cast: Cast) -> None:
    late = DIARY | {"into_bed": "01:10", "try_sleep": "01:20", "sol_min": 20}
    entry, _ = record_sleep_diary(
        session,
        cast.actor(cast.alice),
        cast.alice_patient.id,
        {"night_of": "2026-11-20", "answers": late, "idempotency_key": "late-night-1"},
        now=NOW,
    )
    assert entry.night_of == date(2026, 11, 20)
    assert entry.metrics["tib_min"] == 320


def test_a_diary_night_can_be_corrected_and_keeps_its_history(session: Session, cast: Cast) -> None:
    from morrow.services.checkins import edit_sleep_diary

    entry_id = record_sleep_diary(
        session,
        cast.actor(cast.alice),
        cast.alice_patient.id,
        {"night_of": "2026-11-20", "answers": DIARY, "idempotency_key": "diary-edit-01"},
        now=NOW,
    )[0].id
    edited = edit_sleep_diary(
        session,
        cast.actor(cast.alice),
        entry_id,
        {"answers": DIARY | {"waso_min": 20}, "reason": "fewer wakings than I wrote"},
    )
    assert (edited.total_sleep_min, edited.version) == (275, 2)
    with session.begin():
        history = revisions(session, "sleep_diary_entry", entry_id)
    assert [h.values["total_sleep_min"] for h in history] == [245]
    with pytest.raises(PermissionDenied):
        edit_sleep_diary(session, cast.actor(cast.carol), entry_id, {"answers": DIARY, "reason": "not mine"})
