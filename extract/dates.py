"""Dates as ISO 8601: date only when no time is known, with the offset when it is."""

from __future__ import annotations

import re
from datetime import date, datetime

__all__ = ["dateline_date", "day_of", "first_visible_date", "iso_date", "with_visible_time"]

_ISO_LIKE = re.compile(
    r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"
    r"(?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
    r"\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2})?"
)
_COMPACT = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})(?:T?(\d{2})(\d{2})(\d{2})?)?\s*(Z|[+-]\d{2}:?\d{2})?\s*$")


def _offset(raw: str | None) -> str:
    if not raw:
        return ""
    if raw in ("Z", "UTC", "GMT"):
        return "+00:00"
    digits = raw.replace(":", "")
    return f"{digits[:3]}:{digits[3:5]}"


def iso_date(value: str | None) -> str | None:
    """Normalise a machine-readable date (ISO-like, compact) to ISO 8601; None if invalid."""
    if not value:
        return None
    value = value.strip()
    match = _ISO_LIKE.match(value) or _COMPACT.match(value)
    if not match:
        return None
    y, mo, d, h, mi, s, tz = match.groups()
    try:
        day = date(int(y), int(mo), int(d))
    except ValueError:
        return None
    if not 1990 <= day.year <= 2100:
        return None
    if h is None:
        return day.isoformat()
    try:
        moment = datetime(day.year, day.month, day.day, int(h), int(mi), int(s or 0))
    except ValueError:
        return day.isoformat()
    return moment.isoformat() + _offset(tz)


def day_of(value: str | None) -> str | None:
    """The calendar-day part of an ISO date, as written (no time-zone conversion)."""
    return value[:10] if value else None


_VISIBLE_STAMP = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?\s*(\d{1,2}):(\d{2})(?::(\d{2}))?")


def with_visible_time(day: str | None, lines: tuple[str, ...]) -> str | None:
    """``day`` refined to the first visible "YYYY-MM-DD HH:MM[:SS]" stamp on that day."""
    if day is None or len(day) != 10:
        return day
    for line in lines:
        if len(line) > 200:
            continue
        for m in _VISIBLE_STAMP.finditer(line):
            y, mo, d, h, mi, s = m.groups()
            stamp = iso_date(f"{y}-{int(mo):02d}-{int(d):02d}T{int(h):02d}:{mi}:{s or '00'}")
            if stamp and stamp[:10] == day:
                return stamp
    return day


_VISIBLE_DAY = re.compile(r"(?<!\d)((?:19|20)\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})(?:日)?(?:\s*(\d{1,2}):(\d{2})(?::(\d{2}))?)?(?!\d)")


def first_visible_date(lines: tuple[str, ...], not_after: datetime) -> str | None:
    """The first numeric date stamp in short visible lines (bylines, info bars)."""
    for line in lines:
        if len(line) > 200:
            continue
        for m in _VISIBLE_DAY.finditer(line):
            y, mo, d, h, mi, s = m.groups()
            stamp = f"{y}-{int(mo):02d}-{int(d):02d}" + (f"T{int(h):02d}:{mi}:{s or '00'}" if h else "")
            iso = iso_date(stamp)
            if iso and iso[:10] <= not_after.date().isoformat():
                return iso
    return None


def dateline_date(month_day_year: tuple[int, int, int | None], fetched: str | None) -> str | None:
    """The day a dateline names ("MOSCOW, August 8"): its own year, else the fetch's.

    A dateline without a year is the latest such day not after the fetch (wire copy
    is fetched days, not years, after it was filed); without a fetch time it stays
    unknown rather than guessed from the clock.
    """
    month, day, year = month_day_year
    if year is None:
        if not fetched:
            return None
        year = int(fetched[:4])
        if (month, day) > (int(fetched[5:7]), int(fetched[8:10])):
            year -= 1
    return iso_date(f"{year}-{month:02d}-{day:02d}")
