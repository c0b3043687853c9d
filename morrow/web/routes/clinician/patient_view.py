"""One patient, for their clinician: timeline, regimen with MME, adherence, tapers, sleep window, dose changes,
alerts, COWS, notes and the regimen editor. A form that was not saved shows this page again (`render_patient`)
with the message above the form, the field marked and what the clinician typed still in it."""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from morrow.catalog import load_catalog
from morrow.services.actors import Actor
from morrow.services.adherence import adherence
from morrow.services.alerts_lifecycle import list_alerts
from morrow.services.hold_measures import measure_label, measure_range
from morrow.services.mme import regimen_mme
from morrow.services.notes import list_notes
from morrow.services.products import list_products
from morrow.services.regimen_versions import MAX_DAYS_AHEAD
from morrow.services.timeline import KINDS, active_regimen, timeline
from morrow.services.titration import pending_dose_changes
from morrow.services.triage import patient_today, require_patient
from morrow.web.deps import DbSession
from morrow.web.routes.clinician.common import Clinician, FormFailure
from morrow.web.routes.clinician.inbox import alerts_public
from morrow.web.routes.clinician.public import sleep_windows_public, tapers_public
from morrow.web.routes.clinician.record import cows_items
from morrow.web.templating import render

router = APIRouter()
KIND_LABELS = {"dose": "Doses", "score": "Scores", "sleep": "Sleep", "alert": "Alerts", "note": "Notes"}
# What a taper's hold rule can watch on the page (the API takes any instrument's total or score).
HOLD_MEASURES = ("sows.total", "craving-vas.score", "cows.total")
TAPER_METHODS = {
    "percent_of_current": "A percentage of the current dose",
    "percent_of_original": "A percentage of the original dose",
    "linear": "The same amount each step",
}


@router.get("/patients/{patient_id}", response_class=HTMLResponse, include_in_schema=False)
def patient_page(
    request: Request,
    db: DbSession,
    actor: Clinician,
    patient_id: int,
    until: date | None = None,
    days: Annotated[int, Query(ge=1, le=31)] = 7,
    kind: Annotated[list[str] | None, Query()] = None,
) -> Response:
    return render_patient(request, db, actor, patient_id, until=until, days=days, kinds=kind)


def render_patient(
    request: Request,
    db: Session,
    actor: Actor,
    patient_id: int,
    *,
    until: date | None = None,
    days: int = 7,
    kinds: list[str] | None = None,
    failed: FormFailure | None = None,
) -> Response:
    """The patient page; with `failed`, answered with the refusal's status (422, 409 or 404)."""
    name = require_patient(db, actor, patient_id)
    today = patient_today(db, patient_id)
    page = timeline(db, actor, patient_id, until=until, days=days, kinds=kinds or list(KINDS))
    by_day: dict[date, list[Any]] = defaultdict(list)
    for entry in page.entries:
        by_day[entry.day].append(entry)
    regimen = active_regimen(db, actor, patient_id)
    products = list_products(db)
    taper_plans = tapers_public(db, actor, patient_id, today)
    cards = {"taper-new"} | {f"taper-{plan.id}" for plan in taper_plans}
    if failed and failed.anchor and failed.anchor.startswith("taper-") and failed.anchor not in cards:
        failed = replace(failed, anchor="taper")  # the plan was superseded since the page was drawn: no card
    context = {
        "patient_id": patient_id,
        "name": name,
        # Keys drawn with the page: a form sent twice (a double click, a retried connection) stores once.
        "note_key": f"note-{secrets.token_hex(12)}",
        "cows_key": f"cows-{secrets.token_hex(12)}",
        "opened_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "today": today,
        "page": page,
        "by_day": sorted(by_day.items(), reverse=True),
        "kind_labels": KIND_LABELS,
        "days": days,
        "regimen": regimen,
        "mme": regimen_mme(db, actor, patient_id, today),
        "adherence": _adherence_summary(db, actor, patient_id, today),
        "taper_plans": taper_plans,
        "sleep_windows": sleep_windows_public(db, actor, patient_id),
        "pending": pending_dose_changes(db, actor, patient_id),
        "alerts": alerts_public(db, list_alerts(db, actor, patient_id=patient_id)),
        "notes": list_notes(db, actor, patient_id, limit=10),
        "cows_items": cows_items(),
        "products": products,
        "product_names": {p.id: p.name for p in products},
        "substances": sorted(
            ((s.id, s.name) for s in load_catalog().substances if s.default_unit != "standard_drink"),
            key=lambda pair: pair[1].lower(),
        ),
        "hold_measures": {measure: _offered(measure) for measure in HOLD_MEASURES},
        "measure_label": measure_label,
        "max_days_ahead": MAX_DAYS_AHEAD,
        "latest_start": today + timedelta(days=MAX_DAYS_AHEAD),
        "taper_methods": TAPER_METHODS,
        "back": f"/patients/{patient_id}",
        "failed": failed,
        "entered": failed.entered if failed else {},
    }
    return render(request, "clinician/patient.html", context, status=failed.status if failed else 200)


def _offered(measure: str) -> str:
    """A hold rule's measure as the form offers it, with its range: "SOWS total (0 to 64)"."""
    low, high = measure_range(measure)
    return f"{measure_label(measure)} ({low:g} to {high:g})"


def _adherence_summary(db: Session, actor: Actor, patient_id: int, today: date) -> list[dict[str, Any]]:
    rows = adherence(db, actor, patient_id, today - timedelta(days=6), today, datetime.now(UTC))
    summary: dict[tuple[str, str | None, str], dict[str, Any]] = {}
    for row in rows:
        key = (row.substance, row.form, row.schedule)
        line = summary.setdefault(key, {"substance": row.substance, "form": row.form, "schedule": row.schedule})
        for field in ("taken", "late", "missed", "extra", "too_soon"):
            line[field] = line.get(field, 0) + getattr(row, field)
    return list(summary.values())
