"""Adherence per item per local day, from stored doses, across clock changes, midnight and new versions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from morrow.domain.errors import PermissionDenied, ValidationError
from morrow.services.actors import Actor
from morrow.services.adherence import AdherenceRow, adherence
from morrow.services.doses import log_dose, void_dose
from morrow.services.titration import propose_dose_change
from tests.conftest import Cast
from tests.services.builders import item, local, set_regimen


def taken(session: Session, cast: Cast, item_id: int, at: datetime, key: str) -> int:
    payload = {
        "substance": "kratom",
        "form": "capsule",
        "amount": 2,
        "unit": "g",
        "kind": "planned",
        "regimen_item_id": item_id,
        "taken_at": at.isoformat(),
        "idempotency_key": f"dose-key-{key}",
    }
    return log_dose(session, cast.actor(cast.alice), cast.alice_patient.id, payload, now=at)[0].id


def regimen_item(session: Session, cast: Cast, starts_on: str, **overrides: Any) -> int:
    made = set_regimen(session, cast.alice_patient.id, starts_on, item(starts_on=starts_on, **overrides))
    return made.items[0].id


def summary(rows: list[AdherenceRow]) -> list[tuple[str, int, int, int, int, int]]:
    return [(r.day.isoformat(), r.taken, r.late, r.missed, r.due, r.extra) for r in rows]


def test_it_follows_the_clock_on_the_spring_forward_day(session: Session, cast: Cast) -> None:
    item_id = regimen_item(session, cast, "2026-03-07", times=["02:30"])
    taken(session, cast, item_id, local(date(2026, 3, 7), "02:35"), "mar07")
    taken(session, cast, item_id, local(date(2026, 3, 8), "03:40"), "mar08")  # 02:30 does not exist: due 03:30
    now = local(date(2026, 3, 9), "12:00")
    rows = adherence(session, cast.actor(cast.bob), cast.alice_patient.id, date(2026, 3, 7), date(2026, 3, 9), now)
    assert summary(rows) == [
        ("2026-03-07", 1, 0, 0, 0, 0),
        ("2026-03-08", 1, 0, 0, 0, 0),
        ("2026-03-09", 0, 0, 1, 0, 0),
    ]


def test_a_dose_after_midnight_belongs_to_the_evening_it_was_due(session: Session, cast: Cast) -> None:
    item_id = regimen_item(session, cast, "2026-05-04", times=["23:30"])
    taken(session, cast, item_id, local(date(2026, 5, 5), "00:20"), "may05a")  # the 4th's dose, 50 min late
    taken(session, cast, item_id, local(date(2026, 5, 5), "23:35"), "may05b")
    now = local(date(2026, 5, 6), "12:00")
    alice = cast.actor(cast.alice)
    rows = adherence(session, alice, cast.alice_patient.id, date(2026, 5, 4), date(2026, 5, 6), now, grace_minutes=30)
    assert summary(rows) == [
        ("2026-05-04", 0, 1, 0, 0, 0),
        ("2026-05-05", 1, 0, 0, 0, 0),
        ("2026-05-06", 0, 0, 0, 0, 0),
    ]
    assert rows[-1].upcoming == 1


def test_voided_doses_do_not_count_and_second_doses_are_extra(session: Session, cast: Cast) -> None:
    item_id = regimen_item(session, cast, "2026-05-04", times=["08:00"])
    taken(session, cast, item_id, local(date(2026, 5, 4), "08:05"), "a1")
    taken(session, cast, item_id, local(date(2026, 5, 4), "08:10"), "a2")
    voided = taken(session, cast, item_id, local(date(2026, 5, 5), "08:00"), "a3")
    void_dose(session, cast.actor(cast.alice), voided, "entered twice", now=local(date(2026, 5, 5), "09:00"))
    now = local(date(2026, 5, 5), "08:30")
    rows = adherence(session, cast.actor(cast.bob), cast.alice_patient.id, date(2026, 5, 4), date(2026, 5, 5), now)
    assert summary(rows) == [("2026-05-04", 1, 0, 0, 0, 1), ("2026-05-05", 0, 0, 0, 1, 0)]


def test_each_day_uses_the_version_in_force(session: Session, cast: Cast) -> None:
    old_id = regimen_item(session, cast, "2026-05-04", times=["08:00"])
    change = {"proposed_dose": 1.5, "reason": "less is enough"}
    propose_dose_change(session, cast.actor(cast.alice), old_id, change, date(2026, 5, 6))
    taken(session, cast, old_id, local(date(2026, 5, 6), "08:00"), "b1")  # logged against the old item
    now = local(date(2026, 5, 6), "12:00")
    rows = adherence(session, cast.actor(cast.bob), cast.alice_patient.id, date(2026, 5, 5), date(2026, 5, 6), now)
    assert [(r.day.isoformat(), r.regimen_item_id == old_id, r.taken, r.missed) for r in rows] == [
        ("2026-05-05", True, 0, 1),
        ("2026-05-06", False, 1, 0),
    ]


def test_as_needed_items_count_doses_against_the_cap(session: Session, cast: Cast) -> None:
    item_id = regimen_item(
        session, cast, "2026-05-04", schedule="as_needed", times=[], max_doses_per_day=2, min_interval_minutes=240
    )
    for n, clock in enumerate(("08:00", "10:00", "18:00")):
        taken(session, cast, item_id, local(date(2026, 5, 4), clock), f"c{n}")
    now = local(date(2026, 5, 4), "20:00")
    (row,) = adherence(session, cast.actor(cast.bob), cast.alice_patient.id, date(2026, 5, 4), date(2026, 5, 4), now)
    assert (row.schedule, row.taken, row.extra, row.too_soon) == ("as_needed", 3, 1, 1)


@pytest.mark.parametrize("who", ["carol", "admin"])
def test_strangers_cannot_read_adherence(session: Session, cast: Cast, who: str) -> None:
    now = local(date(2026, 5, 6), "12:00")
    with pytest.raises(PermissionDenied):
        adherence(
            session, cast.actor(getattr(cast, who)), cast.alice_patient.id, date(2026, 5, 4), date(2026, 5, 6), now
        )


def test_a_range_backwards_or_too_long_is_refused(session: Session, cast: Cast) -> None:
    system = Actor.system("test")
    now = local(date(2026, 5, 6), "12:00")
    with pytest.raises(ValidationError):
        adherence(session, system, cast.alice_patient.id, date(2026, 5, 6), date(2026, 5, 4), now)
    with pytest.raises(ValidationError):
        adherence(session, system, cast.alice_patient.id, date(2026, 1, 1), date(2026, 5, 4), now)
