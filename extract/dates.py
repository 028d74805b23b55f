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


# English month names, shared with the credit and byline rules.
MONTH_NAMES = (
    "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    "sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
MONTH_NUMBER = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1
)}
_TIME = r"(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AaPp])\.?[Mm]\.?)?"
# A zone written after the time: "UTC", "GMT+8", "+08:00", "UTC+0530".
_ZONE = r"(?:\s*(?:(UTC|GMT|Z)(?![A-Za-z]))?\s*([+-]\d{1,2}(?::?\d{2})?)?)"
_VISIBLE_STAMP = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?\s*" + _TIME + _ZONE)
# The same stamp split over several elements of one small block and joined with
# spaces: "<em>2026</em> <em>11</em>/<em>30</em> <span>17:32:00</span>".
_LOOSE_STAMP = re.compile(r"(?<!\d)(\d{4})\D{1,3}?(\d{1,2})\D{1,3}?(\d{1,2})(?!\d)\D{0,3}?\s*" + _TIME + _ZONE)
# "Nov 30, 2026 05:32 PM", "30 November 2026, 17:32".
_NAMED_STAMP = re.compile(
    rf"(?<![^\W\d_])(?:({MONTH_NAMES})\.?\s+(\d{{1,2}})|(\d{{1,2}})\.?\s+({MONTH_NAMES})\.?),?\s+(\d{{4}})\s*[,|·•]?\s*(?:at\s+)?"
    + _TIME + _ZONE,
    re.I,
)


def _zone(name: str | None, offset: str | None) -> str:
    if offset:
        sign, digits = offset[0], offset[1:].replace(":", "")
        hours, minutes = (digits[:-2], digits[-2:]) if len(digits) > 2 else (digits, "00")
        if int(hours) > 14 or int(minutes) >= 60:
            return ""
        return f"{sign}{int(hours):02d}:{minutes}"
    return "+00:00" if name else ""


def _stamp(y: str, mo: int, d: str, h: str, mi: str, s: str | None, ampm: str | None,
           name: str | None, offset: str | None) -> str | None:
    hour = int(h)
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm.lower() == "p" else 0)
    stamp = iso_date(f"{y}-{mo:02d}-{int(d):02d}T{hour:02d}:{mi}:{s or '00'}")
    return stamp + _zone(name, offset) if stamp and "T" in stamp else None


def _stamps(lines: tuple[str, ...], blocks: tuple[str, ...]):
    for line in lines:
        if len(line) <= 200:
            for m in _VISIBLE_STAMP.finditer(line):
                y, mo, d, *rest = m.groups()
                yield _stamp(y, int(mo), d, *rest)
    for block in blocks:
        for m in _LOOSE_STAMP.finditer(block):
            y, mo, d, *rest = m.groups()
            yield _stamp(y, int(mo), d, *rest)
        for m in _NAMED_STAMP.finditer(block):
            month = m.group(1) or m.group(4)
            yield _stamp(m.group(5), MONTH_NUMBER[month[:3].lower()], m.group(2) or m.group(3), *m.groups()[5:])


def with_visible_time(day: str | None, lines: tuple[str, ...], blocks: tuple[str, ...] = ()) -> str | None:
    """``day`` refined to the first visible time stamp on that day.

    ``lines`` are single text nodes ("2026-11-30 17:32:00"); ``blocks`` the joined
    text of small elements holding a time, where a stamp may be split over several
    nodes or written with a month name ("Nov 30, 2026 05:32 PM"). The time is kept
    as the page states it: with its zone when one is written, else naive local time
    (a zone guessed from the outlet's country would be invented precision).
    """
    if day is None or len(day) != 10:
        return day
    for stamp in _stamps(lines, blocks):
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
