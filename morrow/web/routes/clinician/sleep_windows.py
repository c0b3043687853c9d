"""The CBT-I sleep window for the clinician, as forms on the patient page and as JSON API: Morrow proposes a
window from the diary of the last 7 nights and the latest Epworth score; the clinician approves or declines it,
with a reason. The patient sees a window only once it is approved."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from morrow.domain.errors import NotFound, ValidationError
from morrow.services.sleep_windows import decide_sleep_window, propose_sleep_window
from morrow.services.triage import patient_today
from morrow.web.deps import DbSession
from morrow.web.routes.clinician.common import FORM_REFUSALS, Clinician, FormFailure, FormFields
from morrow.web.routes.clinician.patient_view import render_patient
from morrow.web.routes.clinician.public import sleep_window_public, sleep_windows_public
from morrow.web.routes.clinician.schemas import SleepWindowDecisionBody, SleepWindowProposeBody, SleepWindowPublic

router = APIRouter()
API = "/api/v1/patients/{patient_id}/sleep-windows"
LABELS = {"rise_time": "Rise time", "reason": "Reason for your decision", "decision": "Decision"}


def _back(patient_id: int) -> Response:
    return RedirectResponse(f"/patients/{patient_id}#sleep-window", status_code=303)


@router.post("/patients/{patient_id}/sleep-windows", include_in_schema=False)
def propose_form(request: Request, db: DbSession, actor: Clinician, form: FormFields, patient_id: int) -> Response:
    try:
        rise_time = form.get("rise_time", "").strip() or None
        propose_sleep_window(db, actor, patient_id, patient_today(db, patient_id), rise_time=rise_time)
    except FORM_REFUSALS as exc:
        failed = FormFailure("sleep-window", exc, form, label=LABELS.get(exc.field or ""), anchor="sleep-window")
        return render_patient(request, db, actor, patient_id, failed=failed)
    return _back(patient_id)


@router.post("/patients/{patient_id}/sleep-windows/{window_id}/decision", include_in_schema=False)
def decision_form(
    request: Request, db: DbSession, actor: Clinician, form: FormFields, patient_id: int, window_id: int
) -> Response:
    try:
        decision = form.get("decision", "")
        if decision not in ("approve", "decline"):
            raise ValidationError("decision: choose approve or decline", field="decision")
        data = {"approve": decision == "approve", "reason": form.get("reason", "")}
        decide_sleep_window(db, actor, window_id, data, patient_id=patient_id)
    except FORM_REFUSALS as exc:
        if isinstance(exc, NotFound):  # not this patient's, or no longer there: no id to show, no card to link
            exc = NotFound("there is no such sleep window for this patient; reload the page", field="window_id")
        label = LABELS.get(exc.field or "")
        failed = FormFailure(f"window-{window_id}", exc, form, label=label, anchor="sleep-window")
        return render_patient(request, db, actor, patient_id, failed=failed)
    return _back(patient_id)


@router.get(API, tags=["clinician"], response_model=list[SleepWindowPublic], summary="Sleep windows")
def sleep_windows_api(db: DbSession, actor: Clinician, patient_id: int) -> list[SleepWindowPublic]:
    """The patient's latest 10 windows, newest first: `proposed` (waiting for a decision), `approved` (the one
    the patient sees), `declined` and `superseded`."""
    return sleep_windows_public(db, actor, patient_id)


PROPOSED_AGAIN: dict[int | str, dict[str, Any]] = {
    200: {"model": SleepWindowPublic, "description": "The same proposal is already waiting"}
}


@router.post(API, tags=["clinician"], response_model=SleepWindowPublic, status_code=201, responses=PROPOSED_AGAIN,
             summary="Propose a window")  # fmt: skip
def propose_api(
    db: DbSession, actor: Clinician, patient_id: int, response: Response, body: SleepWindowProposeBody | None = None
) -> SleepWindowPublic:
    """Morrow's proposal from the diary nights of the 7 nights before the patient's today (at least 5 are needed;
    409 `not_enough_data` otherwise), the current window and the latest Epworth score. `rise_time` (HH:MM) fixes
    the morning; without it, the current window's is kept. A newer proposal replaces an undecided one (201); the
    same proposal again (same diary, same rise time) is the undecided one, stored once (200)."""
    rise_time = body.rise_time if body else None
    window, created = propose_sleep_window(db, actor, patient_id, patient_today(db, patient_id), rise_time=rise_time)
    response.status_code = 201 if created else 200
    return sleep_window_public(window)


@router.post(
    API + "/{window_id}/decision", tags=["clinician"], response_model=SleepWindowPublic, summary="Decide a window"
)
def decision_api(
    db: DbSession, actor: Clinician, patient_id: int, window_id: int, body: SleepWindowDecisionBody
) -> SleepWindowPublic:
    """Approve (it becomes the patient's window; the one before is superseded) or decline a proposal, with a
    reason. Only a window still `proposed` can be decided (409 otherwise)."""
    data = {"approve": body.approve, "reason": body.reason}
    return sleep_window_public(decide_sleep_window(db, actor, window_id, data, patient_id=patient_id))
