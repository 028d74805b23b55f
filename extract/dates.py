"""Dates as ISO 8601: date only when no time is known, with the offset when it is."""

from __future__ import annotations

import re
from datetime import date, datetime

__all__ = ["date_in_text", "dateline_date", "day_of", "first_visible_date", "iso_date", "stated_year", "url_year", "with_visible_time"]

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


# A year in the URL's path, alone or followed by a month: /2013/08/, /20130808/,
# /2013-08/08/. Compact 8-digit days must be a real day, so ids are not read as years.
_URL_YEAR = re.compile(r"(?<![\d])((?:19|20)\d{2})(?:[/_-]?(0[1-9]|1[0-2])(?:[/_-]?(0[1-9]|[12]\d|3[01]))?)?(?!\d)")


def url_year(url: str, month: int) -> int | None:
    """The year the URL's date path states, when its month (if it gives one) is ``month``."""
    path = url.split("://", 1)[-1].partition("/")[2].split("?")[0]
    for m in _URL_YEAR.finditer(path):
        year, mo = int(m.group(1)), m.group(2)
        if 1990 <= year <= 2100 and (mo is None or int(mo) == month):
            return year
    return None


def stated_year(month: int, day: int, lines: tuple[str, ...]) -> int | None:
    """The year of a full stamp of that very day shown on the page ("August 8, 2013")."""
    numeric = re.compile(rf"(?<!\d)((?:19|20)\d{{2}})[-/.年]0?{month}[-/.月]0?{day}(?!\d)")
    names = [name for name, number in MONTH_NUMBER.items() if number == month]
    named = re.compile(
        rf"(?<![^\W\d_])(?:{names[0]}[a-z]*\.?\s+0?{day}(?!\d),?|0?{day}\.?\s+{names[0]}[a-z]*\.?,?)\s+((?:19|20)\d{{2}})(?!\d)",
        re.I,
    )
    for line in lines:
        if len(line) > 300:
            continue
        m = numeric.search(line) or named.search(line)
        if m:
            return int(m.group(1))
    return None


def dateline_date(month_day_year: tuple[int, int, int | None], year: int | None = None) -> str | None:
    """The day a dateline names ("MOSCOW, August 8"): its own year, else ``year``.

    ``year`` must come from the page itself (URL date path, a visible full stamp of the
    same day); without one the date stays unknown. The fetch time is never a source:
    a copy fetched years later would be filed under the wrong year.
    """
    month, day, own = month_day_year
    year = own or year
    return iso_date(f"{year}-{month:02d}-{day:02d}") if year else None


_NAMED_DAY = re.compile(
    rf"(?<![^\W\d_])(?:({MONTH_NAMES})\.?\s+(\d{{1,2}})|(\d{{1,2}})\.?\s+({MONTH_NAMES})\.?),?\s+((?:19|20)\d{{2}})(?!\d)",
    re.I,
)


def date_in_text(text: str) -> str | None:
    """A date written in one element: ISO-like, numeric with a time, or a month name."""
    text = " ".join(text.split())
    found = iso_date(text) or first_visible_date((text,), _FAR)
    if found:
        return with_visible_time(found, (), (text,)) if len(found) == 10 else found
    m = _DOTTED_DAY.search(text)
    if m:
        day = iso_date(f"{m.group(3)}-{int(m.group(2)):02d}-{int(m.group(1)):02d}")
        if day and m.group(4):
            return iso_date(f"{day}T{int(m.group(4)):02d}:{m.group(5)}:00") or day
        return day
    m = _NAMED_DAY.search(text)
    if not m:
        return None
    month = MONTH_NUMBER[(m.group(1) or m.group(4))[:3].lower()]
    day = iso_date(f"{m.group(5)}-{month:02d}-{int(m.group(2) or m.group(3)):02d}")
    return with_visible_time(day, (), (text,))


_FAR = datetime(2100, 1, 1)
# Day first with dots, as Europe writes it: "30.11.2026", "30.11.2026 / 17:32".
_DOTTED_DAY = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.((?:19|20)\d{2})(?![\d.])(?:\D{1,5}(\d{1,2}):(\d{2}))?")
