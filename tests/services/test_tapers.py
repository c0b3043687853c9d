"""Taper plans: drafted and approved by a clinician, held by symptoms, revised only by new versions."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import morrow.services.tapers as tapers_service
from morrow.db.models import Regimen, TaperPlan
from morrow.domain.errors import Conflict, NotFound, PermissionDenied, ValidationError
from morrow.services.actors import Actor
from morrow.services.regimens import start_regimen
from morrow.services.tapers import (
    approve_taper_plan,
    create_taper_plan,
    get_taper_plan,
    pause_taper,
    resume_taper,
    reverse_taper_step,
    taper_status,
)
from morrow.services.tx import atomic
from tests.conftest import Cast
from tests.services.builders import item, sows

CREATED = date(2026, 11, 10)
SOWS_RULE = {"measure": "sows.total", "above": 20, "consecutive_days": 3, "label": "SOWS total"}


def request(**overrides: Any) -> dict[str, Any]:
    return {
        "substance": "oxycodone",
        "current_daily_dose": 40,
        "unit": "mg",
        "method": "percent_of_current",
        "percent": 10,
        "interval_days": 14,
        "min_step": 5,
        "start": "2026-11-16",
        "hold_rules": [SOWS_RULE],
    } | overrides


def approved_plan(session: Session, cast: Cast) -> int:
    plan = create_taper_plan(session, cast.actor(cast.bob), cast.alice_patient.id, request(), CREATED)
    return approve_taper_plan(session, cast.actor(cast.bob), plan.id).id


def status_on(session: Session, cast: Cast, day: date, who: str = "bob") -> Any:
    views = taper_status(session, cast.actor(getattr(cast, who)), cast.alice_patient.id, day)
    assert len(views) == 1
    return views[0]


def test_it_stores_a_draft_with_the_engines_steps(session: Session, cast: Cast) -> None:
    plan = create_taper_plan(session, cast.actor(cast.bob), cast.alice_patient.id, request(), CREATED)
    assert (plan.status, plan.version, plan.lineage_id, plan.created_by_id) == ("draft", 1, plan.id, cast.bob.id)
    assert [(s.daily_dose, s.mme_per_day) for s in plan.steps][:2] == [(35, 52.5), (30, 45.0)]
    assert (plan.steps[0].starts_on, plan.steps[-1].ends_on, len(plan.steps)) == (
        date(2026, 11, 16),
        date(2027, 3, 7),
        8,
    )


def test_a_patient_sees_a_plan_only_once_approved(session: Session, cast: Cast) -> None:
    plan_id = create_taper_plan(session, cast.actor(cast.bob), cast.alice_patient.id, request(), CREATED).id
    with pytest.raises(NotFound):
        get_taper_plan(session, cast.actor(cast.alice), plan_id)
    assert taper_status(session, cast.actor(cast.alice), cast.alice_patient.id, CREATED) == []
    approved = approve_taper_plan(session, cast.actor(cast.bob), plan_id)
    assert (approved.status, approved.approved_by_id) == ("active", cast.bob.id)
    assert get_taper_plan(session, cast.actor(cast.alice), plan_id).id == plan_id
    assert status_on(session, cast, CREATED, "alice").status.status == "not_started"


def test_it_approves_a_draft_once_and_one_live_plan_per_substance(session: Session, cast: Cast) -> None:
    plan_id = approved_plan(session, cast)
    with pytest.raises(Conflict):
        approve_taper_plan(session, cast.actor(cast.bob), plan_id)
    second = create_taper_plan(session, cast.actor(cast.bob), cast.alice_patient.id, request(), CREATED)
    with pytest.raises(Conflict):
        approve_taper_plan(session, cast.actor(cast.bob), second.id)


def test_the_database_itself_holds_one_live_plan_per_patient_and_substance(session: Session, cast: Cast) -> None:
    """Whatever writes the table (a script, a future service): a second live plan is refused by the index."""
    live = approved_plan(session, cast)
    second = create_taper_plan(session, cast.actor(cast.bob), cast.alice_patient.id, request(), CREATED).id
    for status in ("active", "paused"):
        with pytest.raises(IntegrityError), session.begin():
            session.execute(update(TaperPlan).where(TaperPlan.id == second).values(status=status))
    with session.begin():  # a plan no longer live holds nothing back
        session.execute(update(TaperPlan).where(TaperPlan.id == live).values(status="completed"))
        session.execute(update(TaperPlan).where(TaperPlan.id == second).values(status="active"))
    with session.begin():
        assert session.scalars(select(TaperPlan.status).order_by(TaperPlan.id)).all() == ["completed", "active"]


@pytest.mark.parametrize("who", ["alice", "carol", "admin"])
def test_only_the_patients_clinician_plans_and_approves(session: Session, cast: Cast, who: str) -> None:
    actor = cast.actor(getattr(cast, who))
    with pytest.raises(PermissionDenied):
        create_taper_plan(session, actor, cast.alice_patient.id, request(), CREATED)
    plan_id = create_taper_plan(session, cast.actor(cast.bob), cast.alice_patient.id, request(), CREATED).id
    with pytest.raises(PermissionDenied):
        approve_taper_plan(session, actor, plan_id)


@pytest.mark.parametrize("who", ["carol", "admin"])
def test_strangers_cannot_read_the_status(session: Session, cast: Cast, who: str) -> None:
    approved_plan(session, cast)
    with pytest.raises(PermissionDenied):
        taper_status(session, cast.actor(getattr(cast, who)), cast.alice_patient.id, CREATED)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"start": "2026-11-09"}, "start"),
        ({"percent": None}, "percent"),
        ({"colour": "red"}, "colour"),
        ({"substance": "unicorn"}, "substance"),
        ({"hold_rules": [SOWS_RULE | {"measure": "mood.total"}]}, "hold_rules.0.measure"),
        ({"hold_rules": [SOWS_RULE | {"consecutive_days": 0}]}, "hold_rules.0.consecutive_days"),
        ({"regimen_item_id": 999999}, "regimen_item_id"),
    ],
)
def test_bad_requests_name_the_field(session: Session, cast: Cast, overrides: dict[str, Any], field: str) -> None:
    with pytest.raises((ValidationError, NotFound)) as caught:
        create_taper_plan(session, cast.actor(cast.bob), cast.alice_patient.id, request(**overrides), CREATED)
    assert caught.value.field == field


def test_the_status_gives_this_weeks_dose_and_the_next(session: Session, cast: Cast) -> None:
    approved_plan(session, cast)
    view = status_on(session, cast, date(2026, 11, 20))
    assert view.status.status == "on_track"
    assert (view.step.daily_dose, view.step.mme_per_day, view.step.end) == (35, 52.5, date(2026, 11, 29))
    assert view.next_step.daily_dose == 30


def test_sows_above_the_limit_on_n_days_holds_the_next_cut(session: Session, cast: Cast) -> None:
    approved_plan(session, cast)
    for day in (18, 19, 20):
        sows(session, cast.alice_patient.id, date(2026, 11, day), 2)  # total 32
    view = status_on(session, cast, date(2026, 11, 20))
    assert (view.status.status, view.status.held_step, view.status.ask_clinician) == ("hold", 1, True)
    assert view.status.triggered_by == (date(2026, 11, 18), date(2026, 11, 19), date(2026, 11, 20))


def test_n_minus_one_days_above_the_limit_is_on_track(session: Session, cast: Cast) -> None:
    approved_plan(session, cast)
    sows(session, cast.alice_patient.id, date(2026, 11, 18), 1)  # total 16: at or under the limit
    for day in (19, 20):
        sows(session, cast.alice_patient.id, date(2026, 11, day), 2)
    assert status_on(session, cast, date(2026, 11, 20)).status.status == "on_track"


def test_the_highest_score_of_a_local_day_counts(session: Session, cast: Cast) -> None:
    approved_plan(session, cast)
    for day in (18, 19, 20):
        sows(session, cast.alice_patient.id, date(2026, 11, day), 2, "08:00")
        sows(session, cast.alice_patient.id, date(2026, 11, day), 0, "23:30")  # 04:30 UTC the next day
    assert status_on(session, cast, date(2026, 11, 20)).status.status == "hold"


def test_pause_resume_and_reverse_each_store_a_new_version(session: Session, cast: Cast) -> None:
    first_id = approved_plan(session, cast)
    bob = cast.actor(cast.bob)
    paused = pause_taper(session, bob, first_id, {"reason": "SOWS high three days"}, date(2026, 11, 20))
    assert (paused.version, paused.status, paused.lineage_id) == (2, "paused", first_id)
    view = status_on(session, cast, date(2026, 12, 3))
    assert (view.status.status, view.step.daily_dose) == ("paused", 35)
    resumed = resume_taper(session, bob, paused.id, {"reason": "symptoms settled"}, date(2026, 11, 27))
    assert (resumed.version, resumed.status) == (3, "active")
    assert (resumed.steps[0].ends_on, resumed.steps[1].starts_on) == (date(2026, 12, 6), date(2026, 12, 7))
    reversed_plan = reverse_taper_step(session, bob, resumed.id, {"reason": "cravings back"}, date(2026, 12, 10))
    assert [s.daily_dose for s in reversed_plan.steps][:5] == [35, 30, 35, 30, 25]
    with session.begin():
        lineage = session.scalars(select(TaperPlan).where(TaperPlan.lineage_id == first_id).order_by(TaperPlan.version))
        rows = [(p.version, p.status, p.steps[0].ends_on) for p in lineage]
    assert rows == [
        (1, "superseded", date(2026, 11, 29)),
        (2, "superseded", date(2026, 11, 29)),
        (3, "superseded", date(2026, 12, 6)),
        (4, "active", date(2026, 12, 6)),
    ]


def test_a_superseded_version_cannot_be_changed_and_a_reason_is_required(session: Session, cast: Cast) -> None:
    first_id = approved_plan(session, cast)
    with pytest.raises(ValidationError) as caught:
        pause_taper(session, cast.actor(cast.bob), first_id, {}, date(2026, 11, 20))
    assert caught.value.field == "reason"
    pause_taper(session, cast.actor(cast.bob), first_id, {"reason": "review"}, date(2026, 11, 20))
    with pytest.raises(Conflict):
        pause_taper(session, cast.actor(cast.bob), first_id, {"reason": "again"}, date(2026, 11, 21))
    with pytest.raises(PermissionDenied):
        resume_taper(session, cast.actor(cast.alice), first_id + 1, {"reason": "I feel fine"}, date(2026, 11, 21))


def _withdrawn_and_current_oxycodone_items(session: Session, cast: Cast) -> tuple[int, int]:
    """A version planned to start on 20 November, withdrawn on the 10th by one starting on the 18th: the
    first was never in force. Returns (the withdrawn version's item, the new version's item)."""
    system = Actor.system("test")

    def version(starts_on: str) -> Regimen:
        oxycodone = item(
            substance="oxycodone", form="ir_tablet", dose=10, unit="mg", ceiling_dose=20, starts_on=starts_on
        )
        payload = {"title": "Oxycodone", "starts_on": starts_on, "items": [oxycodone]}
        return start_regimen(session, system, cast.alice_patient.id, payload, today=CREATED)

    planned = version("2026-11-20")
    current = version("2026-11-18")
    with atomic(session):
        session.refresh(planned)
        assert planned.ends_on is not None
        assert planned.ends_on < planned.starts_on  # withdrawn
        return planned.items[0].id, current.items[0].id


def test_a_plan_cannot_name_an_item_of_a_withdrawn_version(session: Session, cast: Cast) -> None:
    withdrawn, current = _withdrawn_and_current_oxycodone_items(session, cast)
    bob = cast.actor(cast.bob)
    with pytest.raises(Conflict) as refused:
        create_taper_plan(session, bob, cast.alice_patient.id, request(regimen_item_id=withdrawn), CREATED)
    assert refused.value.field == "regimen_item_id"
    assert "withdrawn" in refused.value.message
    with atomic(session):
        assert session.scalar(select(func.count()).select_from(TaperPlan)) == 0  # nothing half-written
    plan = create_taper_plan(session, bob, cast.alice_patient.id, request(regimen_item_id=current), CREATED)
    assert (plan.status, plan.regimen_item_id) == ("draft", current)


def test_an_approval_the_index_refuses_is_a_conflict_to_reload_not_an_error(
    session: Session, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If a plan went live by another way between the check and the write (the check is made to miss it
    here), the one-live-plan index refuses the approval: the clinician gets a 409 naming the plan, the draft
    stays a draft, and the session goes on working."""
    live = approved_plan(session, cast)
    draft = create_taper_plan(session, cast.actor(cast.bob), cast.alice_patient.id, request(), CREATED).id
    monkeypatch.setattr(tapers_service, "live_plans", lambda *args, **kwargs: [])
    with pytest.raises(Conflict) as refused:
        approve_taper_plan(session, cast.actor(cast.bob), draft)
    assert refused.value.field == "plan_id"
    assert "went live meanwhile" in refused.value.message
    with atomic(session):
        statuses = {row.id: row.status for row in session.execute(select(TaperPlan.id, TaperPlan.status))}
    assert statuses == {live: "active", draft: "draft"}
