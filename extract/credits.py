"""Source credits and datelines stated in the visible text.

Wire copy names its origin in a few fixed shapes, whatever the agency:
a dateline ``MOSCOW, August 8 (RIA Novosti) –``; a trailing parenthesis ``... (ANI)``;
a credit line holding only a name and a date (``Xinhua, December 9, 2011``); a
labelled source (``Source: Reuters``, ``来源：新华社``); and the Chinese lead
``<agency>X月X日电/报道``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extract.dates import MONTH_NAMES as _MONTHS
from extract.dates import MONTH_NUMBER as _MONTH_NUM

__all__ = ["Credit", "find_byline", "find_credit", "is_calendar_name", "opens_with_dateline", "trim_byline"]

_NAME = r"[A-Z][\w.&'-]*(?:\s+[A-Z][\w.&'-]*){0,3}"
# CITY, Month D (Agency) – ...   /   CITY, D Month (Agency) – ...
_DATELINE = re.compile(
    rf"^\s*([A-Z][A-Za-z .'-]{{1,40}}),\s+(?:({_MONTHS})\.?\s+(\d{{1,2}})|(\d{{1,2}})\s+({_MONTHS})\.?)"
    rf"(?:,?\s+(\d{{4}}))?\s*\(({_NAME})\)\s*[-–—:]",
    re.I,
)
_TRAILING = re.compile(rf"\(({_NAME})\)\s*$")
_CREDIT_LINE = re.compile(rf"^\s*({_NAME}),?\s+({_MONTHS})\.?\s+(\d{{1,2}}),\s*(\d{{4}})\s*$", re.I)
_LABELLED = re.compile(r"(?:^|\s)(?:source|sources|quelle|fuente|fonte|來源|来源|出处|출처|出典)\s*[:：]\s*([^\s|,，/]{2,40}(?:\s[^\s|,，/]{1,20}){0,2})", re.I)
_NUM = r"[\d一二三四五六七八九十〇]{1,3}"
_ZH_LEAD = re.compile(
    rf"^\s*([\u4e00-\u9fff]{{2,8}}?(?:网|網|社|报|報|台))[\u4e00-\u9fff]{{0,8}}?(?:{_NUM}月)?{_NUM}日(?:电|電|报道|報導|讯|訊)"
)
# Wider dateline shapes, for telling whether a block begins a story (a lead) rather
# than summarising it. An agency credit in parentheses or slashes right after a
# capitalised place (and optional date): "Berlin (dpa) -", "ASTANA, December 1. /TASS/.",
# "NEW DELHI [India], Oct 5 (ANI):".
_AGENCY_DATELINE = re.compile(
    r"^\s*([^\W\d_][^\W\d_.'-]*(?:[ .'-]+[^\W\d_]+){0,3})\.?(?:\s*\[[^\]]{1,30}\])?(?:,\s*[^()/\n]{1,30}?)?\s*"
    r"(?:\((?P<paren>[^\W\d_][\w.&' -]{1,30}?)\)\s*[-–—:]|/(?P<slash>[^\W\d_][\w.&' -]{1,30}?)/\s*[.,:\-–—])"
)
# An upper-case place name and a dash: "WASHINGTON —", "KYIV, Ukraine —".
_CAPS_DATELINE = re.compile(r"^\s*([^\W\d_][^\W\d_ .'-]*(?:[ .'-]+[^\W\d_]+){0,3})(?:,\s*[^,—–]{1,30})?\s+[—–]\s+\S")
# A bracketed place=agency opener: "【ワシントン=共同】", "[北京=聯合]".
_BRACKET_DATELINE = re.compile(r"^\s*[【\[［(（][^】\]］)）=＝]{1,20}[=＝][^】\]］)）]{1,16}[】\]］)）]")
_WEEKDAYS = r"mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:rs(?:day)?)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?"
_NOT_NAMES = re.compile(
    r"^(?:updated|published|posted|last|edited|by|on|photo|image|file|video|"
    + _WEEKDAYS + "|" + _MONTHS + r")$",
    re.I,
)
# Calendar words: never part of a credit or a person's name.
_CALENDAR_WORD = re.compile(rf"^(?:{_WEEKDAYS}|{_MONTHS})\.?,?$", re.I)


@dataclass(frozen=True)
class Credit:
    source: str | None
    dateline: str | None  # the dateline as written, e.g. "MOSCOW, August 8 (RIA Novosti)"
    date_text: tuple[int, int, int | None] | None  # (month, day, year or None) from text


def _plausible(name: str) -> bool:
    words = name.split()
    return (
        1 <= len(words) <= 4
        and not _NOT_NAMES.match(words[0])
        and not any(_CALENDAR_WORD.match(w) for w in words)
        and not name.isdigit()
    )


# A label inside a credit value ("巴彦淖尔日报 编辑：苏亮"): the credit ends before it.
_NEXT_LABEL = re.compile(r"\s*[^\W\d_]{1,12}\s*[:：]")
_MARKUP = re.compile(r"[<>=\"{}\\]")


def _credit_value(raw: str) -> str | None:
    """A labelled source's value, if it reads as a name: no markup, label or bare number."""
    value = _NEXT_LABEL.split(raw, maxsplit=1)[0].strip(" ,;|/-–—")
    if not value or _MARKUP.search(value) or not any(ch.isalpha() for ch in value):
        return None
    if any(_CALENDAR_WORD.match(w) for w in value.split()):
        return None
    return value


