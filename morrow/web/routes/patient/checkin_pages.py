"""/check-in: what is due, and one form per check-in generated from the instrument definitions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from morrow.domain.errors import DomainError, NotFound, ValidationError
from morrow.instruments import get_instrument, symptom_checklist
from morrow.instruments.model import FormDefinition, ScaleDefinition, ValueDefinition
from morrow.services.actors import Actor
from morrow.services.checkins import record_response, record_sleep_diary
from morrow.services.patient_views import alerts_with_findings, checkins_due, local_today
from morrow.services.symptoms import report_symptoms
from morrow.web.deps import CurrentActor, CurrentUser, DbSession
from morrow.web.forms import closing_form, is_signed_whole, is_whole
from morrow.web.routes.patient.common import new_key, own_patient, utcnow
from morrow.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(closing_form)])

QUESTIONNAIRES = ("sows", "craving-vas", "peg", "isi", "phq9", "gad7")
EVERY = {0: "whenever you need", 1: "every day", 7: "every week", 14: "every two weeks"}


def _definition(instrument: str) -> ScaleDefinition | ValueDefinition:
    definition = get_instrument(instrument)
    assert not isinstance(definition, FormDefinition)
    return definition


@router.get("/check-in", response_class=HTMLResponse)
def checkin_list(request: Request, db: DbSession, user: CurrentUser, actor: CurrentActor) -> Response:
    patient_id = own_patient(user)
    due, diary_due = checkins_due(db, actor, patient_id, utcnow())
    titles = {d.instrument: _title(d.instrument) for d in due}
    context = {
        "due": due,
        "diary_due": diary_due,
        "titles": titles,
        "every": EVERY,
        "saved": request.query_params.get("saved"),
    }
    return render(request, "patient/checkins.html", context)


def _title(instrument: str) -> str:
    return symptom_checklist().title if instrument == "symptoms" else get_instrument(instrument).title


def _form(
    request: Request, db: Session, actor: Actor, patient_id: int, name: str, error: DomainError | None = None,
    entered: dict[str, str] | None = None,
) -> Response:  # fmt: skip
    entered = entered or {}
    context: dict[str, Any] = {
        "key": entered.get("idempotency_key") or new_key(name),
        "started_at": entered.get("started_at") or utcnow().isoformat(timespec="seconds"),
        "entered": entered,
    }
    if error is not None:
        context |= {"error": error.message, "error_field": error.field}
    if name == "sleep-diary":
        today, _ = local_today(db, actor, patient_id, utcnow())
        context |= {
            "definition": get_instrument("csd"),
            "night_of": (entered or {}).get("night_of") or today - timedelta(days=1),
        }
        template = "patient/diary_form.html"
    elif name == "symptoms":
        context |= {"checklist": symptom_checklist()}
        template = "patient/symptoms_form.html"
    else:
        context |= {"definition": _definition(name), "instrument": name}
        template = "patient/scale_form.html"
    return render(request, template, context, status=200 if error is None else 422)


@router.get("/check-in/{name}", response_class=HTMLResponse)
def checkin_form(request: Request, name: str, db: DbSession, user: CurrentUser, actor: CurrentActor) -> Response:
    patient_id = own_patient(user)
    if name not in (*QUESTIONNAIRES, "sleep-diary", "symptoms"):
        raise NotFound("there is no such check-in", field="name")
    return _form(request, db, actor, patient_id, name)


def scale_answers(definition: ScaleDefinition | ValueDefinition, form: dict[str, str]) -> dict[str, Any]:
    """The engine's payload from form fields, refusing a missing answer by naming its question."""
    if isinstance(definition, ValueDefinition):
        text = form.get(definition.field, "")
        try:
            return {definition.field: int(text) if definition.integer else float(text)}
        except ValueError:
            raise ValidationError(f"{definition.field}: choose a number from {definition.min:g} to {definition.max:g}",
                                  field=definition.field) from None  # fmt: skip
    items = []
    for item in definition.items:
        text = form.get(item.id, "")
        if not is_signed_whole(text):
            raise ValidationError(f"{item.id}: please answer “{item.label}”", field=item.id)
        items.append(int(text))
    payload: dict[str, Any] = {definition.items_key: items}
    for extra in definition.extra_fields:
        text = form.get(extra.id, "")
        if not text:
            continue  # optional: left unanswered
        if not is_whole(text):
            raise ValidationError(f"{extra.id}: choose one of the answers to “{extra.label}”", field=extra.id)
        payload[extra.id] = int(text)
    return payload


