"""What the clinician API answers (XPublic) and accepts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool
from typing_extensions import TypedDict

from morrow.db.models import Alert, DoseChangeRequest, Finding
from morrow.services.triage import TriageRow


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class TrendPublic(BaseModel):
    measure: str
    recent_mean: float
    earlier_mean: float


class TriageRowPublic(BaseModel):
    patient_id: int
    display_name: str
    tier: str
    urgent: int
    warning: int
    caution: int
    trends: list[TrendPublic]
    last_check_in: datetime | None
    reasons: list[str]

    @classmethod
    def of(cls, row: TriageRow) -> TriageRowPublic:
        return cls(
            patient_id=row.patient_id,
            display_name=row.display_name,
            tier=row.tier,
            urgent=row.urgent,
            warning=row.warning,
            caution=row.caution,
            trends=[
                TrendPublic(measure=t.measure, recent_mean=t.recent_mean, earlier_mean=t.earlier_mean)
                for t in row.trends
            ],
            last_check_in=row.last_check_in,
            reasons=list(row.reasons),
        )


class TriagePublic(BaseModel):
    rule: str
    patients: list[TriageRowPublic]


class AlertPublic(BaseModel):
    id: int
    patient_id: int
    patient_name: str
    severity: str
    category: str
    title: str
    status: str
    first_seen_at: datetime
    last_seen_at: datetime
    occurrences: int
    clinician_message: str | None
    sources: list[str]
    acknowledgement_note: str | None
    resolution_note: str | None

    @classmethod
    def of(cls, alert: Alert, name: str, finding: Finding | None) -> AlertPublic:
        return cls(
            id=alert.id,
            patient_id=alert.patient_id,
            patient_name=name,
            severity=alert.severity,
            category=alert.category,
            title=alert.title,
            status=alert.status,
            first_seen_at=alert.first_seen_at,
            last_seen_at=alert.last_seen_at,
            occurrences=alert.occurrences,
            clinician_message=finding.clinician_message if finding else None,
            sources=list(finding.sources) if finding else [],
            acknowledgement_note=alert.acknowledgement_note,
            resolution_note=alert.resolution_note,
        )


class AcknowledgeBody(Body):
    note: str | None = Field(default=None, max_length=4000)


class ResolveBody(Body):
    note: str = Field(max_length=4000)


class DoseChangePublic(BaseModel):
    id: int
    patient_id: int
    patient_name: str
    regimen_item_id: int
    current_dose: float
    proposed_dose: float
    unit: str
    reason: str | None
    status: str
    needs_approval: bool
    rule_explanation: str | None
    created_at: datetime
    decided_at: datetime | None
    decision_reason: str | None

    @classmethod
    def of(cls, change: DoseChangeRequest, name: str) -> DoseChangePublic:
        return cls(
            id=change.id,
            patient_id=change.patient_id,
            patient_name=name,
            regimen_item_id=change.regimen_item_id,
            current_dose=change.current_dose,
            proposed_dose=change.proposed_dose,
            unit=change.unit,
            reason=change.reason,
            status=change.status,
            needs_approval=change.needs_approval,
            rule_explanation=change.rule_explanation,
            created_at=change.created_at,
            decided_at=change.decided_at,
            decision_reason=change.decision_reason,
        )


class DoseChangesPublic(BaseModel):
    pending: list[DoseChangePublic]
    recently_applied: list[DoseChangePublic]


class DecisionBody(Body):
    approve: StrictBool = Field(description="true or false; nothing else is a decision")
    reason: str = Field(max_length=2000)


class ProposeBody(Body):
    regimen_item_id: int = Field(ge=1, le=2**31 - 1)
    proposed_dose: float
    reason: str = Field(max_length=2000)


class TimelineEntryPublic(TypedDict):
    """A typed dict, not a model: a year's page is about a thousand entries, serialised straight from the
    service's tuples (building a model for each cost more than reading them from the database)."""

    kind: str
    id: int
    at: datetime
    day: date
    title: str
    detail: str


class TimelinePublic(BaseModel):
    patient_id: int
    first_day: date
    last_day: date
    kinds: list[str]
    entries: list[TimelineEntryPublic]
    older_until: date


class NoteBody(Body):
    kind: Literal["visit", "phone", "message", "other"] = "visit"
    body: str = Field(max_length=8000)
    idempotency_key: str | None = Field(default=None, max_length=80)


class NotePublic(BaseModel):
    id: int
    patient_id: int
    kind: str
    body: str
    written_at: datetime


class CowsBody(Body):
    """The 11 COWS item points; give `pulse_bpm` instead of `answers.pulse` and Morrow converts it."""

    answers: dict[str, int]
    pulse_bpm: int | None = None
    administered_at: datetime | None = None
    idempotency_key: str | None = Field(default=None, max_length=80)


class CowsPublic(BaseModel):
    id: int
    patient_id: int
    answers: dict[str, int]
    total: float | None
    band: str | None
    administered_at: datetime


