"""The patient JSON API under /api/v1: what the patient pages do, for the patient and their care team."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from morrow.evidence import find_claims
from morrow.services.actors import Actor
from morrow.services.checkins import (
    PreparedResponse,
    ResponseCreate,
    SleepDiaryCreate,
    prepare_response,
    record_sleep_diary,
    store_response,
)
from morrow.services.doses import DoseCreate, log_dose
from morrow.services.patient_views import AlertView, Point, alerts_with_findings, progress, today_view
from morrow.services.symptoms import SymptomReportCreate, report_symptoms
from morrow.services.tx import atomic
from morrow.web.deps import CurrentActor, CurrentUser, DbSession, runtime
from morrow.web.forms import closing_form
from morrow.web.routes.patient.common import EMERGENCY_STEPS, utcnow

router = APIRouter(prefix="/api/v1", tags=["patient"], dependencies=[Depends(closing_form)])


def created(model: type[Any]) -> dict[int | str, dict[str, Any]]:
    """The 200 answer of a write stored once per idempotency key: the same body as the 201."""
    return {200: {"model": model, "description": "Already stored under this idempotency key"}}


class DosePublic(BaseModel):
    id: int
    substance: str
    form: str | None
    amount: float
    unit: str
    kind: str
    taken_at: datetime
    regimen_item_id: int | None


class PatientAlertPublic(BaseModel):
    id: int
    severity: str
    status: str
    title: str
    first_seen_at: datetime
    last_seen_at: datetime
    message: str | None
    sources: list[str]
    emergency_steps: list[str]


class SlotPublic(BaseModel):
    regimen_item_id: int
    substance: str
    form: str | None
    dose: float
    unit: str
    when: str
    logged: bool


class AsNeededPublic(BaseModel):
    regimen_item_id: int
    substance: str
    dose: float
    unit: str
    daily_cap: int
    taken_today: int
    left_today: int


class TodayPublic(BaseModel):
    day: date
    scheduled: list[SlotPublic]
    as_needed: list[AsNeededPublic]
    logged: list[DosePublic]
    open_alerts: list[PatientAlertPublic]


class DoseLoggedPublic(BaseModel):
    dose: DosePublic
    created: bool
    open_alerts: list[PatientAlertPublic]


class StoredPublic(BaseModel):
    id: int
    created: bool
    summary: dict[str, Any]
    open_alerts: list[PatientAlertPublic]


class PointPublic(BaseModel):
    day: date
    value: float


class ProgressPublic(BaseModel):
    first_day: date
    last_day: date
    doses_per_day: list[PointPublic]
    sows: list[PointPublic]
    sleep_efficiency_pct: list[PointPublic]
    peg: list[PointPublic]
    craving: list[PointPublic]


class ClaimPublic(BaseModel):
    id: str
    claim: str
    verdict: str
    summary: str
    sources: list[str]
    unconfirmed: bool


def alert_public(view: AlertView) -> PatientAlertPublic:
    a, f = view.alert, view.finding
    return PatientAlertPublic(
        id=a.id, severity=a.severity, status=a.status, title=a.title, first_seen_at=a.first_seen_at,
        last_seen_at=a.last_seen_at, message=f.patient_message if f else None, sources=list(f.sources) if f else [],
        emergency_steps=list(EMERGENCY_STEPS) if a.severity == "urgent" and a.status != "resolved" else [],
    )  # fmt: skip


def dose_public(d: Any) -> DosePublic:
    return DosePublic(
        id=d.id, substance=d.substance_id, form=d.form, amount=d.amount, unit=d.unit, kind=d.kind,
        taken_at=d.taken_at, regimen_item_id=d.regimen_item_id,
    )  # fmt: skip


def _points(points: list[Point]) -> list[PointPublic]:
    return [PointPublic(day=p.day, value=p.value) for p in points]


def _open(db: DbSession, actor: CurrentActor, patient_id: int) -> list[PatientAlertPublic]:
    return [alert_public(v) for v in alerts_with_findings(db, actor, patient_id)]


# The four writes a patient sends most (doses, check-ins, diary nights and symptom reports, below) are
# `async def` routes that call the service directly: they run on the event loop, one at a time per
# server process, instead of in the thread pool. Each is a few milliseconds of CPU in one short
# transaction; sent to a thread, it paid two hand-offs (the route and FastAPI's check of its answer,
# about a fifth of its time) and, under load, the threads of a process took turns at the GIL while one
# of them held the write lock. Decision 0005 has the measurements and what this costs.
def _stored(
    db: Session,
    actor: Actor,
    patient_id: int,
    response: Response,
    write: Callable[[], tuple[Any, bool]],
    summary: Callable[[Any], dict[str, Any]],
) -> StoredPublic:
    """Store an entry, evaluate it and read the open alerts back in one transaction; 201 when stored
    now, 200 when its idempotency key was already stored with the same data."""
    written = _written(db, actor, patient_id, write)
    return _public(written, summary(written.row), response)


@dataclass(frozen=True)
class Written:
    """An entry's write, committed: the row, whether it was stored now, and the open alerts read back."""

    row: Any
    created: bool
    open_alerts: list[PatientAlertPublic]


