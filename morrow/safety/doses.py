"""Dose, product, dependence, taper and return-to-use rules: counting doses in time and local days."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from morrow.catalog import convert_amount, load_catalog
from morrow.safety.findings import Finding, from_rule
from morrow.safety.knowledge import rule_book
from morrow.safety.situation import Dose, RegimenItem
from morrow.safety.timeline import Timeline

_EPSILON = 1e-9


def _fmt(amount: float, unit: str) -> str:
    return f"{round(amount, 3):g} {unit}"


def _local(tl: Timeline, t: float) -> str:
    return datetime.fromtimestamp(t, tl.zone).isoformat(timespec="minutes")


def product_findings(tl: Timeline) -> list[Finding]:
    th = rule_book().thresholds
    concentrates = [d for d in tl.recent_doses if d.variant == th.concentrate_variant]
    if not concentrates:
        return []
    last = concentrates[-1]
    return [from_rule("PRODUCT-7OH", [last.substance], last=last.taken_at, amount=last.amount)]


def _regimen_doses(doses: tuple[Dose, ...], item: RegimenItem) -> list[Dose]:
    return [d for d in doses if d.substance == item.substance and (item.form is None or item.form == d.form)]


def regimen_findings(tl: Timeline) -> list[Finding]:
    found: list[Finding] = []
    for item in tl.situation.regimen:
        doses = _regimen_doses(tl.last_two_days, item)
        recent = _regimen_doses(tl.recent_doses, item)
        if item.max_dose is not None and item.unit is not None:
            over = [d for d in recent if convert_amount(d.amount, d.unit, item.unit) > item.max_dose + _EPSILON]
            if over:
                big = max(over, key=lambda d: (d.amount, d.t))
                found.append(
                    from_rule(
                        "DOSE-ABOVE-MAX",
                        [item.substance],
                        agents=item.substance,
                        at=big.taken_at,
                        amount=_fmt(big.amount, big.unit),
                        limit=_fmt(item.max_dose, item.unit),
                    )
                )
        if item.max_doses_per_day is not None:
            per_day = Counter(d.local_date for d in doses)
            for day in sorted({d.local_date for d in recent}):
                count = per_day[day]
                if count > item.max_doses_per_day:
                    found.append(
                        from_rule(
                            "DOSE-TOO-MANY-PER-DAY",
                            [item.substance],
                            scope=day.isoformat(),
                            agents=item.substance,
                            count=count,
                            date=day.isoformat(),
                            limit=item.max_doses_per_day,
                        )
                    )
    return found


def kratom_findings(tl: Timeline) -> list[Finding]:
    th = rule_book().thresholds
    kratom = th.kratom_substance
    this_week = [d for d in tl.this_week if d.substance == kratom]
    if not this_week:
        return []
    found: list[Finding] = []
    large = [
        d
        for d in tl.recent_doses
        if d.substance == kratom and d.unit == "g" and d.amount >= th.kratom_high_dose_g - _EPSILON
    ]
    if large:
        big = max(large, key=lambda d: (d.amount, d.t))
        found.append(
            from_rule("DOSE-KRATOM-HIGH", [th.kratom_substance], amount=_fmt(big.amount, "g"), at=big.taken_at)
        )
    if len(this_week) >= th.kratom_weekly_doses:
        found.append(
            from_rule("DOSE-KRATOM-FREQUENT", [th.kratom_substance], count=len(this_week), at=_local(tl, tl.now))
        )
    found += _escalation(tl, [d for d in this_week if d.unit == "g"])
    return found


def _escalation(tl: Timeline, grams: list[Dose]) -> list[Finding]:
    th = rule_book().thresholds
    now_week = sum(d.amount for d in grams)
    earlier = [d for d in tl.prior_week if d.substance == th.kratom_substance and d.unit == "g"]
    before = sum(d.amount for d in earlier)
    if before <= 0 or len({d.local_date for d in earlier}) < th.escalation_min_days:
        return []
    if now_week + _EPSILON < th.escalation_ratio * before:
        return []
    return [
        from_rule(
            "DEP-KRATOM-ESCALATION",
            [th.kratom_substance],
            this_week=f"{round(now_week, 2):g}",
            last_week=f"{round(before, 2):g}",
            ratio=f"{now_week / before:.2f}",
            at=_local(tl, tl.now),
        )
    ]


def _opioid(dose: Dose, extra: list[str]) -> bool:
    th = rule_book().thresholds
    classes = load_catalog().substance(dose.substance).classes
    return any(c in th.opioid_classes for c in classes) or dose.variant in th.opioid_variants or dose.substance in extra


def use_findings(tl: Timeline) -> list[Finding]:
    """Return to use after abstinence or a completed taper; pregnancy with kratom or opioids."""
    th = rule_book().thresholds
    patient = tl.situation.patient
    prescribed = {item.substance for item in tl.situation.regimen}
    recent = [d for d in tl.recent_doses if d.substance not in prescribed]
    found: list[Finding] = []
    since = patient.opioid_abstinent_since
    if since is not None:
        back = [d for d in recent if _opioid(d, []) and (d.local_date - since).days >= th.abstinent_days]
        if back:
            d = back[-1]
            found.append(
                from_rule(
                    "RF-RETURN-TO-USE",
                    sorted({b.substance for b in back}),
                    agents=d.substance,
                    at=d.taken_at,
                    days=(d.local_date - since).days,
                    since=since.isoformat(),
                )
            )
    done = patient.taper_completed_on
    if done is not None:
        after = [d for d in recent if _opioid(d, th.taper_extra_substances) and d.local_date > done]
        if after:
            d = after[-1]
            found.append(
                from_rule(
                    "TAPER-RETURN-TO-USE",
                    sorted({a.substance for a in after}),
                    agents=d.substance,
                    at=d.taken_at,
                    date=d.local_date.isoformat(),
                    completed=done.isoformat(),
                )
            )
    if patient.pregnant:
        catalog = load_catalog()
        keys = {k.partition("@")[0] for k in tl.intervals}
        used = sorted(k for k in keys if any(c in th.pregnancy_classes for c in catalog.substance(k).classes))
        if used:
            last = max(d.t for d in tl.doses if d.substance in used)
            found.append(from_rule("RF-PREGNANCY", used, agents=" and ".join(used), last=_local(tl, last)))
    return found
