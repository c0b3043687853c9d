"""Two clinicians at the same moment: one wins, the other is told to reload; nothing is stored twice.

On SQLite writes queue one at a time, so these pass there by construction; on PostgreSQL
(MORROW_TEST_DATABASE_URL) they check the row locks taken by the services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from morrow.db.models import Regimen, TaperPlan
from morrow.domain.errors import Conflict
from morrow.services.actors import Actor
from morrow.services.doses import log_dose
from morrow.services.people import create_patient
from morrow.services.regimen_versions import new_regimen_version
from morrow.services.regimens import start_regimen
from morrow.services.tapers import approve_taper_plan, create_taper_plan, pause_taper
from morrow.services.titration import propose_dose_change
from tests.test_concurrency import run_together

SYSTEM = Actor.system("test")
TODAY = date(2026, 11, 16)
ROUNDS = 5  # each round is a fresh patient: a race that is lost once in a while still shows up


def taper(start: date, substance: str = "oxycodone") -> dict[str, Any]:
    return {"substance": substance, "current_daily_dose": 40, "unit": "mg", "method": "linear", "step": 5,
            "min_step": 5, "interval_days": 14, "start": start.isoformat()}  # fmt: skip


def patient(committed: sessionmaker[Session], name: str) -> int:
    with committed() as session:
        return create_patient(session, SYSTEM, {"display_name": name, "timezone": "UTC"}).id


def plans(committed: sessionmaker[Session], patient_id: int) -> list[tuple[int, str]]:
    with committed() as session, session.begin():
        query = select(TaperPlan).where(TaperPlan.patient_id == patient_id).order_by(TaperPlan.id)
        return [(p.version, p.status) for p in session.scalars(query)]


def test_two_drafts_approved_at_once_make_one_live_plan(committed: sessionmaker[Session]) -> None:
    for round_ in range(ROUNDS):
        patient_id = patient(committed, f"Approve {round_}")
        with committed() as session:
            drafts = [create_taper_plan(session, SYSTEM, patient_id, taper(TODAY), TODAY).id for _ in range(2)]

        def approve(index: int, drafts: list[int] = drafts, patient_id: int = patient_id) -> str:
            with committed() as session:
                return approve_taper_plan(session, SYSTEM, drafts[index], patient_id=patient_id).status

        results = run_together(2, approve)
        assert sorted(map(type, results), key=str) == sorted([str, Conflict], key=str), results
        assert sorted(status for _, status in plans(committed, patient_id)) == ["active", "draft"]


def test_pause_pressed_twice_at_once_stores_one_version(committed: sessionmaker[Session]) -> None:
    for round_ in range(ROUNDS):
        patient_id = patient(committed, f"Pause {round_}")
        with committed() as session:
            plan_id = create_taper_plan(session, SYSTEM, patient_id, taper(TODAY), TODAY).id
            approve_taper_plan(session, SYSTEM, plan_id)

        def press(_: int, plan_id: int = plan_id) -> int:
            with committed() as session:
                return pause_taper(session, SYSTEM, plan_id, {"reason": "Flu this week."}, TODAY).version

        results = run_together(2, press)
        refused = [r for r in results if isinstance(r, Exception)]
        assert [type(r) for r in refused] == [Conflict], results  # a 409, never a database error (500)
        assert plans(committed, patient_id) == [(1, "superseded"), (2, "paused")]


def test_two_regimen_edits_from_the_same_version_keep_one_and_refuse_the_other(
    committed: sessionmaker[Session],
) -> None:
    start = TODAY - timedelta(days=7)
    item = {"substance": "kratom", "dose": 2, "unit": "g", "schedule": "fixed", "times": ["08:00"],
            "ceiling_dose": 6, "starts_on": start.isoformat()}  # fmt: skip
    for round_ in range(ROUNDS):
        patient_id = patient(committed, f"Regimen {round_}")
        with committed() as session:
            regimen = start_regimen(session, SYSTEM, patient_id, {"title": "K", "starts_on": start, "items": [item]})
            based_on, item_id = regimen.id, regimen.items[0].id

        def edit(index: int, patient_id: int = patient_id, based_on: int = based_on, item_id: int = item_id) -> int:
            with committed() as session:
                made = new_regimen_version(
                    session, SYSTEM, patient_id, TODAY,
                    {"based_on_regimen_id": based_on, "starts_on": TODAY, "reason": f"Edit {index}.",
                     "changes": {item_id: {"dose": 1.5 + index}}},
                )  # fmt: skip
                return int(made.id)

        results = run_together(2, edit)
        refused = [r for r in results if isinstance(r, Exception)]
        assert [(type(r), getattr(r, "field", None)) for r in refused] == [(Conflict, "based_on_regimen_id")], results
        with committed() as session, session.begin():
            statuses = session.scalars(select(Regimen.status).where(Regimen.patient_id == patient_id)).all()
        assert sorted(statuses) == ["active", "ended"]


def race_with_a_first_day_correction(
    committed: sessionmaker[Session], item: dict[str, Any], corrected_dose: float, record: Callable[..., str]
) -> None:
    """`record(session, patient_id, item_id)` (something recorded against today's version of `item`) at the same
    moment as a clinician's correction of that version on its first day: exactly one of them succeeds, the other
    is refused (409), in every round."""
    for round_ in range(ROUNDS):
        patient_id = patient(committed, f"First day {round_}")
        with committed() as session:
            today_version = start_regimen(session, SYSTEM, patient_id,
                                          {"title": "T", "starts_on": TODAY.isoformat(), "items": [item]})  # fmt: skip
            item_id, version_id = today_version.items[0].id, today_version.id

        def act(index: int, patient_id: int = patient_id, item_id: int = item_id, version_id: int = version_id) -> str:
            with committed() as session:
                if index == 0:
                    return record(session, patient_id, item_id)
                changes = {item_id: {"dose": corrected_dose}}
                change = {"based_on_regimen_id": version_id, "reason": "Typo.", "changes": changes}
                new_regimen_version(session, SYSTEM, patient_id, TODAY, change)
                return "correction"

        results = run_together(2, act)
        names = sorted(r if isinstance(r, str) else type(r).__name__ for r in results)
        assert names in (["Conflict", "correction"], ["Conflict", "recorded"]), results


def test_a_dose_and_a_first_day_correction_at_once_never_both_succeed(committed: sessionmaker[Session]) -> None:
    """A dose logged against today's version while a clinician corrects that version: either the dose is stored
    and the correction must wait for tomorrow, or the version is withdrawn and the dose is refused."""

    def log(session: Session, patient_id: int, item_id: int) -> str:
        dose = {"substance": "kratom", "amount": 2, "unit": "g", "kind": "planned", "regimen_item_id": item_id,
                "taken_at": f"{TODAY.isoformat()}T09:00:00+00:00",
                "idempotency_key": f"race-dose-{item_id}"}  # fmt: skip
        log_dose(session, SYSTEM, patient_id, dose, now=datetime.combine(TODAY, time(10), tzinfo=UTC))
        return "recorded"

    item = {"substance": "kratom", "dose": 2, "unit": "g", "schedule": "fixed", "times": ["08:00"],
            "starts_on": TODAY.isoformat()}  # fmt: skip
    race_with_a_first_day_correction(committed, item, 1.5, log)


def test_a_taper_plan_and_a_first_day_correction_at_once_never_both_succeed(
    committed: sessionmaker[Session],
) -> None:
    """A clinician drafts a taper on today's oxycodone item while another corrects that version on its first day:
    either the plan is stored and the correction must wait for tomorrow, or the version is withdrawn and the
    plan is refused. Never a plan that names an item of a version never in force."""

    def plan(session: Session, patient_id: int, item_id: int) -> str:
        create_taper_plan(session, SYSTEM, patient_id, taper(TODAY) | {"regimen_item_id": item_id}, TODAY)
        return "recorded"

    item = {"substance": "oxycodone", "form": "ir_tablet", "dose": 10, "unit": "mg", "schedule": "fixed",
            "times": ["08:00"], "starts_on": TODAY.isoformat()}  # fmt: skip
    race_with_a_first_day_correction(committed, item, 5, plan)


def test_a_dose_change_request_and_a_first_day_correction_at_once_never_both_succeed(
    committed: sessionmaker[Session],
) -> None:
    """A clinician proposes a higher dose of today's item, waiting for approval, while another corrects that
    version on its first day: either the request is stored and the correction must wait for tomorrow, or the
    version is withdrawn and the request is refused. Never a pending request against a version never in force."""

    def propose(session: Session, patient_id: int, item_id: int) -> str:
        propose_dose_change(session, SYSTEM, item_id, {"proposed_dose": 3, "reason": "Still in withdrawal."}, TODAY)
        return "recorded"

    item = {"substance": "kratom", "dose": 2, "unit": "g", "schedule": "fixed", "times": ["08:00"],
            "ceiling_dose": 4, "starts_on": TODAY.isoformat()}  # fmt: skip
    race_with_a_first_day_correction(committed, item, 1.5, propose)