def find_credit(paragraphs: list[str], page_lines: tuple[str, ...]) -> Credit:
    """The credit the page states: body datelines first, then credit lines around it."""
    if paragraphs:
        match = _DATELINE.match(paragraphs[0])
        if match and _plausible(match.group(7)):
            month = match.group(2) or match.group(5)
            day = match.group(3) or match.group(4)
            year = match.group(6)
            dateline = paragraphs[0][: match.end()].rstrip(" -–—:")
            return Credit(
                match.group(7),
                dateline,
                (_MONTH_NUM[month[:3].lower()], int(day), int(year) if year else None),
            )
        zh = _ZH_LEAD.match(paragraphs[0])
        if zh:
            return Credit(zh.group(1), None, None)
        match = _TRAILING.search(paragraphs[-1])
        if match and _plausible(match.group(1)) and len(match.group(1)) <= 30:
            return Credit(match.group(1), None, None)
    for line in page_lines:
        match = _CREDIT_LINE.match(line)
        if match and _plausible(match.group(1)):
            month = _MONTH_NUM[match.group(2)[:3].lower()]
            return Credit(match.group(1), None, (month, int(match.group(3)), int(match.group(4))))
    for line in page_lines:
        if len(line) > 120:
            continue
        match = _LABELLED.search(line)
        value = _credit_value(match.group(1)) if match else None
        if value:
            return Credit(value, None, None)
    return Credit(None, None, None)


# Chinese bylines are labelled rather than introduced with "By": 作者/记者/编辑 then
# one to three names of two to four characters. A label is a label only at a token
# boundary: after the start, a space, a bracket or punctuation ("（记者张晓堃）"), or
# followed by a separator ("光明日报记者 王建宏", "作者：宋怡"); inside a longer word
# ("例行记者会上表示") it is not. The single-character 文 needs both.
_ZH_LABEL = r"作者|记者|記者|责任编辑|責任編輯|编辑|編輯|撰文"
_ZH_NAMES = r"((?:[\u4e00-\u9fff]{2,4})(?:[\s、，,]+[\u4e00-\u9fff]{2,4}){0,2})(?![\u4e00-\u9fff])"
_ZH_BYLINE = re.compile(
    rf"(?:(?<![\u4e00-\u9fff])(?:{_ZH_LABEL})\s*[:：/]?\s*|(?:{_ZH_LABEL})(?:\s*[:：/]\s*|\s+)"
    rf"|(?<![\u4e00-\u9fff])文\s*[:：/]\s*)" + _ZH_NAMES
)
# A reporter credit in brackets, as wire leads carry it: "新华社北京11月30日电（记者张晓堃）".
_ZH_BRACKET_BYLINE = re.compile(
    r"[（(]\s*(?:记者|記者|作者|文)\s*[:：/]?\s*((?:[\u4e00-\u9fff]{2,4})(?:[\s、，,]+[\u4e00-\u9fff]{2,4}){0,2})\s*[)）]"
)


