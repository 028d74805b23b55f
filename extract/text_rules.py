"""Paragraph-level noise rules, applied to the body after the main block is found.

Each rule is a small named function that looks at the whole paragraph list (noise is
recognised by context: position, repetition, what else is on the page) and returns
the indexes to drop. Signals are language-independent: token shapes, separators,
punctuation, repetition and position, never particular phrases.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from typing import Callable

from extract.options import ExtractOptions

__all__ = ["PageContext", "RULES", "apply_rules", "ends_sentence", "is_keyword_run"]

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_SEPARATORS = re.compile(r"\s*[|,，、;；·•｜]\s*")
_SENTENCE_END = re.compile(r"[.!?。！？…]['\"’”»)]?\s*$|[.!?。！？][\s\"”’»]")
# A shortcode has key=value attributes ([gallery ids="1,2"]), is a closing tag
# ([/caption]), or is a bare [name] alone in its paragraph; editorial brackets in
# quotes ("the message [media coverage] was") have none of these shapes.
_SHORTCODE = re.compile(
    r"\[[a-z][\w-]*(?:\s+[\w-]+=(?:\"[^\"]*\"|'[^']*'|[^\s\]]+))+\s*/?\]|\[/[a-z][\w-]*\]|^\[[a-z][\w-]*\]$"
)


@dataclass(frozen=True)
class PageContext:
    """What the rules may know about the page besides the body paragraphs."""

    page_lines: tuple[str, ...]  # every visible text line of the whole page
    headlines: tuple[str, ...]  # casefolded headline candidates, best first (h1, og:title, <title>)
    site_names: tuple[str, ...]  # site name and host labels, for self-promotion
    options: ExtractOptions
    # Table-of-contents entries (links to a heading of the same page repeating its
    # text), once per link: those copies of a heading do not make it a repeated label.
    toc_lines: tuple[str, ...] = ()


# One pass: a CJK character alone, or a run of other letters (CJK splits such runs).
_CJK_RANGES = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"


def _mark_ranges() -> str:
    """The combining marks (Unicode category M) of the BMP as a character-class body."""
    ranges: list[tuple[int, int]] = []
    for code in range(0x300, 0x10000):
        if unicodedata.category(chr(code)).startswith("M"):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    return "".join(f"\\u{a:04x}-\\u{b:04x}" for a, b in ranges)


# Vowel signs and diacritics (Devanagari ि, Arabic harakat) are marks, not word
# characters, to Python's \w: they belong to the word they sit in, not between words.
_MARKS = _mark_ranges()
# Letters, then marks with the letters after them: a run of letters stays one class.
_TOKEN = re.compile(rf"[{_CJK_RANGES}]|[^\W\d_{_CJK_RANGES}]+(?:[{_MARKS}]+[^\W\d_{_CJK_RANGES}]*)*")


def _units(text: str) -> int:
    """Length in words; a CJK character counts as half a word."""
    cjk = len(_CJK.findall(text))
    return len(_TOKEN.findall(text)) - cjk + cjk // 2


_FINAL_STOP = re.compile(r"[.!?。！？…]['\"’”»)）」』]*\s*$")


def ends_sentence(text: str) -> bool:
    """True when ``text`` ends with a sentence's closing punctuation (quotes may follow)."""
    return bool(_FINAL_STOP.search(text))


def _has_letters(text: str) -> bool:
    return any(unicodedata.category(ch).startswith("L") for ch in text)


def drop_without_letters(paras: list[str], ctx: PageContext) -> set[int]:
    """Counters, bullets and stray numbers ("0", "|", "12 345") carry no prose."""
    return {i for i, p in enumerate(paras) if not _has_letters(p)}