def _written(db: Session, actor: Actor, patient_id: int, write: Callable[[], tuple[Any, bool]]) -> Written:
    with atomic(db):
        row, created = write()
        open_alerts = _open(db, actor, patient_id)
    return Written(row, created, open_alerts)


def _public(written: Written, summary: dict[str, Any], response: Response | None) -> StoredPublic:
    if response is not None:
        response.status_code = 201 if written.created else 200
    return StoredPublic(id=written.row.id, created=written.created, summary=summary, open_alerts=written.open_alerts)


# POST /patients/{id}/checkins, however the request is served: by `post_checkin`, or directly by
# `morrow.web.direct` (decision 0008), which calls `prepare_response` and `store_checkin` itself, hands the
# request to the route if either refuses it, and so must not call anything that can refuse after the commit.
def write_checkin(db: Session, actor: Actor, patient_id: int, body: ResponseCreate) -> Written:
    """Scored and evaluated before the write begins, then stored with its alerts read back, and committed."""
    return store_checkin(db, actor, patient_id, prepare_response(db, actor, patient_id, body))


def store_checkin(db: Session, actor: Actor, patient_id: int, prepared: PreparedResponse) -> Written:
    """A prepared check-in stored with its alerts read back, in one write transaction, committed."""
    return _written(db, actor, patient_id, lambda: store_response(db, actor, prepared))


def checkin_public(written: Written, response: Response | None = None) -> StoredPublic:
    """The answer: 201 when stored now (`created`), 200 when its idempotency key was already stored."""
    row = written.row
    return _public(written, {"instrument": row.instrument_id, "total": row.total, "band": row.band}, response)


@router.get("/patients/{patient_id}/today", response_model=TodayPublic, summary="Today's plan, doses and alerts")
def get_today(patient_id: int, db: DbSession, actor: CurrentActor) -> TodayPublic:
    view = today_view(db, actor, patient_id, utcnow())
    return TodayPublic(
        day=view.today,
        scheduled=[
            SlotPublic(regimen_item_id=s.item.id, substance=s.item.substance_id, form=s.item.form, dose=s.item.dose,
                       unit=s.item.unit, when=s.label, logged=s.logged)
            for s in view.slots
        ],
        as_needed=[
            AsNeededPublic(regimen_item_id=a.item.id, substance=a.item.substance_id, dose=a.item.dose, unit=a.item.unit,
                           daily_cap=a.cap, taken_today=a.taken, left_today=a.left)
            for a in view.as_needed
        ],
        logged=[dose_public(d) for d in view.doses_today],
        open_alerts=_open(db, actor, patient_id),
    )  # fmt: skip