def _names_of(group: str) -> tuple[str, ...]:
    return tuple(n for n in re.split(r"[\s、，,]+", group) if n)


def find_byline(page_lines: tuple[str, ...]) -> tuple[str, ...]:
    """Names from a labelled byline ("作者：宋怡 杨志华", "（记者张晓堃）"), or ().

    A bracketed reporter credit counts in any line (it sits in the lead paragraph);
    a bare label only in a short line, where it is a byline rather than prose.
    """
    for line in page_lines:
        match = _ZH_BRACKET_BYLINE.search(line)
        if match:
            return _names_of(match.group(1))
        if len(line) > 60:
            continue
        match = _ZH_BYLINE.search(line)
        if match:
            return _names_of(match.group(1))
    return ()


# Where a byline's names end: the first word with a digit (names carry none; what
# follows is a date, a time, a counter or an editor's code, "PX209"), and a "Label:" after some text ("By Ann Lee Published: Nov 30").
_FIRST_DIGIT = re.compile(r"[^\s\d]*\d")
_LEADING_LABEL = re.compile(r"^\s*[\[【(（]?\s*[^\W\d_][^\W\d_ ]{0,15}(?:\s[^\W\d_]{1,15})?\s*[:：]\s*")
_INNER_LABEL = re.compile(r"(?<=\S)\s+[^\W\d_][^\W\d_ ]{0,15}\s*[:：]")
# A word standing between a day number and a year is a month in any language
# ("Nov 30, 2026", "30. listopadu 2026"): cut before it too.
_WORD_DATE = re.compile(r"(?:^|\s)[^\W\d_]{3,12}\.?\s+\d{1,2}(?:st|nd|rd|th)?\.?,?\s+\d{4}")


def trim_byline(raw: str) -> str:
    """The names part of a visible byline: what comes before its date, time or next label.

    "By Yang Sheng Published: Nov 30, 2026 05:32 PM" -> "By Yang Sheng";
    "Autor: Ann Lee, 05.01.2025" -> "Ann Lee"; "Xinhua, December 1, 2026" -> "Xinhua".
    Trailing weekday and month names go with the date they introduce.
    """
    text = _LEADING_LABEL.sub("", raw, count=1)
    for pattern in (_WORD_DATE, _FIRST_DIGIT, _INNER_LABEL):
        match = pattern.search(text)
        if match:
            text = text[: match.start()]
    words = text.split()
    while words and (_CALENDAR_WORD.match(words[-1]) or not any(ch.isalnum() for ch in words[-1])):
        words.pop()
    return " ".join(words).strip(" ,;|/-–—·[]【】()（）")


def is_calendar_name(name: str) -> bool:
    """True for a "name" made only of weekday/month words and numbers ("December 1")."""
    words = name.replace(",", " ").split()
    return bool(words) and all(_CALENDAR_WORD.match(w) or w.isdigit() for w in words)


def opens_with_dateline(text: str) -> bool:
    """True when ``text`` begins with a wire dateline: the first paragraph of a story.

    Shapes, not words: a place then an agency credit in brackets or slashes, an
    upper-case place then a dash, a bracketed place=agency, the Chinese
    ``<agency><place>X月X日电`` lead.
    """
    head = text[:120]
    if _DATELINE.match(head) or _BRACKET_DATELINE.match(head) or _ZH_LEAD.match(head):
        return True
    agency = _AGENCY_DATELINE.match(head)
    if agency and agency.group(1)[0].isupper():
        credit = agency.group("paren") or agency.group("slash")
        # Agencies are capitalised or short initialisms ("dpa", "epd").
        if credit[0].isupper() or (credit.isalpha() and len(credit) <= 4):
            return True
    caps = _CAPS_DATELINE.match(head)
    return bool(caps) and caps.group(1).isupper() and len(caps.group(1)) >= 3