def drop_separator_runs(paras: list[str], ctx: PageContext) -> set[int]:
    """Keyword stuffing and link-farm lists at the edges of the body.

    Prose has clauses of many words between commas; a run of place names or
    keywords has one or two words per item and almost no sentence punctuation.
    Injected runs sit above or below the article; inside it, such a list is the
    article's own (towns hit by an earthquake, a team sheet), so it stays.
    """
    n = ctx.options.min_separator_run
    edge = set(range(min(2, len(paras)))) | set(range(max(len(paras) - 3, 0), len(paras)))
    # Bars and space-separated Han words are never how prose lists things, so such runs
    # go wherever they sit (link farms and spider-pool place-name runs glued inside).
    # At the edges, footer and toolbar rows also count: names between spaced dashes
    # ("About - Jobs - Contact - ...") or in brackets ("【推荐】【打印】【关闭】").
    return {i for i, p in enumerate(paras)
            if (i in edge and (_is_separator_run(p, n) or _is_menu_row(p, n)))
            or _is_bar_run(p, n) or _is_han_space_run(p, n)}


def _is_menu_row(text: str, min_items: int) -> bool:
    # Menu items are names; "Name - 9" results and "A - 2 (1,0)" scores are data.
    items = [s for s in _EDGE_SEPARATORS.split(text) if s.strip()]
    numbered = sum(1 for s in items if any(ch.isdigit() for ch in s))
    return numbered <= 0.2 * len(items) and _is_separator_run(text, min_items, _EDGE_SEPARATORS)


def is_keyword_run(text: str, options: ExtractOptions) -> bool:
    """True for a line made of many short items between separators (a keyword run)."""
    return _is_separator_run(text, options.min_separator_run)


_EDGE_SEPARATORS = re.compile(r"\s*[|,，、;；·•｜【】\[\]]\s*|\s+[-–—]\s+")


def _is_separator_run(text: str, min_items: int, separators: re.Pattern = _SEPARATORS) -> bool:
    items = [s for s in separators.split(text) if s.strip()]
    if len(items) < min_items:
        return False
    short = sum(1 for s in items if _units(s) <= 3)
    return short / len(items) >= 0.8 and len(_SENTENCE_END.findall(text)) <= len(items) // 6


_BARS = re.compile(r"\s*[|｜]\s*")
# Place names and keywords: two to four Han characters ("北京", "乌鲁木齐").
_HAN_WORD = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
_HAN_CHAR = re.compile(r"[\u4e00-\u9fff]")
_LABEL = re.compile(r"^[^\s:：]{1,12}[:：]\s*")


def _is_bar_run(text: str, min_items: int) -> bool:
    """Short items between bars ("A | B | C | ..."), an optional label in front."""
    if text.count("|") + text.count("｜") < min_items - 1:
        return False  # too few bars, whatever the items: the cheap test first
    items = [s for s in _BARS.split(_LABEL.sub("", text, count=1)) if s.strip()]
    if len(items) < min_items:
        return False
    units = [_units(s) for s in items]
    return max(units) <= 8 and sum(1 for u in units if u <= 3) / len(units) >= 0.8 and not _SENTENCE_END.search(text)


def _is_han_space_run(text: str, min_items: int) -> bool:
    """Han words separated by spaces ("北京 上海 广州 ..."): Chinese prose has no spaces."""
    if not _HAN_CHAR.search(text):
        return False  # no Han word can be among the tokens
    tokens = _LABEL.sub("", text, count=1).split()
    if len(tokens) < max(min_items, 8):
        return False
    return sum(1 for t in tokens if _HAN_WORD.match(t)) / len(tokens) >= 0.8


def drop_repeated_labels(paras: list[str], ctx: PageContext) -> set[int]:
    """Short lines that occur more than once on the page are template labels.

    ("Advertisement", "Share", section names): an article sentence is not repeated
    verbatim elsewhere on its own page. A table of contents repeats the article's
    subheadings as links to them; those copies do not count. A line with a number
    that repeats only inside the body is the article's own data (a price, a list
    number: "Adult ticket: 30 yuan" under each of several venues).
    """
    counts: dict[str, int] = {}
    for line in ctx.page_lines:
        key = " ".join(line.split()).lower()
        counts[key] = counts.get(key, 0) + 1
    for line in ctx.toc_lines:
        key = line.lower()
        if key in counts:
            counts[key] -= 1
    keys = [" ".join(p.split()).lower() for p in paras]
    in_body: dict[str, int] = {}
    for key in keys:
        in_body[key] = in_body.get(key, 0) + 1
    labels = {
        i
        for i, (p, key) in enumerate(zip(paras, keys))
        if _units(p) <= 4 and not _SENTENCE_END.search(p) and counts.get(key, 0) >= 2
        and not (_NUMBER.search(p) and in_body[key] >= counts[key])
    }
    # Several different lines, each repeated only inside the body, are the article's
    # own structure (the same subheadings under each day of a plan, a table's header
    # per section); one label repeated ("Advertisement") is still a template's.
    own = {keys[i] for i in labels if in_body[keys[i]] >= counts[keys[i]]}
    if len(own) >= 3:
        labels = {i for i in labels if keys[i] not in own}
    return labels


