"""Active windows in time: which agents are active when, cut to the look-back that ends at `now`.

A dose is active from when it was taken for four half-lives (upper value of the catalog's range), or for
alcohol one hour per standard drink plus two; windows are half-open, [taken, end). Only doses at or
before `now` count. Per agent, overlapping windows are merged, so daily use of a long half-life
substance is one continuous window.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import TypeVar
from zoneinfo import ZoneInfo

from morrow.catalog import load_catalog
from morrow.safety.situation import Checkin, Dose, Situation, Symptom

Intervals = dict[str, list[tuple[float, float]]]
E = TypeVar("E", Checkin, Symptom)
WEEK = 7 * 86400.0
TWO_DAYS = 50 * 3600.0  # a local day plus a DST hour before the oldest recent dose


@dataclass
class Timeline:
    """Slices of the situation's doses (all at or before now) around `now`, and the merged active windows."""

    situation: Situation
    now: float
    since: float
    zone: ZoneInfo
    doses: tuple[Dose, ...]
    recent_doses: tuple[Dose, ...]
    this_week: tuple[Dose, ...]
    prior_week: tuple[Dose, ...]
    last_two_days: tuple[Dose, ...]
    intervals: Intervals = field(default_factory=dict)

    @classmethod
    def build(cls, situation: Situation, now: datetime, lookback_hours: float) -> Timeline:
        t_now = now.timestamp()
        since = t_now - lookback_hours * 3600.0
        times, doses = situation.times, situation.doses
        hi = bisect_right(times, t_now)
        week = bisect_right(times, t_now - WEEK)
        intervals: Intervals = {}
        for key, group in situation.by_agent.items():
            spans: list[tuple[float, float]] = []
            start = end = -1.0
            first = bisect_right(group.times, since - group.longest)
            for dose in group.doses[first : bisect_right(group.times, t_now)]:
                if dose.end <= since:
                    continue
                if start >= 0 and dose.t <= end:
                    if dose.end > end:
                        end = dose.end
                    continue
                if start >= 0:
                    spans.append((start, end))
                start, end = dose.t, dose.end
            if start >= 0:
                spans.append((start, end))
                intervals[key] = spans
        return cls(
            situation=situation,
            now=t_now,
            since=since,
            zone=situation.patient.timezone,
            doses=doses[:hi],
            recent_doses=doses[bisect_right(times, since) : hi],
            this_week=doses[week:hi],
            prior_week=doses[bisect_right(times, t_now - 2 * WEEK) : week],
            last_two_days=doses[bisect_right(times, t_now - TWO_DAYS) : hi],
            intervals=intervals,
        )

    def recent(self, t: float) -> bool:
        """Inside the look-back: after its start, at or before now."""
        return self.since < t <= self.now

    def recent_of(self, events: tuple[E, ...]) -> list[E]:
        """The events (sorted by time) inside the look-back."""
        times = [e.t for e in events]
        return list(events[bisect_right(times, self.since) : bisect_right(times, self.now)])

    def active_at(self, t: float) -> set[str]:
        """Substance ids (not agents) with a window containing `t`; `t` must lie in the look-back."""
        return {key.partition("@")[0] for key, spans in self.intervals.items() if any(s <= t < e for s, e in spans)}

    def substance_spans(self, wanted: set[str]) -> dict[str, list[tuple[float, float]]]:
        found: dict[str, list[tuple[float, float]]] = {}
        for key, spans in self.intervals.items():
            substance = key.partition("@")[0]
            if substance in wanted:
                found.setdefault(substance, []).extend(spans)
        return found


@lru_cache(maxsize=1)
def sedating_ids() -> frozenset[str]:
    return frozenset(s.id for s in load_catalog().substances if s.sedating)


def sedative_load(timeline: Timeline, minimum: int) -> set[str]:
    """Every sedating substance taking part in a moment of the look-back when `minimum` or more overlap."""
    wanted = sedating_ids() & {key.partition("@")[0] for key in timeline.intervals}
    if len(wanted) < minimum:
        return set()
    events: list[tuple[float, int, str]] = []
    for substance, spans in timeline.substance_spans(set(wanted)).items():
        for start, end in spans:
            events += [(max(start, timeline.since), 1, substance), (end, 0, substance)]
    events.sort()
    counts: dict[str, int] = {}
    involved: set[str] = set()
    for _, kind, substance in events:
        counts[substance] = counts.get(substance, 0) + (1 if kind else -1)
        if kind:
            active = {s for s, n in counts.items() if n > 0}
            if len(active) >= minimum:
                involved |= active
    return involved
