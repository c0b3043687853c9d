"""What a taper plan says today: the step in force, the next one, and the hold status from check-ins.

The hold status comes from the engine's `step_status` over stored questionnaire responses: per local day
in the patient's zone, the HIGHEST value of each measure counts (a high score in the morning is not
erased by a lower one at night), and a day without a check-in has no value, which breaks a run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from morrow.catalog import Catalog, load_catalog
from morrow.db.models import QuestionnaireResponse, TaperPlan
from morrow.regimens import HoldRule, StepStatus, TaperSchedule, mme_conversion, step_status
from morrow.regimens import TaperStep as EngineStep
from morrow.services.access import require_access
from morrow.services.actors import Actor
from morrow.services.audit import audit
from morrow.services.hold_measures import measure_label
from morrow.services.tx import atomic

LIVE = ("active", "paused")


@dataclass(frozen=True)
class TaperView:
    """One live plan as of a day: the step in force (its dose is "this week's dose"), the next, the hold."""

    plan: TaperPlan
    status: StepStatus
    step: EngineStep | None
    next_step: EngineStep | None
    notes: tuple[str, ...]


def taper_status(
    session: Session, actor: Actor, patient_id: int, today: date, *, catalog: Catalog | None = None
) -> list[TaperView]:
    """Every live plan of the patient as of `today`, with the hold status from stored check-ins."""
    catalog = catalog or load_catalog()
    with atomic(session):
        patient = require_access(session, actor, patient_id)
        views = []
        for plan in live_plans(session, patient_id):
            schedule = schedule_of(plan, catalog)
            rules = _rules(plan)
            scores = _daily_scores(session, patient_id, ZoneInfo(patient.timezone), rules, today)
            status = step_status(schedule, rules, scores, today)
            views.append(TaperView(plan, status, *_step_and_next(schedule, today), schedule.notes))
        audit(
            session, actor, "read", "taper_status", patient_id=patient_id, detail={"plans": [v.plan.id for v in views]}
        )
    return views


def _number(value: float) -> int | float:
    return int(value) if value == int(value) else value


def schedule_of(plan: TaperPlan, catalog: Catalog) -> TaperSchedule:
    conversion = mme_conversion(catalog.substance(plan.substance_id), plan.unit)
    paused_on = plan.parameters.get("paused_on")
    steps = tuple(
        EngineStep(s.starts_on, s.ends_on, _number(s.daily_dose), plan.unit, s.mme_per_day) for s in plan.steps
    )
    return TaperSchedule(
        substance=plan.substance_id,
        unit=plan.unit,
        method=cast(Any, plan.method),
        original_daily_dose=_number(plan.original_daily_dose),
        floor=_number(plan.floor_dose),
        interval_days=int(plan.parameters["request"]["interval_days"]),
        steps=steps,
        original_mme_per_day=conversion.apply(plan.original_daily_dose),
        notes=conversion.notes,
        version=plan.version,
        paused_on=None if paused_on is None else date.fromisoformat(paused_on),
    )


def _step_and_next(schedule: TaperSchedule, today: date) -> tuple[EngineStep | None, EngineStep | None]:
    """The step in force (while paused: the one the pause began in) and the one after it."""
    day = schedule.paused_on or today
    index = schedule.step_on(day)
    if index is None:
        return None, schedule.steps[0] if day < schedule.steps[0].start else None
    following = schedule.steps[index + 1] if index + 1 < len(schedule.steps) else None
    return schedule.steps[index], following


def _rules(plan: TaperPlan) -> list[HoldRule]:
    """The plan's hold rules; one without a label is named in words ("SOWS total", not "sows.total")."""
    return [
        HoldRule(r["measure"], r["above"], r["consecutive_days"], r.get("label") or measure_label(r["measure"]))
        for r in plan.hold_rules["rules"]
    ]


def _daily_scores(
    session: Session, patient_id: int, zone: ZoneInfo, rules: list[HoldRule], today: date
) -> dict[date, dict[str, float]]:
    """The highest value of each measure per local day, over the days the longest rule can look at."""
    if not rules:
        return {}
    first = today - timedelta(days=max(r.consecutive_days for r in rules) + 1)
    start = datetime.combine(first, datetime.min.time(), tzinfo=zone)
    end = datetime.combine(today + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    measures = {r.measure for r in rules}
    query = select(QuestionnaireResponse).where(
        QuestionnaireResponse.patient_id == patient_id,
        QuestionnaireResponse.voided_at.is_(None),
        QuestionnaireResponse.instrument_id.in_({m.split(".")[0] for m in measures}),
        QuestionnaireResponse.administered_at >= start,
        QuestionnaireResponse.administered_at < end,
    )
    scores: dict[date, dict[str, float]] = {}
    for response in session.scalars(query):
        day = response.administered_at.astimezone(zone).date()
        for key in ("total", "score"):
            measure, value = f"{response.instrument_id}.{key}", response.score.get(key)
            if measure in measures and isinstance(value, int | float) and not isinstance(value, bool):
                scores.setdefault(day, {})[measure] = max(value, scores.get(day, {}).get(measure, value))
    return scores


def live_plans(session: Session, patient_id: int, substance_id: str | None = None) -> list[TaperPlan]:
    query = select(TaperPlan).where(TaperPlan.patient_id == patient_id, TaperPlan.status.in_(LIVE))
    if substance_id is not None:
        query = query.where(TaperPlan.substance_id == substance_id)
    return list(session.scalars(query.order_by(TaperPlan.id)))