def symptom_ratings(form: dict[str, str]) -> dict[str, int]:
    """The rated symptoms (above "none") from the `sym-<code>` fields; a rating that is not a whole number
    is refused by name rather than dropped, so a report never silently loses a symptom."""
    ratings: dict[str, int] = {}
    for name, text in form.items():
        if not name.startswith("sym-") or not text:
            continue
        code = name.removeprefix("sym-")
        if not is_whole(text):
            raise ValidationError(f"symptoms.{code}: choose none, mild, moderate or severe", field=f"symptoms.{code}")
        ratings[code] = int(text)
    if not any(ratings.values()):
        raise ValidationError("symptoms: rate at least one symptom above “none”", field="symptoms")
    return {code: rating for code, rating in ratings.items() if rating > 0}


def diary_answers(form: dict[str, str]) -> dict[str, Any]:
    definition = get_instrument("csd")
    assert isinstance(definition, FormDefinition)
    answers: dict[str, Any] = {}
    for spec in definition.fields:
        text = form.get(spec.id, "").strip()
        if not text:
            if spec.required:
                raise ValidationError(f"{spec.id}: please fill in “{spec.label}”", field=spec.id)
            continue
        if spec.type in ("clock", "text"):
            answers[spec.id] = text
        elif is_whole(text):
            answers[spec.id] = int(text)
        else:
            raise ValidationError(f"{spec.id}: “{spec.label}” needs a whole number", field=spec.id)
    return answers


def started_at(text: str) -> datetime:
    """When the form was opened: a resubmitted form carries the same moment, so it matches what was stored."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    now = utcnow()
    if moment is None or moment.tzinfo is None or not now - timedelta(days=2) <= moment <= now + timedelta(minutes=5):
        return now
    return moment.astimezone(UTC)


@router.post("/check-in/{name}")
async def submit_checkin(
    request: Request, name: str, db: DbSession, user: CurrentUser, actor: CurrentActor
) -> Response:
    patient_id = own_patient(user)
    raw = await request.form()
    form = {k: str(v).strip()[:2000] for k, v in raw.items() if k != "csrf_token"}
    key = form.get("idempotency_key", "")
    urgent_before = _urgent(db, actor, patient_id)
    try:
        moment, now = started_at(form.get("started_at", "")), utcnow()
        if name == "sleep-diary":
            try:
                night = date.fromisoformat(form.get("night_of", ""))
            except ValueError:
                raise ValidationError(
                    "night_of: choose the date of the evening you went to bed", field="night_of"
                ) from None
            record_sleep_diary(
                db,
                actor,
                patient_id,
                {"night_of": night, "answers": diary_answers(form), "idempotency_key": key},
                now=now,
            )
        elif name == "symptoms":
            payload = {
                "reported_at": moment,
                "symptoms": symptom_ratings(form),
                "idempotency_key": key,
                "note": form.get("note") or None,
            }
            report_symptoms(db, actor, patient_id, payload, now=now)
        elif name in QUESTIONNAIRES:
            answers = scale_answers(_definition(name), form)
            record_response(
                db,
                actor,
                patient_id,
                {"instrument": name, "answers": answers, "administered_at": moment, "idempotency_key": key},
                now=now,
            )
        else:
            raise NotFound("there is no such check-in", field="name")
    except ValidationError as exc:
        return _form(request, db, actor, patient_id, name, exc, form)
    if _urgent(db, actor, patient_id) - urgent_before:
        # This answer raised (or escalated to) an urgent alert: show it with the emergency steps at once.
        return RedirectResponse("/today?logged=1#top-alerts", status_code=303)
    return RedirectResponse(f"/check-in?saved={name}", status_code=303)


def _urgent(db: DbSession, actor: CurrentActor, patient_id: int) -> set[int]:
    """Ids of the patient's live urgent alerts."""
    return {view.alert.id for view in alerts_with_findings(db, actor, patient_id) if view.alert.severity == "urgent"}
