"""Patient archetypes of the demo clinic: what their clinician prescribes and how their days go.

Doses are set by the demo's clinicians as regimens (a taper is a run of regimens, each a step lower),
because that is how a clinic records a prescription change today.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from random import Random
from typing import Any

RegimenPlan = list[tuple[date, dict[str, Any]]]


def _item(substance: str, dose: float, unit: str, times: list[str], starts_on: date, **extra: Any) -> dict[str, Any]:
    return {
        "substance": substance,
        "dose": dose,
        "unit": unit,
        "schedule": "fixed",
        "times": times,
        "starts_on": starts_on.isoformat(),
        **extra,
    }


def _melatonin(starts_on: date, dose: float) -> dict[str, Any]:
    return {
        "substance": "melatonin",
        "form": "immediate",
        "dose": dose,
        "unit": "mg",
        "schedule": "fixed",
        "minutes_before_bedtime": 30,
        "ceiling_dose": 5.0,
        "starts_on": starts_on.isoformat(),
        "reason": "sleep onset; small effect expected (AASM 2017: weak recommendation against)",
    }


def _regimen(title: str, starts_on: date, items: list[dict[str, Any]], reason: str) -> dict[str, Any]:
    return {"title": title, "starts_on": starts_on.isoformat(), "reason": reason, "items": items}


def _steps(start: date, days: int, doses: list[float], every: int) -> list[tuple[date, float]]:
    return [(start + timedelta(days=i * every), dose) for i, dose in enumerate(doses) if i * every < days]


@dataclass(frozen=True)
class Profile:
    name: str
    regimens: Callable[[Random, date, int], RegimenPlan]
    adherence: float
    withdrawal_base: float
    kratom_user: bool = False
    opioid_user: bool = False
    notes: tuple[str, ...] = field(default=())


def _oxycodone_taper(rng: Random, start: date, days: int) -> RegimenPlan:
    mel = rng.choice([1.0, 2.0, 3.0])
    plan: RegimenPlan = []
    for step_start, per_dose in _steps(start, days, [10, 8, 6, 5, 4, 3], 14):
        items = [
            _item(
                "oxycodone",
                per_dose,
                "mg",
                ["08:00", "14:00", "20:00"],
                step_start,
                form="ir_tablet",
                ceiling_dose=per_dose,
                reason="CDC 2022: slow taper with follow-up; pause if withdrawal is severe",
            ),
            _melatonin(step_start, mel),
        ]
        plan.append(
            (
                step_start,
                _regimen(
                    f"Oxycodone taper: {per_dose:g} mg three times a day",
                    step_start,
                    items,
                    "patient-chosen taper after long-term opioid therapy",
                ),
            )
        )
    return plan


def _kratom_daily(rng: Random, start: date, days: int) -> RegimenPlan:
    dose = rng.choice([1.5, 2.0, 2.5, 3.0])
    items = [
        _item(
            "kratom",
            dose,
            "g",
            ["08:00", "14:00", "20:00"],
            start,
            form="leaf_powder",
            ceiling_dose=dose + 1,
            max_doses_per_day=3,
            titration_max_increase=0.5,
            titration_period_days=7,
            reason="stabilise current use before any taper; no increase without approval",
        ),
        _melatonin(start, rng.choice([1.0, 3.0])),
    ]
    return [(start, _regimen("Kratom stabilisation with melatonin at bedtime", start, items, "intake plan"))]


def _kratom_taper(rng: Random, start: date, days: int) -> RegimenPlan:
    first = rng.choice([3.0, 4.0])
    plan: RegimenPlan = []
    for step_start, dose in _steps(start, days, [first, first - 0.5, first - 1, first - 1.5, first - 2], 14):
        items = [
            _item(
                "kratom",
                dose,
                "g",
                ["08:00", "15:00", "21:00"],
                step_start,
                form="capsule",
                ceiling_dose=dose,
                max_doses_per_day=3,
                reason="clinician-led kratom taper",
            )
        ]
        plan.append(
            (
                step_start,
                _regimen(
                    f"Kratom taper: {dose:g} g three times a day", step_start, items, "patient wants to stop kratom"
                ),
            )
        )
    return plan


def _heavy_capsules(rng: Random, start: date, days: int) -> RegimenPlan:
    items = [
        _item(
            "kratom",
            5.0,
            "g",
            ["07:00", "11:00", "15:00", "19:00", "23:00"],
            start,
            form="capsule",
            ceiling_dose=5.0,
            max_doses_per_day=5,
            reason="documenting current heavy use; discussing buprenorphine",
        )
    ]
    return [(start, _regimen("Current kratom use (heavy)", start, items, "baseline before a treatment decision"))]


def _buprenorphine(rng: Random, start: date, days: int) -> RegimenPlan:
    dose = rng.choice([8.0, 12.0, 16.0])
    items = [
        _item(
            "buprenorphine",
            dose,
            "mg",
            ["08:00"],
            start,
            form="sublingual_film",
            ceiling_dose=24.0,
            reason="maintenance treatment for opioid use disorder",
        ),
        _melatonin(start, 3.0),
    ]
    return [(start, _regimen("Buprenorphine maintenance", start, items, "MOUD"))]


def _methadone(rng: Random, start: date, days: int) -> RegimenPlan:
    dose = rng.choice([60.0, 80.0])
    items = [
        _item(
            "methadone",
            dose,
            "mg",
            ["07:30"],
            start,
            form="oral_solution",
            ceiling_dose=dose,
            reason="opioid treatment programme dose",
        ),
        _item("sertraline", 50.0, "mg", ["08:00"], start, reason="depression"),
    ]
    return [(start, _regimen("Methadone maintenance with sertraline", start, items, "MOUD"))]


PROFILES = (
    Profile("kratom_daily", _kratom_daily, adherence=0.9, withdrawal_base=0.2, kratom_user=True),
    Profile("oxycodone_taper", _oxycodone_taper, adherence=0.95, withdrawal_base=0.25, opioid_user=True),
    Profile("buprenorphine", _buprenorphine, adherence=0.93, withdrawal_base=0.12, opioid_user=True),
    Profile("kratom_taper", _kratom_taper, adherence=0.88, withdrawal_base=0.25, kratom_user=True),
    Profile("methadone", _methadone, adherence=0.96, withdrawal_base=0.1, opioid_user=True),
    Profile("kratom_heavy", _heavy_capsules, adherence=0.85, withdrawal_base=0.3, kratom_user=True),
)
