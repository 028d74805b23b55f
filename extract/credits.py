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

__all__ = ["Credit", "find_byline", "find_credit", "opens_with_dateline"]

_MONTHS = (
    "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    "sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_MONTH_NUM = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1
)}
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
_NOT_NAMES = re.compile(
    r"^(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|updated|published|posted|"
    r"last|edited|by|on|photo|image|file|video|" + _MONTHS + r")$",
    re.I,
)


@dataclass(frozen=True)
class Credit:
    source: str | None
    dateline: str | None  # the dateline as written, e.g. "MOSCOW, August 8 (RIA Novosti)"
    date_text: tuple[int, int, int | None] | None  # (month, day, year or None) from text


def _plausible(name: str) -> bool:
    words = name.split()
    return 1 <= len(words) <= 4 and not _NOT_NAMES.match(words[0]) and not name.isdigit()


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
        if match:
            return Credit(match.group(1).strip(), None, None)
    return Credit(None, None, None)


# Chinese bylines are labelled rather than introduced with "By": 作者/记者/编辑 then
# one to three names of two to four characters.
_ZH_BYLINE = re.compile(
    r"(?:作者|记者|記者|责任编辑|責任編輯|编辑|編輯|撰文|文)\s*[:：/]?\s*"
    r"((?:[\u4e00-\u9fff]{2,4})(?:[\s、，,]+[\u4e00-\u9fff]{2,4}){0,2})(?![\u4e00-\u9fff])"
)


def find_byline(page_lines: tuple[str, ...]) -> tuple[str, ...]:
    """Names from a labelled byline line ("作者：宋怡 杨志华"), or ()."""
    for line in page_lines:
        if len(line) > 60:
            continue
        match = _ZH_BYLINE.search(line)
        if match:
            return tuple(n for n in re.split(r"[\s、，,]+", match.group(1)) if n)
    return ()


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
