"""Local wall-clock times in the patient's zone, made into instants without surprises at DST changes.

A wall time that does not exist (02:30 on a spring-forward day) is read as the clock shows it once
it has jumped: 03:30. A wall time that happens twice (01:30 on a fall-back day) is the first one.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from morrow.regimens.errors import RegimenError

__all__ = ["at_local", "days_between", "local_day_start", "parse_clock", "require_aware", "zone_of"]

_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def parse_clock(value: str, field: str = "times") -> time:
    match = _CLOCK.match(value)
    if match is None:
        raise RegimenError("invalid_value", f"{value!r} is not a 24-hour time such as '08:00'", field=field)
    return time(int(match.group(1)), int(match.group(2)))


def zone_of(zone: str | ZoneInfo) -> ZoneInfo:
    if isinstance(zone, ZoneInfo):
        return zone
    try:
        return ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise RegimenError("invalid_value", f"{zone!r} is not a known time zone", field="timezone") from None


def at_local(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """The instant (in UTC) the wall clock in `zone` shows `clock` on `day`.

    Returned in UTC on purpose: Python subtracts and compares two datetimes that share a tzinfo by wall
    time, ignoring the offset, which is wrong across a DST change.
    """
    wall = datetime.combine(day, clock, tzinfo=zone)  # fold=0: the first of two, or the offset before a gap
    return wall.astimezone(UTC)


def local_day_start(day: date, zone: ZoneInfo) -> datetime:
    return at_local(day, time(0, 0), zone)


def require_aware(moment: datetime, field: str) -> datetime:
    """`moment` in UTC; a naive datetime is refused rather than guessed."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise RegimenError("invalid_value", f"{field} needs a time zone offset", field=field)
    return moment.astimezone(UTC)


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
