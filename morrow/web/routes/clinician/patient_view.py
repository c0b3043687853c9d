"""One patient, for their clinician: timeline, regimen with MME, adherence, taper, dose changes, alerts, COWS,
notes and the regimen editor."""

from __future__ import annotations

import re
import secrets
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from morrow.domain.errors import ValidationError
from morrow.services.adherence import adherence
from morrow.services.alerts_lifecycle import list_alerts
from morrow.services.doses import IDEMPOTENCY_KEY
from morrow.services.mme import regimen_mme
from morrow.services.notes import add_note, list_notes
from morrow.services.taper_status import taper_status
from morrow.services.timeline import KINDS, active_regimen, timeline
from morrow.services.titration import pending_dose_changes
from morrow.services.triage import patient_today, require_patient
from morrow.web.deps import DbSession
from morrow.web.forms import is_whole
from morrow.web.routes.clinician.common import Clinician, form_float, form_int
from morrow.web.routes.clinician.inbox import alerts_public
from morrow.web.routes.clinician.record import cows_items, new_regimen_version, record_cows
from morrow.web.templating import render

router = APIRouter()
KIND_LABELS = {"dose": "Doses", "score": "Scores", "sleep": "Sleep", "alert": "Alerts", "note": "Notes"}


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
    name = require_patient(db, actor, patient_id)
    today = patient_today(db, patient_id)
    page = timeline(db, actor, patient_id, until=until, days=days, kinds=kind or list(KINDS))
    by_day: dict[date, list[Any]] = defaultdict(list)
    for entry in page.entries:
        by_day[entry.day].append(entry)
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
        "regimen": active_regimen(db, actor, patient_id),
        "mme": regimen_mme(db, actor, patient_id, today),
        "adherence": _adherence_summary(db, actor, patient_id, today),
        "tapers": taper_status(db, actor, patient_id, today),
        "pending": pending_dose_changes(db, actor, patient_id),
        "alerts": alerts_public(db, list_alerts(db, actor, patient_id=patient_id)),
        "notes": list_notes(db, actor, patient_id, limit=10),
        "cows_items": cows_items(),
        "back": f"/patients/{patient_id}",
    }
    return render(request, "clinician/patient.html", context)


def _adherence_summary(db: DbSession, actor: Clinician, patient_id: int, today: date) -> list[dict[str, Any]]:
    rows = adherence(db, actor, patient_id, today - timedelta(days=6), today, datetime.now(UTC))
    summary: dict[tuple[str, str | None, str], dict[str, Any]] = {}
    for row in rows:
        key = (row.substance, row.form, row.schedule)
        line = summary.setdefault(key, {"substance": row.substance, "form": row.form, "schedule": row.schedule})
        for field in ("taken", "late", "missed", "extra", "too_soon"):
            line[field] = line.get(field, 0) + getattr(row, field)
    return list(summary.values())


@router.post("/patients/{patient_id}/notes", include_in_schema=False)
def note_form(
    db: DbSession,
    actor: Clinician,
    patient_id: int,
    body: Annotated[str, Form(max_length=8000)] = "",
    kind: Annotated[str, Form(max_length=16)] = "visit",
    idempotency_key: Annotated[str | None, Form(max_length=80)] = None,
) -> Response:
    add_note(db, actor, patient_id, {"kind": kind, "body": body, "idempotency_key": idempotency_key or None})
    return RedirectResponse(f"/patients/{patient_id}#notes", status_code=303)


@router.post("/patients/{patient_id}/cows", include_in_schema=False)
async def cows_form(request: Request, db: DbSession, actor: Clinician, patient_id: int) -> Response:
    form = await request.form()
    values = {key: str(value) for key, value in form.items() if isinstance(value, str)}
    bpm = form_int(values.get("pulse_bpm", ""), "pulse_bpm", optional=True)
    answers: dict[str, int] = {}
    for item in cows_items():
        if item.id == "pulse" and bpm is not None:
            continue
        points = form_int(values.get(item.id, ""), item.id)
        answers[item.id] = points if points is not None else 0
    key = values.get("idempotency_key") or None
    if key is not None and not re.fullmatch(IDEMPOTENCY_KEY, key):
        raise ValidationError("this form has expired; reload the page and try again", field="idempotency_key")
    try:  # the moment the form was opened: with the key, a resubmission matches what was stored
        opened = datetime.fromisoformat(values.get("opened_at", ""))
    except ValueError:
        opened = datetime.now(UTC)
    if opened.tzinfo is None or abs(datetime.now(UTC) - opened) > timedelta(hours=12):
        opened = datetime.now(UTC)
    record_cows(db, actor, patient_id, answers, pulse_bpm=bpm, administered_at=opened, idempotency_key=key)
    return RedirectResponse(f"/patients/{patient_id}?kind=score#timeline", status_code=303)


@router.post("/patients/{patient_id}/regimen", include_in_schema=False)
async def regimen_form(request: Request, db: DbSession, actor: Clinician, patient_id: int) -> Response:
    form = {key: str(value) for key, value in (await request.form()).items() if isinstance(value, str)}
    changes: dict[int, dict[str, Any]] = {}
    for key, value in form.items():
        field, _, item_id = key.rpartition("_")
        if field in ("dose", "ceiling_dose") and is_whole(item_id) and value.strip():
            changes.setdefault(int(item_id), {})[field] = form_float(value, key)
    added = None
    if form.get("new_substance", "").strip():
        times = [t.strip() for t in form.get("new_times", "").split(",") if t.strip()]
        added = {
            "substance": form["new_substance"].strip(),
            "dose": form_float(form.get("new_dose", ""), "new_dose"),
            "unit": form.get("new_unit", "").strip(),
            "schedule": form.get("new_schedule", "fixed"),
            "times": times,
            "max_doses_per_day": form_int(
                form.get("new_max_doses_per_day", ""), "new_max_doses_per_day", optional=True
            ),
            "ceiling_dose": form_float(form.get("new_ceiling_dose", ""), "new_ceiling_dose", optional=True),
        }
    starts = form.get("starts_on", "").strip()
    try:
        starts_on = date.fromisoformat(starts) if starts else patient_today(db, patient_id)
    except ValueError:
        raise ValidationError("starts_on: enter a date such as 2026-03-01", field="starts_on") from None
    new_regimen_version(
        db, actor, patient_id, starts_on=starts_on, reason=form.get("reason", ""), changes=changes, added=added
    )
    return RedirectResponse(f"/patients/{patient_id}#regimen", status_code=303)
