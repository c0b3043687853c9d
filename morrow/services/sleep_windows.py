"""CBT-I sleep windows: proposed by the engine from the diary, decided by a clinician, then seen by the patient.

- `propose_sleep_window` uses the diary nights of the 7 nights before `today`, the current approved window
  (if any) and the latest Epworth (ESS) response up to the end of `today`. Fewer than 5 nights is refused
  (`not_enough_data`) and nothing is stored. A new proposal supersedes any proposal still undecided.
- The rise time is the one given, else the current window's; with one, the bedtime is computed.
- `decide_sleep_window`: a clinician approves (the approved window before it becomes `superseded`) or
  declines; a reason is required. Only a proposal still `proposed` can be decided.
- `current_sleep_window`: the approved window, the only one a patient sees.
- `list_sleep_windows`: the latest proposals and decisions, for the clinician.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, StrictBool
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from morrow.db.models import QuestionnaireResponse, SleepDiaryEntry, SleepWindow
from morrow.domain.errors import Conflict, NotFound, PermissionDenied, ValidationError
from morrow.regimens import SleepNight, SleepWindowProposal
from morrow.regimens import propose_sleep_window as propose_window
from morrow.services.access import check_access, require_access
from morrow.services.actors import Actor
from morrow.services.audit import audit
from morrow.services.inputs import Payload, parse, valid_id
from morrow.services.people import CLOCK
from morrow.services.tx import atomic

CLINICAL = ("clinician", "system")
DIARY_NIGHTS = 7


class SleepWindowDecision(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    approve: StrictBool  # "yes" or 1 is not a decision
    reason: str = Field(min_length=3, max_length=2000)


def propose_sleep_window(
    session: Session,
    actor: Actor,
    patient_id: int,
    today: date,
    *,
    rise_time: str | None = None,
    now: datetime | None = None,
) -> tuple[SleepWindow, bool]:
    """Store the engine's proposal for the clinician to decide (it replaces an undecided one); refused when the
    diary is too thin. Proposing again from the same diary, with the same rise time, stores nothing new: the
    undecided proposal is the answer (`created` False), so a resubmitted form does not supersede itself."""
    _require_clinical(actor)
    if rise_time is not None and not CLOCK.match(rise_time):
        raise ValidationError("rise_time: use a 24-hour time such as '06:30'", field="rise_time")
    with atomic(session):
        patient = require_access(session, actor, patient_id)
        current = _approved(session, patient_id)
        rise_time = rise_time or (None if current is None else current.rise_time)
        ess = _latest_ess(session, patient_id, ZoneInfo(patient.timezone), today)
        proposal = propose_window(
            _nights(session, patient_id, today),
            today,
            current_window_min=None if current is None else current.time_in_bed_min,
            latest_ess_total=ess,
            wake_time=rise_time,
        )
        if proposal.action == "not_enough_data" or proposal.time_in_bed_min is None:
            raise Conflict(" ".join(proposal.reasons), field="nights", code="not_enough_data")
        waiting = list(session.scalars(_windows(patient_id, "proposed")))
        if len(waiting) == 1 and _same_proposal(waiting[0], proposal, ess):
            audit(session, actor, "read", "sleep_window", waiting[0].id, patient_id=patient_id,
                  detail={"proposed_again": True})  # fmt: skip
            return waiting[0], False
        for undecided in waiting:
            undecided.status = "superseded"
        window = SleepWindow(
            patient_id=patient_id,
            proposed_at=now or datetime.now(UTC),
            proposed_by_id=actor.user_id,
            action=proposal.action,
            nights_used=proposal.nights_used,
            mean_tst_min=proposal.mean_tst_min,
            mean_se_pct=proposal.mean_se_pct,
            time_in_bed_min=proposal.time_in_bed_min,
            bedtime=proposal.bedtime,
            rise_time=proposal.wake_time,
            ess_total=ess,
            flags={"flag_for_clinician": proposal.flag_for_clinician, "current_min": proposal.current_min},
            reason=" ".join(proposal.reasons),
            status="proposed",
        )
        session.add(window)
        session.flush()
        detail = {"action": window.action, "time_in_bed_min": window.time_in_bed_min}
        audit(session, actor, "propose", "sleep_window", window.id, patient_id=patient_id, detail=detail)
    return window, True


def _same_proposal(window: SleepWindow, proposal: SleepWindowProposal, ess: int | None) -> bool:
    return (
        window.action, window.nights_used, window.mean_tst_min, window.mean_se_pct, window.time_in_bed_min,
        window.bedtime, window.rise_time, window.ess_total, window.reason, window.flags,
    ) == (
        proposal.action, proposal.nights_used, proposal.mean_tst_min, proposal.mean_se_pct, proposal.time_in_bed_min,
        proposal.bedtime, proposal.wake_time, ess, " ".join(proposal.reasons),
        {"flag_for_clinician": proposal.flag_for_clinician, "current_min": proposal.current_min},
    )  # fmt: skip


def decide_sleep_window(
    session: Session,
    actor: Actor,
    window_id: int,
    data: SleepWindowDecision | Payload,
    *,
    now: datetime | None = None,
    patient_id: int | None = None,
) -> SleepWindow:
    """Approve (it becomes the patient's window) or decline a proposal, with a reason. With `patient_id`, a
    window of anyone else is "not found", so an id names nothing outside the caller's patient."""
    _require_clinical(actor)
    values = parse(SleepWindowDecision, data)
    with atomic(session):
        window = session.get(SleepWindow, window_id) if valid_id(window_id) else None
        if window is None or (patient_id is not None and window.patient_id != patient_id):
            raise NotFound(f"no sleep window with id {window_id}", field="window_id")
        check_access(session, actor, window.patient_id)
        if window.status != "proposed":
            raise Conflict(f"this sleep window is already {window.status}", field="window_id")
        if values.approve:
            for previous in session.scalars(_windows(window.patient_id, "approved")):
                previous.status = "superseded"
        window.status = "approved" if values.approve else "declined"
        window.decided_by_id, window.decided_at = actor.user_id, now or datetime.now(UTC)
        window.decision_reason = values.reason
        audit(
            session, actor, "approve" if values.approve else "decline", "sleep_window", window.id,
            patient_id=window.patient_id, detail={"reason": values.reason},
        )  # fmt: skip
    return window


def current_sleep_window(session: Session, actor: Actor, patient_id: int) -> SleepWindow | None:
    """The approved window (what the patient sees), or None while there is none."""
    with atomic(session):
        check_access(session, actor, patient_id)
        window = _approved(session, patient_id)
        audit(session, actor, "read", "sleep_window", None if window is None else window.id, patient_id=patient_id)
    return window


def list_sleep_windows(session: Session, actor: Actor, patient_id: int, *, limit: int = 10) -> list[SleepWindow]:
    """The patient's latest windows, newest first: proposed, approved, declined and superseded."""
    _require_clinical(actor)
    query = (
        select(SleepWindow)
        .where(SleepWindow.patient_id == patient_id)
        .order_by(SleepWindow.proposed_at.desc(), SleepWindow.id.desc())
        .limit(max(1, min(limit, 100)))
    )
    with atomic(session):
        check_access(session, actor, patient_id)
        windows = list(session.scalars(query))
        audit(session, actor, "read", "sleep_windows", patient_id=patient_id, detail={"count": len(windows)})
    return windows


def _require_clinical(actor: Actor) -> None:
    if actor.role not in CLINICAL:
        raise PermissionDenied("only a clinician can propose or decide a sleep window", field="actor")


def _windows(patient_id: int, status: str) -> Select[SleepWindow]:
    return select(SleepWindow).where(SleepWindow.patient_id == patient_id, SleepWindow.status == status)


def _approved(session: Session, patient_id: int) -> SleepWindow | None:
    query = _windows(patient_id, "approved").order_by(SleepWindow.decided_at.desc(), SleepWindow.id.desc())
    return session.scalars(query.limit(1)).first()


def _nights(session: Session, patient_id: int, today: date) -> list[SleepNight]:
    query = select(SleepDiaryEntry).where(
        SleepDiaryEntry.patient_id == patient_id,
        SleepDiaryEntry.night_of >= today - timedelta(days=DIARY_NIGHTS),
        SleepDiaryEntry.night_of < today,
    )
    nights = []
    for entry in session.scalars(query):
        tib = entry.metrics.get("tib_min")
        if entry.total_sleep_min is not None and entry.sleep_efficiency_pct is not None and tib is not None:
            nights.append(SleepNight(entry.night_of, entry.total_sleep_min, entry.sleep_efficiency_pct, tib))
    return nights


def _latest_ess(session: Session, patient_id: int, zone: ZoneInfo, today: date) -> int | None:
    end = datetime.combine(today + timedelta(days=1), time(0), tzinfo=zone)
    query = (
        select(QuestionnaireResponse.total)
        .where(
            QuestionnaireResponse.patient_id == patient_id,
            QuestionnaireResponse.instrument_id == "ess",
            QuestionnaireResponse.voided_at.is_(None),
            QuestionnaireResponse.administered_at < end,
        )
        .order_by(QuestionnaireResponse.administered_at.desc())
        .limit(1)
    )
    total = session.scalar(query)
    return None if total is None else int(total)
