"""Taper plans for the clinician, as forms on the patient page and as JSON API: draft a plan (the engine computes
every step), approve it, and pause, resume or reverse a step, each a new version of the plan.

Every route names the patient, so the app checks access to that patient before anything is read; a plan id
that is not this patient's is "not found", whoever asks."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from morrow.db.models import TaperPlan
from morrow.domain.errors import DomainError, NotFound, ValidationError
from morrow.services.actors import Actor
from morrow.services.taper_status import taper_status
from morrow.services.tapers import (
    approve_taper_plan,
    create_taper_plan,
    get_taper_plan,
    pause_taper,
    resume_taper,
    reverse_taper_step,
)
from morrow.services.triage import patient_today
from morrow.web.deps import DbSession
from morrow.web.routes.clinician.common import FORM_REFUSALS, Clinician, FormFailure, FormFields, form_float, form_int
from morrow.web.routes.clinician.patient_view import render_patient
from morrow.web.routes.clinician.public import taper_public, tapers_public
from morrow.web.routes.clinician.schemas import ReasonBody, TaperPlanBody, TaperPlanPublic

router = APIRouter()
HOLD_ROWS = 2  # hold rules offered on the page; the API takes up to 10
TEXTS = ("substance", "form", "unit", "method", "start", "reason")
NUMBERS = ("current_daily_dose", "percent", "step", "min_step", "floor")
Revision = Callable[..., TaperPlan]
REVISIONS: dict[str, Revision] = {"pause": pause_taper, "resume": resume_taper, "reverse": reverse_taper_step}
# Words for the form's inputs (as their labels on the page say), to start a refusal with.
LABELS = {
    "substance": "Substance", "form": "Form", "current_daily_dose": "Current dose a day", "unit": "Unit",
    "method": "Each step cuts", "percent": "Percent", "step": "Amount each step",
    "min_step": "Smallest practical change", "floor": "Lowest dose a day", "interval_days": "Days each step lasts",
    "start": "First step starts on", "regimen_item_id": "Regimen item it tapers", "reason": "Why",
}  # fmt: skip
HOLD_PARTS = {"measure": "score", "above": "limit", "consecutive_days": "days in a row"}


def _public(db: Session, actor: Actor, patient_id: int, plan: TaperPlan) -> TaperPlanPublic:
    views = {view.plan.id: view for view in taper_status(db, actor, patient_id, patient_today(db, patient_id))}
    return taper_public(plan, views.get(plan.id))


def _back(patient_id: int) -> Response:
    return RedirectResponse(f"/patients/{patient_id}#taper", status_code=303)


# ---- forms on the patient page -------------------------------------------------------------------------------


def taper_request(form: dict[str, str]) -> tuple[dict[str, Any], list[int]]:
    """The service's payload from the page's form, and for each hold rule sent, its row on the form."""
    payload: dict[str, Any] = {name: form[name].strip() for name in TEXTS if form.get(name, "").strip()}
    for name in NUMBERS:
        if (number := form_float(form.get(name, ""), name, optional=True)) is not None:
            payload[name] = number
    for name in ("interval_days", "regimen_item_id"):
        if (whole := form_int(form.get(name, ""), name, optional=True)) is not None:
            payload[name] = whole
    rules, rows = [], []
    for row in range(HOLD_ROWS):
        prefix = f"hold_rules.{row}."
        measure = form.get(f"{prefix}measure", "").strip()
        typed = [form.get(f"{prefix}{part}", "").strip() for part in ("above", "consecutive_days")]
        if not measure:
            if any(typed):
                raise ValidationError(
                    f"{prefix}measure: choose what to watch, or clear this row", field=f"{prefix}measure"
                )
            continue
        above = form_float(typed[0], f"{prefix}above")
        days = form_int(typed[1], f"{prefix}consecutive_days")
        rules.append({"measure": measure, "above": above, "consecutive_days": days})
        rows.append(row)
    if rules:
        payload["hold_rules"] = rules
    return payload, rows


HOLD_FIELD = re.compile(r"hold_rules\.([0-9]+)")


def _on_the_form(field: str | None, rows: list[int] | None) -> tuple[str | None, str | None]:
    """The form input a refusal names, and words for it. The service counts hold rules by their place in the
    request (`rows`: the form row of each); the form's own checks already name the row."""
    found = HOLD_FIELD.match(field or "")
    if found is None:
        return field, LABELS.get(field or "")
    row = int(found[1]) if rows is None else (rows[int(found[1])] if int(found[1]) < len(rows) else None)
    if row is None:
        return field, None
    name = f"hold_rules.{row}" + (field or "")[found.end() :]
    part = name.rsplit(".", 1)[-1]
    return name, f"Hold rule {row + 1}" + (f", {HOLD_PARTS[part]}" if part in HOLD_PARTS else "")


def _plan_failure(form: str, exc: DomainError, entered: dict[str, str] | None, plan_id: int) -> FormFailure:
    """A refused action on one plan. A plan that is not this patient's (or no longer exists) has no card to
    point at: the notice says so in words and links to the taper section."""
    if isinstance(exc, NotFound):
        gone = NotFound("there is no such taper plan for this patient; reload the page", field="plan_id")
        return FormFailure(form, gone, entered or {}, anchor="taper")
    return FormFailure(form, exc, entered or {}, label=LABELS.get(exc.field or ""), anchor=f"taper-{plan_id}")