# A number that is not a year alone: "Our 2024 Coverage" is a promo label, "30 yuan" data.
_NUMBER = re.compile(r"(?<!\d)(?!(?:19|20)\d\d(?!\d))\d")


def _shingle_set(text: str) -> set[tuple[str, ...]]:
    tokens = _TOKEN.findall(text.lower())
    return {tuple(tokens[i : i + 3]) for i in range(max(len(tokens) - 2, 1))}


def drop_teasers(paras: list[str], ctx: PageContext) -> set[int]:
    """A short paragraph mostly repeated further down is a teaser or pull quote.

    Standfirsts and "...reports X" teasers restate a body paragraph above it; the
    later occurrence is the article's.
    """
    # A teaser is a sentence or two (short lines repeat for other reasons); pull
    # quotes placed before the paragraph they quote are caught the same way.
    teasers = {i for i, p in enumerate(paras) if _units(p) >= 12 and len(p) <= 500}
    if not teasers:
        return set()
    drop: set[int] = set()
    copies: dict[int, list[int]] = {}
    # Walked from the end, the index holds only the paragraphs after the one at hand,
    # the only ones it is compared with; paragraphs above the first candidate are
    # never needed.
    where: dict[tuple[str, ...], list[int]] = {}
    for i in range(len(paras) - 1, min(teasers) - 1, -1):
        a = _shingle_set(paras[i])
        if i in teasers:
            shared: dict[int, int] = {}
            for shingle in a:
                for j in where.get(shingle, ()):
                    shared[j] = shared.get(j, 0) + 1
            # Exact copies (repeated code, refrains) are the author's, not teasers.
            similar = [j for j, n in shared.items() if n / len(a) >= 0.7]
            if any(paras[j] != paras[i] for j in similar):
                drop.add(i)
                # Near-copies of about the same length (not the longer paragraph a
                # teaser or pull quote is cut from).
                copies[i] = [j for j in similar if 0.75 * len(paras[i]) <= len(paras[j]) <= 1.33 * len(paras[i])]
        for shingle in a:
            where.setdefault(shingle, []).append(i)
    # A line with two or more near-copies of its size, or itself such a copy of an
    # earlier one, is one of a series (the same entry under each day of a plan, with
    # small changes); a teaser restates one paragraph once.
    later_copies = {j for i in copies for j in copies[i]}
    return {i for i in drop if len(copies[i]) < 2 and i not in later_copies}


def drop_title_repeats(paras: list[str], ctx: PageContext) -> set[int]:
    """Lines that restate the headline: leading ones ("Original title: <headline>") and
    one among the closing short lines (a post's title repeated under it with the
    blog's name and date); a repeat followed by prose is the text's own."""
    drop = set()
    tail = [i for i in range(max(3, len(paras) - 2), len(paras))
            if all(_units(q) <= 12 for q in paras[i + 1:])]
    for i in [*range(min(3, len(paras))), *tail]:
        p = paras[i]
        low = " ".join(p.split()).casefold()
        if any(h and h in low and len(low) <= 1.3 * len(h) + 12 for h in ctx.headlines):
            drop.add(i)
    return drop