@router.post(
    "/patients/{patient_id}/doses", response_model=DoseLoggedPublic, status_code=201,
    responses=created(DoseLoggedPublic), summary="Log a dose (stored once per idempotency key)",
)  # fmt: skip
async def post_dose(
    request: Request, response: Response, patient_id: int, body: DoseCreate, db: DbSession, actor: CurrentActor
) -> DoseLoggedPublic:
    """201 when stored, 200 when this idempotency key was already stored with the same data. The open
    alerts (with the words for the patient) come back at once, so an urgent warning can be shown."""
    with atomic(db):  # one transaction: the dose, its safety check, and the alerts read back
        dose, created = log_dose(db, actor, patient_id, body, catalog=runtime(request).catalog)
        open_alerts = _open(db, actor, patient_id)
    response.status_code = 201 if created else 200
    return DoseLoggedPublic(dose=dose_public(dose), created=created, open_alerts=open_alerts)


@router.post(
    "/patients/{patient_id}/checkins", response_model=StoredPublic, status_code=201, responses=created(StoredPublic),
    summary="Submit a questionnaire check-in (scored by Morrow)",
)  # fmt: skip
async def post_checkin(
    response: Response, patient_id: int, body: ResponseCreate, db: DbSession, actor: CurrentActor
) -> StoredPublic:
    """With a bearer token and a JSON body, `morrow.web.direct` answers this route when it succeeds
    (decision 0008); this is the route's every other answer, and its OpenAPI description."""
    return checkin_public(write_checkin(db, actor, patient_id, body), response)


@router.post(
    "/patients/{patient_id}/sleep-diary", response_model=StoredPublic, status_code=201, responses=created(StoredPublic),
    summary="Submit one night of the sleep diary",
)  # fmt: skip
async def post_sleep_diary(
    response: Response, patient_id: int, body: SleepDiaryCreate, db: DbSession, actor: CurrentActor
) -> StoredPublic:
    return _stored(
        db,
        actor,
        patient_id,
        response,
        lambda: record_sleep_diary(db, actor, patient_id, body),
        lambda row: {"night_of": row.night_of.isoformat(), "sleep_efficiency_pct": row.sleep_efficiency_pct},
    )


@router.post(
    "/patients/{patient_id}/symptoms", response_model=StoredPublic, status_code=201, responses=created(StoredPublic),
    summary="Report side effects and symptoms (0 none to 3 severe)",
)  # fmt: skip
async def post_symptoms(
    response: Response, patient_id: int, body: SymptomReportCreate, db: DbSession, actor: CurrentActor
) -> StoredPublic:
    return _stored(
        db,
        actor,
        patient_id,
        response,
        lambda: report_symptoms(db, actor, patient_id, body),
        lambda row: {"symptoms": row.symptoms},
    )


@router.get("/patients/{patient_id}/alerts", response_model=list[PatientAlertPublic], summary="The patient's alerts")
def get_alerts(patient_id: int, db: DbSession, actor: CurrentActor) -> list[PatientAlertPublic]:
    views = alerts_with_findings(db, actor, patient_id, ("open", "acknowledged", "resolved"))
    return [alert_public(v) for v in views]


@router.get("/patients/{patient_id}/progress", response_model=ProgressPublic, summary="Daily series for the charts")
def get_progress(
    patient_id: int, db: DbSession, actor: CurrentActor, days: Annotated[int, Query(ge=7, le=92)] = 30
) -> ProgressPublic:
    data = progress(db, actor, patient_id, utcnow(), days)
    return ProgressPublic(
        first_day=data.first_day, last_day=data.last_day, doses_per_day=_points(data.doses), sows=_points(data.sows),
        sleep_efficiency_pct=_points(data.sleep_efficiency), peg=_points(data.peg), craving=_points(data.craving),
    )  # fmt: skip


@router.get("/evidence", response_model=list[ClaimPublic], summary="Search the evidence library")
def get_evidence(user: CurrentUser, q: Annotated[str, Query(max_length=200)] = "") -> list[ClaimPublic]:
    return [ClaimPublic(**c.to_json()) for c in find_claims(q.strip())]
