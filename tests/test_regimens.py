"""Regimens: set by clinicians only, validated item by item, one active at a time."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from morrow.db.models import Regimen
from morrow.domain.errors import Conflict, PermissionDenied, ValidationError
from morrow.services.regimens import start_regimen
from tests.conftest import Cast


def kratom_item(**overrides: Any) -> dict[str, Any]:
    return {
        "substance": "kratom",
        "form": "capsule",
        "dose": 2,
        "unit": "g",
        "schedule": "fixed",
        "times": ["20:00", "08:00"],
        "ceiling_dose": 3,
        "starts_on": "2026-11-01",
    } | overrides


def regimen(starts_on: str = "2026-11-01", item_starts_on: str | None = None, **item: Any) -> dict[str, Any]:
    first = kratom_item(starts_on=item_starts_on or starts_on) | item
    return {"title": "Kratom", "starts_on": starts_on, "items": [first]}


def test_a_clinician_sets_a_regimen(session: Session, cast: Cast) -> None:
    made = start_regimen(session, cast.actor(cast.bob), cast.alice_patient.id, regimen())
    item = made.items[0]
    assert (made.status, made.set_by_id) == ("active", cast.bob.id)
    assert (item.substance_id, item.form, item.dose, item.ceiling_dose) == ("kratom", "capsule", 2, 3)
    assert item.times == ["08:00", "20:00"]


def test_a_patient_cannot_set_their_own_doses(session: Session, cast: Cast) -> None:
    with pytest.raises(PermissionDenied):
        start_regimen(session, cast.actor(cast.alice), cast.alice_patient.id, regimen())


def test_a_new_regimen_ends_the_previous_one_the_day_before(session: Session, cast: Cast) -> None:
    first_id = start_regimen(session, cast.actor(cast.bob), cast.alice_patient.id, regimen()).id
    start_regimen(session, cast.actor(cast.bob), cast.alice_patient.id, regimen("2026-11-15", dose=1.5))
    with session.begin():
        all_regimens = session.scalars(select(Regimen).order_by(Regimen.id)).all()
        assert [(r.status, r.ends_on) for r in all_regimens] == [("ended", date(2026, 11, 14)), ("active", None)]
        assert all_regimens[0].id == first_id
    with pytest.raises(Conflict):
        start_regimen(session, cast.actor(cast.bob), cast.alice_patient.id, regimen("2026-11-15"))


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"substance": "unicorn"}, "items.0.substance"),
        ({"form": "gummy"}, "items.0.form"),
        ({"dose": 0}, "items.0.dose"),
        ({"times": ["8am"]}, "items.0.times"),
        ({"times": ["08:00", "08:00"]}, "items.0.times"),
        ({"ceiling_dose": 1}, "items.0"),
        ({"times": []}, "items.0"),
        ({"schedule": "as_needed", "times": []}, "items.0"),
        ({"titration_max_increase": 0.5}, "items.0"),
        ({"ends_on": "2026-10-01"}, "items.0"),
        ({"unit": "standard_drink"}, "items.0.unit"),
        ({"ceiling_dose": 5000}, "items.0.ceiling_dose"),
        ({"item_starts_on": "2026-10-01"}, "items.0.starts_on"),
        ({"item_starts_on": "1999-12-31"}, "items.0.starts_on"),
    ],
)
def test_bad_items_name_the_field(session: Session, cast: Cast, item: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        start_regimen(session, cast.actor(cast.bob), cast.alice_patient.id, regimen(**item))
    assert caught.value.field == field


def test_an_as_needed_item_carries_its_daily_cap(session: Session, cast: Cast) -> None:
    item = {
        "substance": "lofexidine",
        "form": "tablet",
        "dose": 0.54,
        "unit": "mg",
        "schedule": "as_needed",
        "max_doses_per_day": 4,
        "min_interval_minutes": 300,
        "starts_on": "2026-11-01",
    }
    made = start_regimen(
        session,
        cast.actor(cast.bob),
        cast.alice_patient.id,
        {"title": "Withdrawal support", "starts_on": "2026-11-01", "items": [item]},
    )
    assert (made.items[0].max_doses_per_day, made.items[0].min_interval_minutes) == (4, 300)
