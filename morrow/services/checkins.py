"""Check-ins: questionnaire responses and sleep diary nights, scored by the instrument engine.

Scores are always computed here from the raw answers, in the same transaction that stores them;
nobody types a score in. An edit rescored from new answers keeps the old answers and score as history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from datetime import timezone as dt_timezone
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from morrow.db.models import QuestionnaireResponse, SleepDiaryEntry
from morrow.domain.errors import Conflict, NotFound, PermissionDenied, ValidationError
from morrow.instruments import get_instrument, score
from morrow.services.access import check_access, require_access
from morrow.services.actors import Actor
from morrow.services.alerts import Foreseen, check_patient, foresee
from morrow.services.audit import audit
from morrow.services.doses import FUTURE_TOLERANCE, IDEMPOTENCY_KEY
from morrow.services.history import keep_revision
from morrow.services.idempotency import store_once
from morrow.services.inputs import Day, Moment, Payload, parse, valid_id
from morrow.services.people import CLOCK, get_patient
from morrow.services.situation import NewResponse, with_response
from morrow.services.tx import atomic, reading

CLINICIAN_RATERS = ("clinician", "system")
RESPONSE_HISTORY = ("answers", "score", "total", "band", "administered_at", "voided_at")


class ResponseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    instrument: str = Field(min_length=1, max_length=32)
    answers: dict[str, Any]
    administered_at: Moment
    idempotency_key: str = Field(pattern=IDEMPOTENCY_KEY)


class ResponseUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    answers: dict[str, Any]
    reason: str = Field(min_length=3, max_length=500)


class SleepDiaryCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    night_of: Day
    answers: dict[str, Any]
    idempotency_key: str = Field(pattern=IDEMPOTENCY_KEY)


def _require_rater(actor: Actor, instrument_id: str) -> Any:
    """The instrument's definition; a clinician-rated one (COWS) refuses anyone but a clinician."""
    definition = get_instrument(instrument_id)
    if definition.rater == "clinician" and actor.role not in CLINICIAN_RATERS:
        raise PermissionDenied(f"{definition.title} is rated by a clinician", field="instrument")
    return definition


def headline(result: dict[str, Any]) -> tuple[float | None, str | None]:
    """The number a trend line plots for a result, and its band."""
    for key in ("total", "score", "raw"):
        value = result.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value), result.get("band")
    return None, result.get("band")


def record_response(
    session: Session,
    actor: Actor,
    patient_id: int,
    data: ResponseCreate | Payload,
    *,
    now: datetime | None = None,
) -> tuple[QuestionnaireResponse, bool]:
    """Score and store a check-in, and evaluate the patient's record with it, in one transaction."""
    return store_response(session, actor, prepare_response(session, actor, patient_id, data, now=now))


@dataclass(frozen=True)
class PreparedResponse:
    """A check-in checked, scored and evaluated with the patient's record, ready to be stored."""

    patient_id: int
    values: ResponseCreate
    instrument_id: str
    version: str
    result: dict[str, Any]
    rater: str
    moment: datetime
    foreseen: Foreseen


def prepare_response(
    session: Session,
    actor: Actor,
    patient_id: int,
    data: ResponseCreate | Payload,
    *,
    now: datetime | None = None,
) -> PreparedResponse:
    """Everything a check-in needs before it is written: the answers checked and scored, and the safety
    rules run on the patient's record with it (`alerts.foresee`), in a read-only transaction. Call it before
    the write transaction (`store_response`), so that none of this holds the database's write lock."""
    values = parse(ResponseCreate, data)
    instrument_id = values.instrument.lower()
    definition = _require_rater(actor, instrument_id)
    moment = now or datetime.now(UTC)
    if values.administered_at > moment + FUTURE_TOLERANCE:
        raise ValidationError("a check-in cannot be dated in the future", field="administered_at")
    result = score(instrument_id, values.answers)
    with reading(session):
        check_access(session, actor, patient_id)
    entry = NewResponse(instrument_id, values.answers, values.administered_at, moment)
    return PreparedResponse(
        patient_id=patient_id,
        values=values,
        instrument_id=instrument_id,
        version=definition.version,
        result=result,
        rater="clinician" if definition.rater == "clinician" else "self",
        moment=moment,
        foreseen=foresee(session, patient_id, moment, lambda record: with_response(record, entry)),
    )


