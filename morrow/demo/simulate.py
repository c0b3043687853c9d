"""Turn one demo patient's profile into a time-ordered list of entries, as they would be made."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from random import Random
from typing import Any
from zoneinfo import ZoneInfo

from morrow.demo.profiles import Profile, RegimenPlan


@dataclass(frozen=True)
class Entry:
    at: datetime
    kind: str  # regimen | dose | response | diary | symptoms
    payload: dict[str, Any]
    by_clinician: bool = False


@dataclass(frozen=True)
class Episodes:
    """Scripted events that make the demo clinic exercise the safety rules."""

    alcohol_after_kratom: bool = False
    benzodiazepine: bool = False
    seven_oh: bool = False
    return_to_use: bool = False
    phq9_item9: bool = False
    liver_signs: bool = False
    oversedation: bool = False
    escalation: bool = False


def episodes_for(index: int) -> Episodes:
    """Fixed by position so that every demo, whatever its size, has each kind of episode early on."""
    return Episodes(
        alcohol_after_kratom=index % 6 == 0,
        benzodiazepine=index % 10 == 3,
        seven_oh=index % 12 == 5,
        return_to_use=index % 8 == 3,
        phq9_item9=index % 9 == 1,
        liver_signs=index % 15 == 6,
        oversedation=index % 7 == 2,
        escalation=index % 11 == 3,
    )


class PatientDays:
    def __init__(self, rng: Random, index: int, profile: Profile, zone: str, bedtime: str, start: date, days: int):
        self.rng, self.index, self.profile = rng, index, profile
        self.zone, self.start, self.days = ZoneInfo(zone), start, days
        self.bedtime = bedtime
        self.episodes = episodes_for(index)
        self.plan: RegimenPlan = profile.regimens(rng, start, days)
        self.entries: list[Entry] = []

    def at(self, day: date, clock: str, jitter_min: int = 0) -> datetime:
        hour, minute = (int(part) for part in clock.split(":"))
        local = datetime.combine(day, time(hour, minute), self.zone)
        shift = self.rng.randint(-jitter_min, jitter_min) if jitter_min else 0
        return local + timedelta(minutes=shift)

    def key(self, day: int, what: str, n: int = 0) -> str:
        return f"demo-{self.index:03d}-{day:03d}-{what}-{n}"

    def withdrawal(self, day: int) -> float:
        """0 (none) to 1 (severe): a baseline, a bump after each step down, and noise."""
        bump = 0.0
        for step_start, _ in self.plan[1:]:
            since = (self.start + timedelta(days=day) - step_start).days
            if 0 <= since < 7:
                bump = max(bump, 0.3 * math.exp(-since / 2.5))
        trend = -0.1 * day / max(self.days, 1) if self.profile.name in ("buprenorphine", "methadone") else 0.0
        value = self.profile.withdrawal_base + bump + trend + self.rng.gauss(0, 0.06)
        return min(1.0, max(0.0, value))

    def build(self) -> list[Entry]:
        for step_start, regimen in self.plan:
            # Set at the visit the afternoon before it starts.
            visit = self.at(step_start - timedelta(days=1), "16:00")
            self.entries.append(Entry(visit, "regimen", regimen, by_clinician=True))
        for day in range(self.days):
            self._day(day)
        return sorted(self.entries, key=lambda entry: entry.at)

    def _regimen_on(self, day: date) -> tuple[date, dict[str, Any]]:
        current = self.plan[0]
        for step in self.plan:
            if step[0] <= day:
                current = step
        return current

    def _day(self, day: int) -> None:
        today = self.start + timedelta(days=day)
        w = self.withdrawal(day)
        self._doses(day, today, w)
        self._episodes(day, today)
        if self.rng.random() < 0.85:  # some days, no check-in: that is data too
            self._checkins(day, today, w)
        if day + 1 < self.days and self.rng.random() < 0.8:
            self._diary(day, today, w)

    def _doses(self, day: int, today: date, w: float) -> None:
        regimen_start, regimen = self._regimen_on(today)
        for number, item in enumerate(regimen["items"]):
            times = item.get("times") or [self._before_bed(item["minutes_before_bedtime"])]
            for n, clock in enumerate(times):
                if self.rng.random() > self.profile.adherence:
                    continue  # a missed dose
                amount = item["dose"]
                kind = "planned"
                if item["substance"] == "kratom" and self.episodes.escalation and day >= self.days - 7:
                    amount, kind = round(amount * 2, 1), "off_plan"
                elif item["substance"] == "kratom" and w > 0.45 and self.rng.random() < 0.25:
                    amount, kind = round(amount + 1.0, 1), "off_plan"
                payload = {
                    "substance": item["substance"],
                    "form": item.get("form"),
                    "amount": amount,
                    "unit": item["unit"],
                    "taken_at": self.at(today, clock, 40).isoformat(),
                    "kind": kind,
                    "regimen_item": (regimen_start.isoformat(), number),
                    "idempotency_key": self.key(day, f"dose{number}", n),
                }
                self.entries.append(Entry(datetime.fromisoformat(payload["taken_at"]), "dose", payload))

    def _before_bed(self, minutes: int) -> str:
        hour, minute = (int(p) for p in self.bedtime.split(":"))
        total = (hour * 60 + minute - minutes) % (24 * 60)
        return f"{total // 60:02d}:{total % 60:02d}"

    def _unplanned(
        self, day: int, today: date, clock: str, substance: str, amount: float, unit: str, form: str | None = None
    ) -> datetime:
        at = self.at(today, clock, 20)
        payload = {
            "substance": substance,
            "form": form,
            "amount": amount,
            "unit": unit,
            "taken_at": at.isoformat(),
            "kind": "unplanned",
            "idempotency_key": self.key(day, f"x-{substance}"),
        }
        self.entries.append(Entry(at, "dose", payload))
        return at

    def _symptoms(self, day: int, at: datetime, symptoms: dict[str, int], note: str) -> None:
        payload = {
            "reported_at": at.isoformat(),
            "symptoms": symptoms,
            "note": note,
            "idempotency_key": self.key(day, "symptoms-" + "-".join(sorted(symptoms))[:40]),
        }
        self.entries.append(Entry(at, "symptoms", payload))

    def _episodes(self, day: int, today: date) -> None:
        e, last = self.episodes, self.days - 1
        if e.alcohol_after_kratom and day in (last - 20, last - 2):
            self._unplanned(day, today, "21:30", "alcohol", float(self.rng.choice([2, 3, 4])), "standard_drink")
        if e.benzodiazepine and day == last - 9:
            self._unplanned(day, today, "22:15", "clonazepam", 0.5, "mg")
        if e.seven_oh and day == last - 5:
            at = self._unplanned(day, today, "19:00", "kratom", 15.0, "mg", form="7oh_concentrate")
            self._symptoms(
                day,
                at + timedelta(hours=1),
                {"severe_drowsiness": 3, "slow_breathing": 2},
                "partner says breathing was slow",
            )
        if e.return_to_use and self.profile.kratom_user and day == last - 3:
            self._unplanned(day, today, "23:00", "heroin", 50.0, "mg")
        if e.liver_signs and day == last - 12:
            self._symptoms(
                day, self.at(today, "10:00"), {"jaundice": 2, "dark_urine": 2, "nausea": 1}, "eyes look yellow"
            )
        if e.oversedation and day == last - 1:
            self._symptoms(
                day,
                self.at(today, "23:30"),
                {"severe_drowsiness": 3, "disorientation": 2},
                "hard to stay awake after evening doses",
            )
        if self.rng.random() < 0.05:
            code = self.rng.choice(["drowsiness", "constipation", "headache", "stomach_upset", "dizziness"])
            self._symptoms(day, self.at(today, "18:00", 60), {code: self.rng.randint(1, 2)}, "side effect")

    def _items(self, count: int, mean: float, top: int) -> list[int]:
        return [min(top, max(0, round(self.rng.gauss(mean, 0.7)))) for _ in range(count)]

    def _response(self, day: int, at: datetime, instrument: str, answers: dict[str, Any]) -> None:
        payload = {
            "instrument": instrument,
            "answers": answers,
            "administered_at": at.isoformat(),
            "idempotency_key": self.key(day, instrument),
        }
        self.entries.append(Entry(at, "response", payload))

    def _checkins(self, day: int, today: date, w: float) -> None:
        evening = self.at(today, "20:30", 60)
        self._response(day, evening, "sows", {"items": self._items(16, 4 * w, 4)})
        craving = min(100, max(0, round(100 * w + self.rng.gauss(10, 8))))
        self._response(day, evening + timedelta(minutes=2), "craving-vas", {"value": craving})
        if day % 7 == 3:
            pain = 3 + 5 * w
            self._response(day, evening + timedelta(minutes=4), "peg", {"items": self._items(3, pain, 10)})
        if day % 14 == 5:
            mood = 0.5 + 1.5 * w
            items = self._items(9, mood, 3)
            items[8] = 2 if self.episodes.phq9_item9 and day >= self.days - 14 else 0
            self._response(day, evening + timedelta(minutes=6), "phq9", {"items": items})
            self._response(day, evening + timedelta(minutes=8), "gad7", {"items": self._items(7, mood, 3)})
            self._response(day, evening + timedelta(minutes=10), "isi", {"items": self._items(7, 1 + 2 * w, 4)})

    def _diary(self, day: int, today: date, w: float) -> None:
        """Last night's sleep, filled in the next morning."""
        into_bed = self.at(today, self.bedtime, 40)
        try_sleep = into_bed + timedelta(minutes=self.rng.randint(0, 25))
        sol = max(5, round(self.rng.gauss(15 + 60 * w, 10)))
        nwak = self.rng.randint(0, 1 + round(4 * w))
        waso = 0 if nwak == 0 else max(5, round(self.rng.gauss(10 + 15 * nwak, 8)))
        tst = max(150, round(self.rng.gauss(420 - 180 * w, 30)))
        final_wake = try_sleep + timedelta(minutes=sol + waso + tst)
        out_of_bed = final_wake + timedelta(minutes=self.rng.randint(5, 40))
        quality = min(5, max(1, round(4 - 3 * w + self.rng.gauss(0, 0.6))))
        answers = {
            "into_bed": f"{into_bed:%H:%M}",
            "try_sleep": f"{try_sleep:%H:%M}",
            "sol_min": sol,
            "nwak": nwak,
            "waso_min": waso,
            "final_wake": f"{final_wake:%H:%M}",
            "out_of_bed": f"{out_of_bed:%H:%M}",
            "quality": quality,
        }
        payload = {"night_of": today.isoformat(), "answers": answers, "idempotency_key": self.key(day, "diary")}
        self.entries.append(Entry(out_of_bed + timedelta(minutes=15), "diary", payload))
