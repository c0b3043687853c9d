"""A validated situation: what the safety engine evaluates. Built only by `parse_situation` and `situation_of`
(with the `make_*` constructors of `morrow.safety.parse`), which validate the same way.

Times are kept twice: as aware datetimes (for wording and local days) and as POSIX seconds (for the hot
path). Every dose already knows its active window, its agent key and its amount in its form's unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo


@dataclass(frozen=True, slots=True)
class Patient:
    timezone: ZoneInfo
    pregnant: bool = False
    opioid_abstinent_since: date | None = None
    taper_completed_on: date | None = None


@dataclass(frozen=True, slots=True)
class Dose:
    """One dose taken. `agent` is the interaction identity: the substance id, or `id@variant` (kratom@7oh)."""

    substance: str
    agent: str
    variant: str | None
    form: str | None
    amount: float
    unit: str
    taken_at: datetime
    t: float
    end: float
    local_date: date


@dataclass(frozen=True, slots=True)
class RegimenItem:
    substance: str
    form: str | None
    max_dose: float | None
    unit: str | None
    max_doses_per_day: int | None


@dataclass(frozen=True, slots=True)
class Checkin:
    instrument: str
    result: dict[str, Any]
    at: datetime
    t: float


@dataclass(frozen=True, slots=True)
class Symptom:
    code: str
    at: datetime
    t: float


@dataclass(frozen=True, slots=True)
class AgentDoses:
    """One agent's doses in time order, with their times and the longest window, for bisecting."""

    times: tuple[float, ...]
    doses: tuple[Dose, ...]
    longest: float


@dataclass(frozen=True, slots=True)
class Situation:
    """`doses` are sorted by time; `times` are their POSIX times; `by_agent` groups them per agent key."""

    now: datetime
    t: float
    patient: Patient
    regimen: tuple[RegimenItem, ...] = ()
    doses: tuple[Dose, ...] = ()
    checkins: tuple[Checkin, ...] = ()
    symptoms: tuple[Symptom, ...] = ()
    times: tuple[float, ...] = ()
    by_agent: dict[str, AgentDoses] = field(default_factory=dict)

    @classmethod
    def of(cls, now: datetime, patient: Patient, doses: list[Dose], **rest: Any) -> Situation:
        ordered = tuple(sorted(doses, key=lambda d: d.t))
        grouped: dict[str, list[Dose]] = {}
        for dose in ordered:
            grouped.setdefault(dose.agent, []).append(dose)
        by_agent = {
            key: AgentDoses(tuple(d.t for d in group), tuple(group), max(d.end - d.t for d in group))
            for key, group in grouped.items()
        }
        times = tuple(d.t for d in ordered)
        return cls(now=now, t=now.timestamp(), patient=patient, doses=ordered, times=times, by_agent=by_agent, **rest)