def store_response(session: Session, actor: Actor, prepared: PreparedResponse) -> tuple[QuestionnaireResponse, bool]:
    """Store a prepared check-in; the evaluation made with it is used unless the record changed since."""
    values, patient_id, instrument_id = prepared.values, prepared.patient_id, prepared.instrument_id
    total, band = headline(prepared.result)
    return store_once(
        session,
        actor,
        then=lambda _: check_patient(session, actor, patient_id, prepared.moment, prepared.foreseen),
        now=prepared.moment,
        detached=True,  # one INSERT, a retry found by the unique index; the check-in is read back by attribute
        model=QuestionnaireResponse,
        entity="questionnaire_response",
        patient_id=patient_id,
        key=values.idempotency_key,
        build=lambda: QuestionnaireResponse(
            patient_id=patient_id,
            instrument_id=instrument_id,
            instrument_version=prepared.version,
            answers=values.answers,
            score=prepared.result,
            total=total,
            band=band,
            rater=prepared.rater,
            rater_id=actor.user_id,
            administered_at=values.administered_at,
            idempotency_key=values.idempotency_key,
        ),
        matches=lambda existing: (
            existing.instrument_id == instrument_id
            and existing.answers == values.answers
            and existing.administered_at == values.administered_at
        ),
    )


def edit_response(
    session: Session, actor: Actor, response_id: int, data: ResponseUpdate | Payload
) -> QuestionnaireResponse:
    """New answers for a stored response, rescored with the same instrument version."""
    changes = parse(ResponseUpdate, data)
    with atomic(session):
        response = session.get(QuestionnaireResponse, response_id) if valid_id(response_id) else None
        if response is None:
            raise NotFound(f"no check-in with id {response_id}", field="response_id")
        check_access(session, actor, response.patient_id)
        _require_rater(actor, response.instrument_id)
        if response.voided_at is not None:
            raise Conflict("this check-in was removed and can no longer be edited", field="response_id")
        if get_instrument(response.instrument_id).version != response.instrument_version:
            raise Conflict(
                f"this check-in answered version {response.instrument_version}, which Morrow no longer scores; "
                "record a new check-in instead",
                field="response_id",
            )
        result = score(response.instrument_id, changes.answers)
        keep_revision(session, actor, "questionnaire_response", response, RESPONSE_HISTORY, changes.reason)
        response.answers, response.score = changes.answers, result
        response.total, response.band = headline(result)
        response.version += 1
        audit(
            session,
            actor,
            "update",
            "questionnaire_response",
            response.id,
            patient_id=response.patient_id,
            detail={"reason": changes.reason, "version": response.version},
        )
    return response


DIARY_CLOCKS = ("into_bed", "try_sleep", "final_wake", "out_of_bed")


def diary_metrics(answers: dict[str, Any], night_of: date, zone: ZoneInfo) -> dict[str, Any]:
    """The diary's metrics for the time that really passed. The instrument does clock arithmetic; on a
    night when the clocks change (23:00 to 07:00 is 7 hours on spring-forward night) the clock times are
    first restated at the offset in force at into_bed, and `dst_shift_min` says by how much."""
    clocks = [answers.get(name) for name in DIARY_CLOCKS]
    if not all(isinstance(c, str) and CLOCK.match(c) for c in clocks):
        return score("csd", answers)  # the engine refuses it, naming the field
    wall = [time.fromisoformat(c) for c in clocks]  # type: ignore[arg-type]
    day = night_of if wall[0] >= time(12) else night_of + timedelta(days=1)
    moments: list[datetime] = []
    for clock in wall:
        moment = datetime.combine(day, clock)
        if moments and moment < moments[-1]:
            day += timedelta(days=1)
            moment = datetime.combine(day, clock)
        moments.append(moment)
    # In UTC: Python subtracts two datetimes that share a tzinfo as wall-clock times.
    aware = [moment.replace(tzinfo=zone).astimezone(UTC) for moment in moments]
    offset = moments[0].replace(tzinfo=zone).utcoffset()
    assert offset is not None
    fixed = [moment.astimezone(dt_timezone(offset)) for moment in aware]
    shift = round(((aware[-1] - aware[0]) - (moments[-1] - moments[0])).total_seconds() / 60)
    if shift == 0:
        return score("csd", answers)
    restated = dict(answers) | {name: f"{moment:%H:%M}" for name, moment in zip(DIARY_CLOCKS, fixed, strict=True)}
    return score("csd", restated) | {"dst_shift_min": shift}