def drop_edge_fragments(paras: list[str], ctx: PageContext) -> set[int]:
    """Leading and trailing short lines without sentence punctuation are page furniture.

    Widget labels, "comments" headings and section names sit before or after the
    article; a real paragraph at the edge is a sentence. Headings inside the body are
    kept because only the runs at either end are examined.
    """
    def fragment(p: str) -> bool:
        return _units(p) <= 6 and not _SENTENCE_END.search(p)

    def trailing(p: str) -> bool:
        # Below the text, a short line trailing off ("Tell us what you think...",
        # "You may also like…") introduces the next widget; it states nothing. One
        # word trailing off ("All...") is a paywall's cut sentence, the text's own.
        return fragment(p) or (
            2 <= _units(p) <= 6 and bool(_TRAILS_OFF.search(p)) and fragment(_TRAILS_OFF.sub("", p))
        )

    def leading(p: str) -> bool:
        # Above the text, a post's filing line: a date and two or more labelled
        # fields ("05/10/2018 - Posted by: Ann Lee - Category: Health - Tags: ...").
        return fragment(p) or (
            _units(p) <= 30 and len(_FIELD_LABEL.findall(p)) >= 2 and bool(_NUMERIC_DATE.search(p))
            and not _SENTENCE_END.search(p)
        )

    drop = set()
    for order, test in ((range(len(paras)), leading), (range(len(paras) - 1, -1, -1), trailing)):
        run = []
        for i in order:
            if not test(paras[i]):
                break
            run.append(i)
        if not _is_data_run([paras[i] for i in run]):
            drop.update(run)
    return drop if len(drop) < len(paras) else set()


_FIELD_LABEL = re.compile(r"[^\W\d_]{2,}\s*:\s")
_NUMERIC_DATE = re.compile(r"(?<!\d)\d{1,4}[./-]\d{1,2}[./-]\d{2,4}(?!\d)")
_TRAILS_OFF = re.compile(r"\s*(?:\.{3}|…)\s*$")
# A value after a label ("VIP : 60,000₩", "England (Group A): 10th appearance", "功率：51Kw").
_LABEL_VALUE = re.compile(r"\S\s*[:：]\s*\S")


def _is_data_run(lines: list[str]) -> bool:
    """Three or more short lines, nearly all with a number or a label and its value.

    A list of results, prices, specifications or a schedule; widget labels and menus
    ("Share", "Tags", "Related") are words without values.
    """
    if len(lines) < 3:
        return False
    data = sum(1 for p in lines if any(ch.isdigit() for ch in p) or _LABEL_VALUE.search(p))
    return data >= 0.75 * len(lines)


def drop_label_runs(paras: list[str], ctx: PageContext) -> set[int]:
    """Runs of three or more labels of up to five words near the top: share bars.

    A widget bar reads as a stack of labels ("Share", "Bookmark", "Post"); prose and
    subheadings do not come three in a row that short.
    """
    def label(p: str) -> bool:
        return _units(p) <= 5 and not _SENTENCE_END.search(p)

    drop: set[int] = set()
    run: list[int] = []
    sentences = 0  # paragraphs above the run that end a sentence
    for i, p in enumerate(paras[:8]):
        if sentences >= 2:
            # Two sentences in, the article has begun: a bar sits under the headline
            # (a standfirst at most), and a run of short lines below text is its list.
            break
        if label(p):
            run.append(i)
            continue
        if len(run) >= 3 and not _is_data_run([paras[j] for j in run]):
            drop.update(run)
        run = []
        sentences += bool(_FINAL_STOP.search(p))
    if len(run) >= 3 and len(run) < len(paras) and not _is_data_run([paras[j] for j in run]):
        drop.update(run)
    return drop


def drop_self_promotion(paras: list[str], ctx: PageContext) -> set[int]:
    """Trailing paragraphs that open or close with the outlet's own name.

    Promos ("... on Daily Planet."), "about us" blurbs and footers; a reporting
    sentence that cites the outlet mid-way is kept, and so is a closing section with
    its own heading naming the outlet over a paragraph of prose (the "About Acme"
    section of a company's press release on its own site).
    """
    names = [n.lower() for n in ctx.site_names if len(n) >= 3]
    drop = set()
    for i in range(len(paras) - 1, max(len(paras) - 4, 0), -1):
        low = paras[i].lower().rstrip(" .!。！")
        if any(n in low[:len(n) + 12] or n in low[-len(n) - 12:] for n in names):
            if _units(paras[i]) <= 5 and not _SENTENCE_END.search(paras[i]) and any(
                    _units(paras[j]) >= 40 for j in drop):
                # A heading naming the outlet over a paragraph of prose: a section of the
                # text ("About Acme" closing a company's own press release), no promo.
                return set()
            drop.add(i)
        else:
            break
    return drop