@router.post("/patients/{patient_id}/tapers", include_in_schema=False)
def taper_form(request: Request, db: DbSession, actor: Clinician, form: FormFields, patient_id: int) -> Response:
    rows: list[int] | None = None
    try:
        payload, rows = taper_request(form)
        create_taper_plan(db, actor, patient_id, payload, patient_today(db, patient_id))
    except FORM_REFUSALS as exc:
        name, label = _on_the_form(exc.field, rows)
        failed = FormFailure("taper", exc, form, input_name=name, label=label, anchor="taper-new")
        return render_patient(request, db, actor, patient_id, failed=failed)
    return _back(patient_id)


@router.post("/patients/{patient_id}/tapers/{plan_id}/approve", include_in_schema=False)
def approve_form(request: Request, db: DbSession, actor: Clinician, patient_id: int, plan_id: int) -> Response:
    try:
        approve_taper_plan(db, actor, plan_id, patient_id=patient_id)
    except FORM_REFUSALS as exc:
        return render_patient(
            request, db, actor, patient_id, failed=_plan_failure(f"approve-{plan_id}", exc, None, plan_id)
        )
    return _back(patient_id)


def _revision_form(action: str) -> None:
    revise = REVISIONS[action]

    def revision_form(
        request: Request, db: DbSession, actor: Clinician, form: FormFields, patient_id: int, plan_id: int
    ) -> Response:
        today = patient_today(db, patient_id)
        try:
            revise(db, actor, plan_id, {"reason": form.get("reason", "")}, today, patient_id=patient_id)
        except FORM_REFUSALS as exc:
            failed = _plan_failure(f"{action}-{plan_id}", exc, form, plan_id)
            return render_patient(request, db, actor, patient_id, failed=failed)
        return _back(patient_id)

    revision_form.__name__ = f"{action}_taper_form"
    router.add_api_route(
        f"/patients/{{patient_id}}/tapers/{{plan_id}}/{action}", revision_form, methods=["POST"],
        include_in_schema=False,
    )  # fmt: skip


for _action in REVISIONS:
    _revision_form(_action)


# ---- JSON API ------------------------------------------------------------------------------------------------

API = "/api/v1/patients/{patient_id}/tapers"


@router.get(API, tags=["clinician"], response_model=list[TaperPlanPublic], summary="Taper plans")
def tapers_api(
    db: DbSession, actor: Clinician, patient_id: int, history: Annotated[bool, Query()] = False
) -> list[TaperPlanPublic]:
    """The patient's draft and live (active or paused) plans, newest first, each with its steps and MME per day;
    a live plan also says where it stands on the patient's today (`progress`: this step, the next, any hold).
    With `history=true`, every version ever stored, superseded ones included."""
    return tapers_public(db, actor, patient_id, patient_today(db, patient_id), history=history)


@router.post(API, tags=["clinician"], response_model=TaperPlanPublic, status_code=201, summary="Draft a taper plan")
def create_taper_api(db: DbSession, actor: Clinician, patient_id: int, body: TaperPlanBody) -> TaperPlanPublic:
    """A draft plan: the engine computes every step from the clinician's parameters (as `morrow taper plan`).
    Nobody follows a draft; the patient sees it only once approved. `start` may not be before the patient's
    today. Refusals name the field (`current_daily_dose`, `hold_rules.0.measure`, ...)."""
    payload = body.model_dump(mode="json", exclude_none=True)
    plan = create_taper_plan(db, actor, patient_id, payload, patient_today(db, patient_id))
    return taper_public(plan, None)


@router.get(API + "/{plan_id}", tags=["clinician"], response_model=TaperPlanPublic, summary="One taper plan")
def taper_api(db: DbSession, actor: Clinician, patient_id: int, plan_id: int) -> TaperPlanPublic:
    """One version of a plan, whatever its state, with its steps (and `progress` while it is live)."""
    return _public(db, actor, patient_id, get_taper_plan(db, actor, plan_id, patient_id=patient_id))


@router.post(API + "/{plan_id}/approve", tags=["clinician"], response_model=TaperPlanPublic, summary="Approve a draft")
def approve_api(db: DbSession, actor: Clinician, patient_id: int, plan_id: int) -> TaperPlanPublic:
    """The draft becomes `active`: the patient sees it and follows it. Refused (409) when it is not a draft, or
    while another plan for the same substance is live."""
    return _public(db, actor, patient_id, approve_taper_plan(db, actor, plan_id, patient_id=patient_id))


def _revision_api(action: str, summary: str, doc: str) -> None:
    revise = REVISIONS[action]

    def revision_api(
        db: DbSession, actor: Clinician, patient_id: int, plan_id: int, body: ReasonBody
    ) -> TaperPlanPublic:
        plan = revise(db, actor, plan_id, body.model_dump(), patient_today(db, patient_id), patient_id=patient_id)
        return _public(db, actor, patient_id, plan)

    revision_api.__name__ = f"{action}_taper_api"
    revision_api.__doc__ = doc
    router.add_api_route(
        API + f"/{{plan_id}}/{action}", revision_api, methods=["POST"], tags=["clinician"],
        response_model=TaperPlanPublic, status_code=201, summary=summary,
    )  # fmt: skip


_revision_api(
    "pause",
    "Pause a taper",
    "From the patient's today the dose stays where it is. Stored as a new version of the plan (`paused`); the "
    "old version is kept as `superseded`. A reason is required.",
)
_revision_api(
    "resume",
    "Resume a taper",
    "Carry on from the patient's today: the step the pause began in is lengthened by the days paused and every "
    "later step moves back. A new version; a reason is required.",
)
_revision_api(
    "reverse",
    "Reverse one step",
    "From the patient's today, the previous step's dose for one interval, then the current step's dose again "
    "for a full interval, then the rest of the plan moved back. A new version; a reason is required.",
)