class RegimenItemPublic(BaseModel):
    id: int
    substance: str
    form: str | None
    product_id: int | None
    product_name: str | None
    dose: float
    unit: str
    schedule: str
    times: list[str]
    max_doses_per_day: int | None
    ceiling_dose: float | None
    titration_max_increase: float | None
    titration_period_days: int | None
    mme_per_day: float | None
    mme_notes: list[str]


class RegimenPublic(BaseModel):
    patient_id: int
    regimen_id: int | None
    title: str | None
    starts_on: date | None
    items: list[RegimenItemPublic]
    total_mme_per_day: float
    mme_incomplete: bool


class RegimenItemChange(Body):
    """What changes in an item of the active regimen; fields left out stay as they are."""

    dose: float | None = None
    ceiling_dose: float | None = Field(default=None, description="a new ceiling; null is refused (see remove_ceiling)")
    remove_ceiling: StrictBool = Field(default=False, description="true: the item has no ceiling from this version")
    product_id: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="a product of the item's substance; null: none; left out: as is"
    )


class RegimenItemAdd(Body):
    """An item added to the new version (the fields of `morrow.services.regimens.RegimenItemCreate`)."""

    substance: str = Field(max_length=64)
    form: str | None = Field(default=None, max_length=32)
    product_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    dose: float
    unit: str = Field(max_length=16)
    schedule: Literal["fixed", "as_needed"] = "fixed"
    times: list[str] = Field(default=[], max_length=24)
    minutes_before_bedtime: int | None = None
    max_doses_per_day: int | None = None
    min_interval_minutes: int | None = None
    ceiling_dose: float | None = None
    titration_max_increase: float | None = None
    titration_period_days: int | None = None
    reason: str | None = Field(default=None, max_length=2000)


class RegimenVersionBody(Body):
    """A new version of the active regimen: `changes` by regimen item id, an optional `added` item."""

    based_on_regimen_id: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="the regimen_id the change was made from; 409 if it is no longer"
    )
    starts_on: date | None = Field(default=None, description="default: the patient's today; at most 90 days ahead")
    reason: str = Field(min_length=3, max_length=2000)
    changes: dict[int, RegimenItemChange] = Field(default={}, max_length=40)
    added: RegimenItemAdd | None = None


class HoldRuleBody(Body):
    measure: str = Field(max_length=40, description="an instrument id and `total` or `score`, e.g. sows.total")
    above: float
    consecutive_days: int
    label: str | None = Field(default=None, max_length=80)


class TaperPlanBody(Body):
    """The `morrow taper plan` fields, with hold rules, an optional regimen item and a reason."""

    substance: str = Field(max_length=64)
    form: str | None = Field(default=None, max_length=32)
    current_daily_dose: float
    unit: str = Field(max_length=16)
    method: Literal["percent_of_current", "percent_of_original", "linear"]
    percent: float | None = None
    step: float | None = None
    min_step: float | None = None
    floor: float | None = None
    interval_days: int
    start: date
    hold_rules: list[HoldRuleBody] = Field(default=[], max_length=10)
    regimen_item_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    reason: str | None = Field(default=None, max_length=2000)


class ReasonBody(Body):
    reason: str = Field(max_length=2000)


class TaperStepPublic(BaseModel):
    position: int
    starts_on: date
    ends_on: date
    daily_dose: float
    mme_per_day: float | None


class HoldRulePublic(BaseModel):
    measure: str
    above: float
    consecutive_days: int
    label: str | None


class TaperProgressPublic(BaseModel):
    """Where a live plan stands on the patient's today (the engine's `step_status`)."""

    as_of: date
    state: Literal["not_started", "on_track", "hold", "paused", "completed"]
    reason: str
    ask_clinician: bool
    held_step: int | None
    step: TaperStepPublic | None
    next_step: TaperStepPublic | None = Field(description="the next step as planned; null while it is held or paused")
    next_step_held: bool = Field(description="the next cut waits for the clinician: a hold rule is met, or paused")
    next_step_note: str | None = Field(description="what comes next in words; says why while it is held")


class TaperPlanPublic(BaseModel):
    id: int
    lineage_id: int | None
    version: int
    patient_id: int
    regimen_item_id: int | None
    substance: str
    form: str | None
    unit: str
    method: str
    interval_days: int
    original_daily_dose: float
    floor_dose: float
    starts_on: date
    status: str
    paused_on: date | None
    hold_rules: list[HoldRulePublic]
    reason: str | None
    created_at: datetime
    approved_at: datetime | None
    steps: list[TaperStepPublic]
    notes: list[str]
    progress: TaperProgressPublic | None


class SleepWindowProposeBody(Body):
    rise_time: str | None = Field(default=None, max_length=5, description="HH:MM; default: the current window's")


class SleepWindowDecisionBody(Body):
    approve: StrictBool = Field(description="true or false; nothing else is a decision")
    reason: str = Field(max_length=2000)


class SleepWindowPublic(BaseModel):
    id: int
    patient_id: int
    status: str
    action: str
    proposed_at: datetime
    nights_used: int
    mean_tst_min: float | None
    mean_se_pct: float | None
    time_in_bed_min: int
    bedtime: str | None
    rise_time: str | None
    ess_total: int | None
    flag_for_clinician: bool
    reason: str
    decided_at: datetime | None
    decision_reason: str | None