# A full date at the end of a line, with or without a clock time, in brackets or not:
# "... 2005-07-13 09:00:04", "...（2005-04-03 17:19PM）", "... 2012年7月29日".
_END_STAMP = re.compile(
    r"(?:(?:19|20)\d\d[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])|(?:19|20)\d\d年\d{1,2}月\d{1,2}日|"
    r"\d{1,2}-\d{1,2}\s+\d{1,2}:\d\d)(?:\s*\d{1,2}:\d\d(?::\d\d)?\s*(?:[AP]M)?)?"
    r"(?:\s*[)）\]】]|\s+\d+\S*|\s*\[[\d/]+\])*(?:\s+[^\W\d_]{1,4})?\s*$",
    re.I,
)


def drop_stamped_tail(paras: list[str], ctx: PageContext) -> set[int]:
    """A closing run of three or more short lines each ending in a date: a listing.

    "Related reports" lists, archive links and forum reply threads put each headline
    before its date (``标题（2005-04-03 17:19）``); an article's own chronology puts
    the date first. Short labels between them ("相关报道：") go with the run, and
    so do up to two paragraphs below it (the site's rights notice).
    """
    drop: set[int] = set()
    stamped = 0
    for i in range(len(paras) - 1, -1, -1):
        p = paras[i]
        if _units(p) <= 40 and _END_STAMP.search(p):
            stamped += 1
        elif not (_units(p) <= 6 and not _SENTENCE_END.search(p)) and (stamped or i < len(paras) - 2):
            # Up to two closing paragraphs below the listing (a rights notice) go with it.
            break
        drop.add(i)
    return drop if stamped >= 3 and len(drop) < len(paras) else set()


# A full numeric date with a clock time anywhere in a line: "发布时间 2005/05/17 22:11:42".
_POST_STAMP = re.compile(r"(?:19|20)\d\d[-/.年]\d{1,2}[-/.月]\d{1,2}日?\s*\d{1,2}:\d\d")
_DIGIT = re.compile(r"\d")


def drop_later_posts(paras: list[str], ctx: PageContext) -> set[int]:
    """Replies or further posts below the first one: a forum thread, a blog's front page.

    Such pages close each post with the same signature line, its words the same and
    its date and time different (``〓 留言板 发布时间 2005/05/17 22:11:42 by 眉间尺 〓``,
    ``由海姑娘张贴 @ 2005-03-18 01:58:01 (1666) 发表评论``). Three or more short lines
    with a full date and clock time that open with the same words (after the first
    post's own text) mark a listing of posts: the first is the page's text, what
    follows from its signature on is replies. A live blog's entries open with their
    time, not with words, and a chronology with its date: neither counts.
    """
    groups: dict[str, list[int]] = {}
    for i, p in enumerate(paras):
        # Length first: most paragraphs are prose, far longer than a signature.
        if len(p) <= 400 and _POST_STAMP.search(p) and _units(p) <= 40:
            opening = _DIGIT.sub("0", p)[:6]
            if _has_letters(opening):
                groups.setdefault(opening, []).append(i)
    for marks in groups.values():
        if len(marks) >= 3 and sum(_units(p) for p in paras[: marks[0]]) >= 100:
            return set(range(marks[0], len(paras)))
    return set()


# Code-point ranges of the scripts news is written in (start, end, name), sorted.
_SCRIPT_RANGES = (
    (0x0041, 0x024F, "latin"), (0x0370, 0x03FF, "greek"), (0x0400, 0x052F, "cyrillic"),
    (0x0530, 0x058F, "armenian"), (0x0590, 0x05FF, "hebrew"), (0x0600, 0x06FF, "arabic"),
    (0x0750, 0x077F, "arabic"), (0x0900, 0x0DFF, "indic"), (0x0E00, 0x0E7F, "thai"),
    (0x1000, 0x109F, "myanmar"), (0x10A0, 0x10FF, "georgian"), (0x1100, 0x11FF, "cjk"),
    (0x1E00, 0x1EFF, "latin"), (0x3040, 0x30FF, "cjk"), (0x3400, 0x9FFF, "cjk"),
    (0xAC00, 0xD7AF, "cjk"), (0xFB50, 0xFEFF, "arabic"),
)
_SCRIPT_STARTS = [r[0] for r in _SCRIPT_RANGES]