def record_sleep_diary(
    session: Session,
    actor: Actor,
    patient_id: int,
    data: SleepDiaryCreate | Payload,
    *,
    now: datetime | None = None,
) -> tuple[SleepDiaryEntry, bool]:
    """One night of the sleep diary; a night is filed under the local date of the evening it began."""
    values = parse(SleepDiaryCreate, data)
    version = get_instrument("csd").version
    with atomic(session):
        zone = ZoneInfo(get_patient(session, patient_id).timezone)
    metrics = diary_metrics(values.answers, values.night_of, zone)
    today = (now or datetime.now(UTC)).astimezone(zone).date()
    if values.night_of >= today + timedelta(days=1) or values.night_of < today - timedelta(days=400):
        raise ValidationError(f"night_of {values.night_of} is not a night that has happened", field="night_of")
    if values.night_of == today:
        raise ValidationError("the diary for a night is filled in the next morning", field="night_of")

    def build() -> SleepDiaryEntry:
        taken = select(SleepDiaryEntry.id).where(
            SleepDiaryEntry.patient_id == patient_id, SleepDiaryEntry.night_of == values.night_of
        )
        if session.scalar(taken) is not None:
            raise Conflict(f"the night of {values.night_of} is already in the diary; edit it instead", field="night_of")
        return SleepDiaryEntry(
            patient_id=patient_id,
            night_of=values.night_of,
            answers=values.answers,
            metrics=metrics,
            total_sleep_min=metrics.get("tst_min"),
            sleep_efficiency_pct=metrics.get("se_pct"),
            instrument_version=version,
            recorded_by_id=actor.user_id,
            idempotency_key=values.idempotency_key,
        )

    return store_once(
        session,
        actor,
        model=SleepDiaryEntry,
        entity="sleep_diary_entry",
        patient_id=patient_id,
        key=values.idempotency_key,
        build=build,
        matches=lambda existing: existing.night_of == values.night_of and existing.answers == values.answers,
    )


DIARY_HISTORY = ("answers", "metrics", "total_sleep_min", "sleep_efficiency_pct")


def edit_sleep_diary(session: Session, actor: Actor, entry_id: int, data: ResponseUpdate | Payload) -> SleepDiaryEntry:
    """New answers for a diary night, rescored; the old answers and metrics are kept as a revision."""
    changes = parse(ResponseUpdate, data)
    with atomic(session):
        entry = session.get(SleepDiaryEntry, entry_id) if valid_id(entry_id) else None
        if entry is None:
            raise NotFound(f"no diary night with id {entry_id}", field="entry_id")
        patient = require_access(session, actor, entry.patient_id)
        metrics = diary_metrics(changes.answers, entry.night_of, ZoneInfo(patient.timezone))
        keep_revision(session, actor, "sleep_diary_entry", entry, DIARY_HISTORY, changes.reason)
        entry.answers, entry.metrics = changes.answers, metrics
        entry.total_sleep_min, entry.sleep_efficiency_pct = metrics.get("tst_min"), metrics.get("se_pct")
        entry.version += 1
        audit(
            session,
            actor,
            "update",
            "sleep_diary_entry",
            entry.id,
            patient_id=entry.patient_id,
            detail={"reason": changes.reason, "version": entry.version},
        )
    return entry
