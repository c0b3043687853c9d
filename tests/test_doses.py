"""Dose logging: stored once per key, validated against the catalog and regimen, edits keep history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from morrow.db.models import AuditEvent, DoseLog
from morrow.domain.errors import Conflict, NotFound, ValidationError
from morrow.services.actors import Actor
from morrow.services.doses import edit_dose, log_dose, void_dose
from morrow.services.history import revisions
from morrow.services.regimens import start_regimen
from tests.conftest import Cast

NOW = datetime(2026, 11, 21, 4, 0, tzinfo=UTC)  # 23:00 in New York


def dose(**overrides: Any) -> dict[str, Any]:
    return {
        "substance": "kratom",
        "form": "leaf_powder",
        "amount": 3,
        "unit": "g",
        "taken_at": "2026-11-20T20:00:00-05:00",
        "idempotency_key": "key-00000001",
    } | overrides


def count_doses(session: Session) -> int:
    with session.begin():
        return session.scalar(select(func.count(DoseLog.id))) or 0


def test_it_stores_a_dose_with_the_time_in_utc(session: Session, cast: Cast) -> None:
    stored, created = log_dose(session, cast.actor(cast.alice), cast.alice_patient.id, dose(), now=NOW)
    assert created
    assert stored.taken_at == datetime(2026, 11, 21, 1, 0, tzinfo=UTC)
    assert (stored.substance_id, stored.form, stored.amount, stored.kind) == ("kratom", "leaf_powder", 3, "unplanned")
    assert stored.recorded_by_id == cast.alice.id


def test_the_same_key_twice_stores_one_dose(session: Session, cast: Cast) -> None:
    first, created_first = log_dose(session, cast.actor(cast.alice), cast.alice_patient.id, dose(), now=NOW)
    again, created_again = log_dose(session, cast.actor(cast.alice), cast.alice_patient.id, dose(), now=NOW)
    assert (created_first, created_again) == (True, False)
    assert again.id == first.id
    assert count_doses(session) == 1


def test_the_same_key_with_other_data_is_a_conflict(session: Session, cast: Cast) -> None:
    log_dose(session, cast.actor(cast.alice), cast.alice_patient.id, dose(), now=NOW)
    with pytest.raises(Conflict) as caught:
        log_dose(session, cast.actor(cast.alice), cast.alice_patient.id, dose(amount=4), now=NOW)
    assert caught.value.field == "idempotency_key"
    assert count_doses(session) == 1


def test_keys_are_per_patient(session: Session, cast: Cast, system: Any) -> None:
    log_dose(session, system, cast.alice_patient.id, dose(), now=NOW)
    _, created = log_dose(session, system, cast.other_patient.id, dose(), now=NOW)
    assert created


def test_a_missing_form_means_the_default_and_release_names_the_melatonin_form(session: Session, cast: Cast) -> None:
    kratom, _ = log_dose(session, cast.actor(cast.alice), cast.alice_patient.id, dose(form=None), now=NOW)
    assert kratom.form == "leaf_powder"
    melatonin_dose = {
        "substance": "melatonin",
        "release": "prolonged",
        "amount": 2,
        "unit": "mg",
        "taken_at": "2026-11-20T22:00:00-05:00",
        "idempotency_key": "key-mel-0001",
    }
    melatonin, _ = log_dose(session, cast.actor(cast.alice), cast.alice_patient.id, melatonin_dose, now=NOW)
    assert melatonin.form == "prolonged"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"substance": "unicorn"}, "substance"),
        ({"form": "gummy"}, "form"),
        ({"amount": -1}, "amount"),
        ({"amount": 0}, "amount"),
        ({"amount": float("nan")}, "amount"),
        ({"amount": "three"}, "amount"),
        ({"amount": 2000, "unit": "g"}, "amount"),
        ({"unit": "standard_drink"}, "unit"),
        ({"unit": "ml"}, "unit"),
        ({"substance": "alcohol", "form": None, "unit": "mg"}, "unit"),
        ({"substance": "sertraline", "form": "tablet", "unit": "mg"}, "form"),
        ({"taken_at": "2026-11-20T20:00:00"}, "taken_at"),
        ({"taken_at": "yesterday"}, "taken_at"),
        ({"taken_at": "2026-11-21T23:30:00+00:00"}, "taken_at"),
        ({"idempotency_key": "short"}, "idempotency_key"),
        ({"kind": "planned"}, "regimen_item_id"),
        ({"kind": "sometimes"}, "kind"),
        ({"colour": "green"}, "colour"),
    ],
)
def test_bad_input_names_the_field(session: Session, cast: Cast, overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        log_dose(session, cast.actor(cast.alice), cast.alice_patient.id, dose(**overrides), now=NOW)
    assert caught.value.field == field
    assert count_doses(session) == 0


def test_a_dose_for_a_patient_that_does_not_exist_is_not_found(session: Session, cast: Cast) -> None:
    with pytest.raises(NotFound):
        log_dose(session, cast.actor(cast.bob), 999_999, dose(), now=NOW)


def test_a_planned_dose_links_to_its_regimen_item_and_only_its_own(session: Session, cast: Cast) -> None:
    regimen = start_regimen(
        session,
        cast.actor(cast.bob),
        cast.alice_patient.id,
        {
            "title": "Kratom",
            "starts_on": "2026-11-01",
            "items": [
                {
                    "substance": "kratom",
                    "form": "leaf_powder",
                    "dose": 3,
                    "unit": "g",
                    "schedule": "fixed",
                    "times": ["08:00", "20:00"],
                    "starts_on": "2026-11-01",
                }
            ],
        },
    )
    item_id = regimen.items[0].id
    planned, _ = log_dose(
        session, cast.actor(cast.alice), cast.alice_patient.id, dose(kind="planned", regimen_item_id=item_id), now=NOW
    )
    assert planned.regimen_item_id == item_id
    with pytest.raises(NotFound):  # Morrow itself may write anywhere, but not link another patient's item
        log_dose(
            session,
            Actor.system("test"),
            cast.other_patient.id,
            dose(kind="planned", regimen_item_id=item_id, idempotency_key="key-other-01"),
            now=NOW,
        )
    with pytest.raises(ValidationError) as caught:
        log_dose(
            session,
            cast.actor(cast.alice),
            cast.alice_patient.id,
            dose(
                substance="melatonin",
                form=None,
                unit="mg",
                kind="planned",
                regimen_item_id=item_id,
                idempotency_key="key-mel-0002",
            ),
            now=NOW,
        )
    assert caught.value.field == "substance"


def test_an_edit_keeps_the_previous_values(session: Session, cast: Cast) -> None:
    stored, _ = log_dose(session, cast.actor(cast.alice), cast.alice_patient.id, dose(), now=NOW)
    edited = edit_dose(session, cast.actor(cast.alice), stored.id, {"amount": 2.5, "reason": "misread the scale"})
    assert (edited.amount, edited.version) == (2.5, 2)
    with session.begin():
        history = revisions(session, "dose_log", stored.id)
    assert [(r.version, r.values["amount"], r.reason) for r in history] == [(1, 3.0, "misread the scale")]
    assert history[0].edited_by_id == cast.alice.id


def test_an_edit_is_validated_like_a_new_dose(session: Session, cast: Cast) -> None:
    stored_id = log_dose(session, cast.actor(cast.alice), cast.alice_patient.id, dose(), now=NOW)[0].id
    with pytest.raises(ValidationError) as caught:
        edit_dose(session, cast.actor(cast.alice), stored_id, {"unit": "standard_drink", "reason": "oops"})
    assert caught.value.field == "unit"
    with pytest.raises(ValidationError) as missing_reason:
        edit_dose(session, cast.actor(cast.alice), stored_id, {"amount": 2})
    assert missing_reason.value.field == "reason"


def test_a_voided_dose_stays_in_the_record_and_cannot_be_edited(session: Session, cast: Cast) -> None:
    stored, _ = log_dose(session, cast.actor(cast.alice), cast.alice_patient.id, dose(), now=NOW)
    voided = void_dose(session, cast.actor(cast.alice), stored.id, "logged twice", now=NOW + timedelta(minutes=5))
    assert voided.voided_at == NOW + timedelta(minutes=5)
    assert count_doses(session) == 1
    with pytest.raises(Conflict):
        edit_dose(session, cast.actor(cast.alice), stored.id, {"amount": 2, "reason": "again"})


def test_every_write_is_audited_with_its_actor(session: Session, cast: Cast) -> None:
    stored, _ = log_dose(session, cast.actor(cast.alice), cast.alice_patient.id, dose(), now=NOW)
    edit_dose(session, cast.actor(cast.alice), stored.id, {"amount": 2.5, "reason": "misread the scale"})
    with session.begin():
        events = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.patient_id == cast.alice_patient.id, AuditEvent.entity.in_(["dose", "dose_log"]))
            .order_by(AuditEvent.id)
        ).all()
    assert [(e.action, e.actor_id, e.origin) for e in events] == [
        ("create", cast.alice.id, "test"),
        ("update", cast.alice.id, "test"),
    ]
