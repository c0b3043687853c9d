"""The timeline's entries word for word: what each kind says, its local day, and the order of a page."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session

from morrow.domain.errors import ValidationError
from morrow.services.actors import Actor
from morrow.services.doses import log_dose, void_dose
from morrow.services.timeline import timeline
from tests.conftest import Cast
from tests.services.builders import diary_night, local, sows

SYSTEM = Actor.system("test")


def test_each_entry_says_what_it_is_on_the_patients_own_day(session: Session, cast: Cast) -> None:
    alice = cast.alice_patient.id  # America/New_York
    late = local(date(2026, 11, 20), "23:30")  # already 21 November in UTC
    dose, _ = log_dose(
        session, SYSTEM, alice,
        {"substance": "kratom", "form": "capsule", "amount": 2.5, "unit": "g", "kind": "unplanned",
         "taken_at": late.isoformat(), "note": "back pain", "idempotency_key": "timeline-dose-1"},
        now=late,
    )  # fmt: skip
    void_dose(session, SYSTEM, dose.id, "typed the wrong day", now=late)
    sows(session, alice, date(2026, 11, 21), 1)  # total 16 at 09:00
    diary_night(session, alice, date(2026, 11, 20))  # 6 h 30 min asleep of 8 h in bed

    page = timeline(session, SYSTEM, alice, until=date(2026, 11, 21), days=2)

    assert (page.first_day, page.last_day, page.older_until) == (
        date(2026, 11, 20),
        date(2026, 11, 21),
        date(2026, 11, 19),
    )
    assert [(e.kind, e.day, e.title) for e in page.entries] == [
        ("score", date(2026, 11, 21), "SOWS 16 (moderate)"),
        ("dose", date(2026, 11, 20), "kratom 2.5 g"),
        ("sleep", date(2026, 11, 20), "Night of 2026-11-20"),
    ]
    score, taken, night = page.entries
    assert score.detail == "self-report"
    assert taken.at == datetime(2026, 11, 21, 4, 30, tzinfo=UTC)
    assert taken.detail == "unplanned (entered in error, voided); note: back pain"
    assert night.at == datetime(2026, 11, 21, 3, 0, tzinfo=UTC)  # 22:00 local on the night it began
    assert night.detail == "6 h 30 min asleep, sleep efficiency 81.25%"
    only_doses = timeline(session, SYSTEM, alice, until=date(2026, 11, 21), days=2, kinds=["dose"])
    assert [e.kind for e in only_doses.entries] == ["dose"]
    assert timeline(session, SYSTEM, alice, until=date(2026, 11, 19), days=1).entries == ()


def test_a_dose_of_a_plan_must_name_its_regimen_item(session: Session, cast: Cast) -> None:
    taken = local(date(2026, 11, 20), "08:00").isoformat()
    for kind, words in (("planned", "a planned"), ("as_needed", "an as-needed"), ("off_plan", "an off-plan")):
        data = {
            "substance": "kratom",
            "amount": 2,
            "unit": "g",
            "kind": kind,
            "taken_at": taken,
            "idempotency_key": f"plan-{kind}",
        }
        with pytest.raises(ValidationError) as refused:
            log_dose(session, SYSTEM, cast.alice_patient.id, data)
        assert (refused.value.field, str(refused.value)) == (
            "regimen_item_id",
            f"{words} dose must name its regimen item",
        )
