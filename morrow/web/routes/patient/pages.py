"""The patient's pages: /today (doses and warnings), /my-alerts, and /evidence for everyone signed in."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from morrow.catalog import Catalog
from morrow.domain.errors import Conflict, ValidationError
from morrow.evidence import find_claims
from morrow.services.actors import Actor
from morrow.services.doses import IDEMPOTENCY_KEY, log_dose
from morrow.services.patient_views import alerts_with_findings, stored_dose, today_view
from morrow.services.sleep_windows import current_sleep_window
from morrow.services.taper_status import taper_status
from morrow.web.deps import CurrentActor, CurrentUser, DbSession, runtime
from morrow.web.forms import closing_form, is_whole
from morrow.web.routes.patient.common import EMERGENCY_STEPS, new_key, own_patient, utcnow
from morrow.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(closing_form)])

DOSE_FIELDS = ("idempotency_key", "kind", "regimen_item_id", "substance", "form", "amount", "unit", "note")
UNITS = (("mg", "mg"), ("g", "g"), ("mcg", "mcg"), ("standard_drink", "standard drinks"))


def substance_choices(catalog: Catalog) -> list[tuple[str, str]]:
    return sorted(((s.id, s.name) for s in catalog.substances), key=lambda pair: pair[1].lower())


def today_context(db: Session, actor: Actor, patient_id: int, catalog: Catalog) -> dict[str, Any]:
    now = utcnow()
    view = today_view(db, actor, patient_id, now)
    return {
        "view": view,
        "alerts": alerts_with_findings(db, actor, patient_id),
        "tapers": taper_status(db, actor, patient_id, view.today, catalog=catalog),
        "window": current_sleep_window(db, actor, patient_id),
        "substances": substance_choices(catalog),
        "units": UNITS,
        "emergency_steps": EMERGENCY_STEPS,
        "keys": {n: new_key("dose") for n in range(len(view.slots) + len(view.as_needed) + 1)},
    }


@router.get("/today", response_class=HTMLResponse)
def today_page(request: Request, db: DbSession, user: CurrentUser, actor: CurrentActor, logged: str = "") -> Response:
    patient_id = own_patient(user)
    context = today_context(db, actor, patient_id, runtime(request).catalog)
    return render(request, "patient/today.html", context | {"logged": logged == "1"})


def _dose_payload(form: dict[str, str]) -> dict[str, Any]:
    payload: dict[str, Any] = {k: form[k] for k in ("idempotency_key", "substance", "unit") if form.get(k)}
    payload["kind"] = form.get("kind") or "unplanned"
    if form.get("form"):
        payload["form"] = form["form"]
    if form.get("note"):
        payload["note"] = form["note"]
    if form.get("regimen_item_id"):
        if not is_whole(form["regimen_item_id"]):
            raise ValidationError("regimen_item_id: must be a whole number", field="regimen_item_id")
        payload["regimen_item_id"] = int(form["regimen_item_id"])
    try:
        payload["amount"] = float(form.get("amount", ""))
    except ValueError:
        raise ValidationError("amount: enter how much, as a number (for example 2 or 2.5)", field="amount") from None
    return payload


@router.post("/today/doses")
async def log_dose_form(request: Request, db: DbSession, user: CurrentUser, actor: CurrentActor) -> Response:
    patient_id = own_patient(user)
    raw = await request.form()
    form = {k: str(raw.get(k, "")).strip()[:2000] for k in DOSE_FIELDS}
    catalog = runtime(request).catalog
    try:
        if form["idempotency_key"] and not re.fullmatch(IDEMPOTENCY_KEY, form["idempotency_key"]):
            raise ValidationError("this form has expired; reload the page and try again", field="idempotency_key")
        if form["idempotency_key"] and stored_dose(db, actor, patient_id, form["idempotency_key"]) is not None:
            return RedirectResponse("/today?logged=1#top-alerts", status_code=303)  # a resubmitted form
        now = utcnow()
        payload = _dose_payload(form) | {"taken_at": now}
        try:
            log_dose(db, actor, patient_id, payload, now=now, catalog=catalog)
        except Conflict:
            if stored_dose(db, actor, patient_id, form["idempotency_key"]) is None:
                raise
    except ValidationError as exc:
        context = today_context(db, actor, patient_id, catalog)
        context |= {"error": exc.message, "error_field": exc.field, "entered": form}
        return render(request, "patient/today.html", context, status=422)
    return RedirectResponse("/today?logged=1#top-alerts", status_code=303)


@router.get("/my-alerts", response_class=HTMLResponse)
def my_alerts_page(request: Request, db: DbSession, user: CurrentUser, actor: CurrentActor) -> Response:
    patient_id = own_patient(user)
    alerts = alerts_with_findings(db, actor, patient_id, ("open", "acknowledged", "resolved"))
    return render(request, "patient/my_alerts.html", {"alerts": alerts, "emergency_steps": EMERGENCY_STEPS})


@router.get("/evidence", response_class=HTMLResponse)
def evidence_page(request: Request, user: CurrentUser, q: str = "") -> Response:
    query = q.strip()[:200]
    return render(request, "evidence.html", {"claims": find_claims(query), "q": query})