def _script(text: str) -> str | None:
    """Dominant script of ``text``: "cjk", "latin", "cyrillic", "arabic", ... or None."""
    head = text[:200]
    if head.isascii():  # the common case, without a lookup per character
        return "latin" if any(ch.isalpha() for ch in head) else None
    counts: dict[str, int] = {}
    for ch in head:
        if not ch.isalpha():
            continue
        code = ord(ch)
        i = bisect_right(_SCRIPT_STARTS, code) - 1
        if i >= 0 and code <= _SCRIPT_RANGES[i][1]:
            name = _SCRIPT_RANGES[i][2]
            counts[name] = counts.get(name, 0) + 1
    return max(counts, key=counts.get) if counts else None  # type: ignore[arg-type]


def drop_foreign_script_edges(paras: list[str], ctx: PageContext) -> set[int]:
    """Leading/trailing paragraphs in another script than the body: injected spam.

    Hacked pages carry keyword runs in the spammer's script above and below the
    article; boilerplate in a second language (English disclaimers under a Chinese
    article) sits at the same edges.
    """
    if len(paras) < 3:
        return set()
    # The body's script: each paragraph's (read from its start) weighted by its
    # length, CJK triple (a character carries about as much as three Latin letters).
    weight: dict[str, int] = {}
    for p in paras:
        sc = _script(p[:60])
        if sc:
            weight[sc] = weight.get(sc, 0) + len(p) * (3 if sc == "cjk" else 1)
    if not weight:
        return set()
    main = max(weight, key=weight.get)  # type: ignore[arg-type]
    # The headline's script wins when the body has a fair share of it: a long
    # navigation block in the site's second language must not outvote the article.
    for headline in ctx.headlines:  # ordered: results must not depend on hash seeds
        title_script = _script(headline)
        if title_script and weight.get(title_script, 0) >= 0.2 * sum(weight.values()):
            main = title_script
            break
    drop = set()
    for order in (range(len(paras)), range(len(paras) - 1, -1, -1)):
        for i in order:
            if _script(paras[i]) in (main, None):
                break
            drop.add(i)
    return drop if len(drop) < len(paras) else set()


_COPYRIGHT = re.compile(r"©|\(c\)\s*\d{4}|^\s*copyright\b", re.I)


def drop_copyright_lines(paras: list[str], ctx: PageContext) -> set[int]:
    """Trailing copyright and rights notices, told by the © sign or a "(c) 2024"."""
    drop = set()
    for i in range(len(paras) - 1, max(len(paras) - 4, 0), -1):
        if not _COPYRIGHT.search(paras[i]) or _units(paras[i]) > 60:
            break
        drop.add(i)
    return drop


def strip_shortcodes(paras: list[str], ctx: PageContext) -> list[str]:
    """CMS shortcodes such as ``[gallery id="12"]`` that a template failed to expand."""
    return [_SHORTCODE.sub("", p).strip() for p in paras]


RULES: tuple[Callable[[list[str], PageContext], set[int]], ...] = (
    drop_without_letters,
    drop_separator_runs,
    drop_repeated_labels,
    drop_teasers,
    drop_title_repeats,
    drop_foreign_script_edges,
    drop_label_runs,
    drop_self_promotion,
    drop_copyright_lines,
    drop_later_posts,
    drop_stamped_tail,
    drop_edge_fragments,
)


def apply_rules(paras: list[str], ctx: PageContext) -> tuple[list[str], dict[str, list[str]]]:
    """Run every rule in order; returns the kept paragraphs and what each rule removed."""
    paras = [p for p in strip_shortcodes(paras, ctx) if p]
    removed: dict[str, list[str]] = {}
    for rule in RULES:
        drop = rule(paras, ctx)
        if drop:
            removed[rule.__name__] = [p for i, p in enumerate(paras) if i in drop]
            paras = [p for i, p in enumerate(paras) if i not in drop]
    return paras, removed
