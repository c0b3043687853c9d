"""What the patient page and the clinician API both show, built once: the regimen with MME and products,
taper plans with where each stands today, and sleep windows."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from morrow.catalog import load_catalog
from morrow.db.models import SleepWindow, TaperPlan
from morrow.regimens import TaperStep as EngineStep
from morrow.services.actors import Actor
from morrow.services.mme import regimen_mme
from morrow.services.products import list_products
from morrow.services.sleep_windows import list_sleep_windows
from morrow.services.taper_status import TaperView, schedule_of, taper_status
from morrow.services.tapers import list_taper_plans
from morrow.services.timeline import active_regimen
from morrow.web.routes.clinician.schemas import (
    HoldRulePublic,
    RegimenItemPublic,
    RegimenPublic,
    SleepWindowPublic,
    TaperPlanPublic,
    TaperProgressPublic,
    TaperStepPublic,
)


def regimen_public(session: Session, actor: Actor, patient_id: int, today: date) -> RegimenPublic:
    """The active regimen's items with their product and MME per day, and the total."""
    view = active_regimen(session, actor, patient_id)
    mme = regimen_mme(session, actor, patient_id, today)
    by_item = {i.regimen_item_id: i for i in mme.items}
    products = {p.id: p.name for p in list_products(session, {i.substance_id for i in view.items})}
    items = []
    for item in view.items:
        found = by_item.get(item.id)
        items.append(
            RegimenItemPublic(
                id=item.id,
                substance=item.substance_id,
                form=item.form,
                product_id=item.product_id,
                product_name=None if item.product_id is None else products.get(item.product_id),
                dose=item.dose,
                unit=item.unit,
                schedule=item.schedule_kind,
                times=list(item.times),
                max_doses_per_day=item.max_doses_per_day,
                ceiling_dose=item.ceiling_dose,
                titration_max_increase=item.titration_max_increase,
                titration_period_days=item.titration_period_days,
                mme_per_day=found.mme_per_day if found else None,
                mme_notes=list(found.notes) if found else [],
            )
        )
    regimen = view.regimen
    return RegimenPublic(
        patient_id=patient_id,
        regimen_id=None if regimen is None else regimen.id,
        title=None if regimen is None else regimen.title,
        starts_on=None if regimen is None else regimen.starts_on,
        items=items,
        total_mme_per_day=mme.total_mme_per_day,
        mme_incomplete=mme.incomplete,
    )


def _step(steps: tuple[EngineStep, ...], step: EngineStep | None) -> TaperStepPublic | None:
    if step is None:
        return None
    return TaperStepPublic(
        position=steps.index(step), starts_on=step.start, ends_on=step.end, daily_dose=step.daily_dose,
        mme_per_day=step.mme_per_day,
    )  # fmt: skip


def _next_step_note(view: TaperView, unit: str, held: bool) -> str | None:
    """The next step in words: its dose and first day, or, while it waits for the clinician, that it is held
    and why (no date is given: it starts only once the clinician has decided)."""
    following = view.next_step
    if following is None:
        return None
    dose = f"{following.daily_dose:g} {unit.replace('_', ' ')} a day"
    if not held:
        return f"Next: {dose} from {following.start.isoformat()}."
    return f"Next: {dose}, held until you decide. {view.status.reason}"


def taper_public(plan: TaperPlan, view: TaperView | None) -> TaperPlanPublic:
    """One stored plan version; `view` (from `taper_status`) says where a live plan stands today."""
    schedule = schedule_of(plan, load_catalog())
    progress = None
    if view is not None:
        held = view.status.status in ("hold", "paused") and view.next_step is not None
        progress = TaperProgressPublic(
            as_of=view.status.today,
            state=view.status.status,
            reason=view.status.reason,
            ask_clinician=view.status.ask_clinician,
            held_step=view.status.held_step,
            step=_step(schedule.steps, view.step),
            next_step=None if held else _step(schedule.steps, view.next_step),
            next_step_held=held,
            next_step_note=_next_step_note(view, plan.unit, held),
        )
    return TaperPlanPublic(
        id=plan.id,
        lineage_id=plan.lineage_id,
        version=plan.version,
        patient_id=plan.patient_id,
        regimen_item_id=plan.regimen_item_id,
        substance=plan.substance_id,
        form=plan.form,
        unit=plan.unit,
        method=plan.method,
        interval_days=schedule.interval_days,
        original_daily_dose=plan.original_daily_dose,
        floor_dose=plan.floor_dose,
        starts_on=plan.starts_on,
        status=plan.status,
        paused_on=schedule.paused_on,
        hold_rules=[HoldRulePublic(**rule) for rule in plan.hold_rules.get("rules", [])],
        reason=plan.reason,
        created_at=plan.created_at,
        approved_at=plan.approved_at,
        steps=[
            TaperStepPublic(
                position=s.position,
                starts_on=s.starts_on,
                ends_on=s.ends_on,
                daily_dose=s.daily_dose,
                mme_per_day=s.mme_per_day,
            )
            for s in plan.steps
        ],
        notes=list(schedule.notes),
        progress=progress,
    )


def tapers_public(
    session: Session, actor: Actor, patient_id: int, today: date, *, history: bool = False
) -> list[TaperPlanPublic]:
    """The patient's drafts and live plans (every version with `history`), newest first; live ones with
    where they stand on `today`."""
    views = {view.plan.id: view for view in taper_status(session, actor, patient_id, today)}
    return [
        taper_public(plan, views.get(plan.id)) for plan in list_taper_plans(session, actor, patient_id, history=history)
    ]


def sleep_window_public(window: SleepWindow) -> SleepWindowPublic:
    return SleepWindowPublic(
        id=window.id,
        patient_id=window.patient_id,
        status=window.status,
        action=window.action,
        proposed_at=window.proposed_at,
        nights_used=window.nights_used,
        mean_tst_min=window.mean_tst_min,
        mean_se_pct=window.mean_se_pct,
        time_in_bed_min=window.time_in_bed_min,
        bedtime=window.bedtime,
        rise_time=window.rise_time,
        ess_total=window.ess_total,
        flag_for_clinician=bool(window.flags.get("flag_for_clinician")),
        reason=window.reason,
        decided_at=window.decided_at,
        decision_reason=window.decision_reason,
    )


def sleep_windows_public(session: Session, actor: Actor, patient_id: int) -> list[SleepWindowPublic]:
    return [sleep_window_public(w) for w in list_sleep_windows(session, actor, patient_id)]
