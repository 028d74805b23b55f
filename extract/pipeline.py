"""``extract_page``: page bytes in, an article or a classified rejection out.

Steps: decode (bytes are the evidence) -> parse -> read structured metadata and page
signals from the untouched tree -> markup noise rules -> trafilatura finds the main
block -> paragraph noise rules -> a lead kept outside the body container -> credits,
dates, language, feed evidence -> page type.

Pure by contract: no network, files, clock or process-wide caches (trafilatura's
de-duplication cache stays off), so results depend only on the arguments and the
crawler can run it in a process pool.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from typing import Mapping

import lxml.html
import trafilatura
from htmldate import find_date
from trafilatura.metadata import extract_metainfo, normalize_authors
from lxml import etree

from extract import dom_rules, text_rules
from extract.appended import remove_appended_articles
from extract.article import Article, PageType, Rejection, article_id
from extract.cluster import cluster_key
from extract.continued import continuations, new_paragraphs
from extract.credits import find_byline, find_credit, is_calendar_name, trim_byline
from extract.dates import date_in_text, dateline_date, first_visible_date, iso_date, stated_year, url_year, with_visible_time
from extract.decode import decode_body
from extract.dom_helpers import remove_element
from extract.hints import reconcile
from extract.language import detect_language
from extract.lead import HeadlineMark, find_lead, mark_headline
from extract.metadata import PageMeta, clean_title, host_labels, read_metadata, split_names
from extract.options import ExtractOptions, Hints
from extract.rules import SiteRules
from extract.pagetype import classify, linked_share, page_signals
from extract.result import ExtractionResult
from extract.streamed import streamed_html
from extract.topics import match_topics
from extract.version import EXTRACTOR

__all__ = ["extract_page"]

_HTML_HINT = (b"<html", b"<body", b"<div", b"<p", b"<head", b"<!doctype html", b"<article")
_NON_TEXT = frozenset({"script", "style", "noscript", "template", "svg", "head", "title", "meta", "link"})
# htmldate rejects dates after max_date; reading the clock (or the fetch time) would
# make output depend on when it ran, so the bound is a fixed far date.
_FAR_FUTURE = datetime(2100, 1, 1)


def _looks_like_html(body: bytes, headers: Mapping[str, str] | None) -> bool:
    for key, value in (headers or {}).items():
        if key.lower() == "content-type" and value.strip():
            mime = value.split(";")[0].strip().lower()
            if mime not in ("text/html", "application/xhtml+xml", "text/plain", ""):
                return False
    head = body[:4096].lower()
    return any(hint in head for hint in _HTML_HINT)


def _html_class_lookup() -> etree.ElementNamespaceClassLookup:
    """lxml.html's element classes, chosen inside libxml2's wrapper code.

    lxml.html.HTMLParser asks a Python method for the class of every element proxy it
    makes (a million calls on a few hundred pages, ~7% of extraction); a tag-name
    table gives the same classes (HtmlElement; FormElement, InputElement, ... for
    form tags) without calling back into Python. Built once, never changed.
    """
    lookup = etree.ElementNamespaceClassLookup(etree.ElementDefaultClassLookup(
        element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment,
        pi=lxml.html.HtmlProcessingInstruction, entity=lxml.html.HtmlEntity,
    ))
    tags = lookup.get_namespace(None)
    for tag, cls in lxml.html.HtmlElementClassLookup._default_element_classes.items():
        tags[tag] = cls
    return lookup


_HTML_CLASSES = _html_class_lookup()


def _parse(text: str) -> etree._Element | None:
    # Parse from UTF-8 bytes with an explicit encoding: lxml refuses str input that
    # carries an XML encoding declaration, and must not re-sniff a <meta charset>.
    parser = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    parser.set_element_class_lookup(_HTML_CLASSES)
    try:
        return lxml.html.document_fromstring(text.encode("utf-8", "surrogatepass"), parser=parser)
    except (etree.ParserError, ValueError):
        return None


# Every non-blank text node outside non-text elements, as plain strings in reading
# order, selected by libxml2: a Python proxy per element is what a walk would cost.
_VISIBLE_TEXT = etree.XPath(
    "//text()[normalize-space()][not(" + "|".join(f"parent::{t}" for t in sorted(_NON_TEXT)) + ")]",
    smart_strings=False,
)


def _page_lines(tree: etree._Element) -> tuple[str, ...]:
    """Every visible text node of the page, whitespace-normalised, in reading order."""
    return tuple(" ".join(t.split()) for t in _VISIBLE_TEXT(tree))


# Links to a fragment of the page itself: a table of contents, tabs, footnote marks.
_FRAGMENT_LINKS = etree.XPath("//a[starts-with(@href, '#') and string-length(@href) > 1]")
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def _toc_lines(tree: etree._Element) -> tuple[str, ...]:
    """Texts of the page's table-of-contents links, whitespace-normalised.

    A table-of-contents entry links to a heading of the same page (its id, or an id or
    anchor name inside it) and repeats that heading's text; tabs, author pop-ups and
    ``href="#"`` buttons link to something else.
    """
    links = _FRAGMENT_LINKS(tree)
    if not links:
        return ()
    headings: dict[str, str] = {}
    for h in tree.iter(*_HEADINGS):
        text = " ".join("".join(h.itertext()).split())
        for el in h.iter():
            for name in (el.get("id"), el.get("name") if el.tag == "a" else None):
                if name:
                    headings.setdefault(name, text)
    if not headings:
        return ()
    return tuple(
        text for a in links
        if (text := " ".join("".join(a.itertext()).split())) and headings.get(a.get("href")[1:]) == text
    )


_BLOCKS = frozenset({"p", "head", "quote", "list", "item", "table", "row", "code", "div", "section"})
# Blocks whose text runs in lines: a <code> inside one is a word of the sentence.
_TEXT_PARENTS = frozenset({"p", "head", "item", "cell", "hi", "ref", "del"})


def _paragraphs(body: etree._Element) -> list[str]:
    """Trafilatura's output tree as paragraphs: one per block, list item or table row.

    Blocks nest (paragraphs inside table cells when a site lays out with tables), so
    inline text is gathered until the next block starts; table cells without blocks
    join into one line per row.
    """
    def kind(el: etree._Element) -> str:
        if el.tag == "lb":
            # A hard line break between sentences separates paragraphs; inside a heading
            # it sets the lines of one heading (a subtitle of several short lines).
            return "line" if el.getparent() is not None and el.getparent().tag == "head" else "break"
        if el.tag == "code" and el.getparent() is not None and el.getparent().tag in _TEXT_PARENTS:
            return "inline"  # code words inside a sentence ("checking for <code>fetch</code>")
        if el.tag in _BLOCKS or (el.tag == "cell" and any(c.tag in _BLOCKS for c in el.iter())):
            return "block"
        return "inline"

    # The body itself is the root: text trafilatura leaves loose between its blocks
    # (the tail of a top-level block) is article text too.
    return _walk_paragraphs([body], kind)


# Marks a line break inside a paragraph while its text is gathered: a NUL never
# occurs in parsed text, so it cannot be confused with the page's own whitespace.
_LINE = "\x00"


def _walk_paragraphs(roots: list[etree._Element], kind) -> list[str]:
    """Text under ``roots`` split into paragraphs where ``kind(el)`` says "block" or "break".

    ``kind`` may also say "skip" (the element and its text are left out; its tail is kept)
    or "line" (a line break inside the paragraph, kept as a newline).
    """
    out: list[str] = []
    buffer: list[str] = []

    def flush() -> None:
        joined = " ".join(buffer)
        if _LINE in joined:
            lines = (" ".join(line.split()) for line in joined.split(_LINE))
            text = "\n".join(line for line in lines if line)
        else:
            text = " ".join(joined.split())
        if text:
            out.append(text)
        buffer.clear()

    def walk(el: etree._Element) -> None:
        if el.text:
            buffer.append(el.text)
        for child in el:
            what = kind(child)
            if what == "break":
                flush()
            elif what == "line":
                buffer.append(_LINE)
            elif what == "block":
                flush()
                walk(child)
                flush()
            elif what == "inline":
                walk(child)
            if child.tail:
                buffer.append(child.tail)

    for root in roots:
        walk(root)
        flush()
    return out


def _main_text(
    tree: etree._Element,
    url: str,
    options: ExtractOptions,
    ctx: text_rules.PageContext,
    headline: HeadlineMark | None,
) -> tuple[list[str], dict[str, list[str]]]:
    """Trafilatura's main block as cleaned paragraphs, plus what each rule removed."""
    _wrap_leading_text(tree)
    doc = trafilatura.bare_extraction(
        tree,
        url=url,
        include_comments=options.include_comments,
        include_tables=options.include_tables,
        deduplicate=False,
    )
    if doc is None or doc.body is None:
        return [], {}
    raw = _paragraphs(doc.body)
    # The story continued in a later container of the same class (split by an advert).
    raw += new_paragraphs(_rule_paragraphs(continuations(tree, raw)), raw)
    paragraphs, removed = text_rules.apply_rules(raw, ctx)
    if paragraphs:
        # A lead the template keeps beside the headline, outside the body container;
        # added after the rules, so the body's edges are judged as trafilatura found them.
        # The main text may open with the headline itself; the body starts after it.
        first = next((p for p in raw if " ".join(p.split()).casefold() not in ctx.headlines), raw[0])
        paragraphs = find_lead(tree, headline, first, paragraphs) + paragraphs
    return paragraphs, removed


# Inline markup that continues a container's own leading text (a <br> included).
_LEADING_INLINE = frozenset({
    "a", "span", "em", "i", "b", "strong", "u", "abbr", "cite", "mark", "sup", "sub", "small",
    "code", "font", "q", "s", "time", "br",
})


def _wrap_leading_text(tree: etree._Element) -> None:
    """A container's own prose before its first block child, made a paragraph of its own.

    ``<section>Intro sentence, <a>a link</a>.<h2>First item</h2><p>...</section>``:
    trafilatura reads a container with block children block by block, so the text
    in front of the first one (the story's opening paragraph on some templates) is
    lost. The text and the inline elements that continue it become a ``<p>`` when
    they read as prose (10+ words ending a sentence); labels, "content hidden"
    notices and footer lines stay as they were.
    """
    for el in tree.iter("div", "section", "article", "main", "td"):
        if not (el.text and el.text.strip()) or len(el) == 0:
            continue
        run = []
        for child in el:
            if not isinstance(child.tag, str) or child.tag not in _LEADING_INLINE:
                break
            run.append(child)
        if len(run) == len(el):
            continue  # no block child: trafilatura reads the text container whole
        # The first line only: lines set apart by <br> are read as they were.
        run = run[:next((i for i, c in enumerate(run) if c.tag == "br"), len(run))]
        text = " ".join((el.text + "".join(_with_tail(c) for c in run)).split())
        if text_rules._units(text) < 10 or not text_rules.ends_sentence(text):
            continue  # a label, a notice or a footer line, not a paragraph
        p = etree.Element("p")
        p.text, el.text = el.text, None
        for child in run:
            p.append(child)  # moves the element with its tail
        el.insert(0, p)


def _with_tail(el: etree._Element) -> str:
    return etree.tostring(el, method="text", encoding=str, with_tail=True)


# trafilatura's byline XPaths (trafilatura.xpaths.AUTHOR_XPATHS), the same elements
# in the same order, asked from the attributes' side: "elements with an attribute
# like this" lets libxml2 test only the elements that carry that attribute, where
# "every element, then its attributes" runs a dozen tests on each of thousands; each
# EXSLT re:test of a plain alternation is written as the contains() tests it amounts
# to, so Python's re is not called per class and id. 2-4x quicker; a test checks that
# both select the same elements.
def _any_of(needles: str) -> str:
    return " or ".join(f"contains(., '{n}')" for n in needles.split())


_AUTHOR_TAGS = (
    "self::a or self::address or self::div or self::link or self::p or self::span or self::strong",
    "self::a or self::div or self::h3 or self::h4 or self::p or self::span",
)
_AUTHOR_XPATHS = [
    etree.XPath(
        "(//@rel[.='author'] | //@id[.='author'] | //@itemprop[.='author name']"
        " | //@data-testid[.='AuthorCard' or .='AuthorURL']"
        f" | //@class[.='author' or {_any_of('authorname author-name AuthorName authorName')}])"
        f"/parent::*[{_AUTHOR_TAGS[0]}] | //rel[.='me']/parent::*[{_AUTHOR_TAGS[0]}] | //author"
    ),
    etree.XPath(
        f"(//@class[.='byline' or .='username' or .='byl' or .='BBL'"
        f" or {_any_of('author channel-name zuozhe bianji xiaobian submitted-by posted-by journalist-name')}]"
        f" | //@itemprop[contains(., 'author')] | //@id[{_any_of('author zuozhe bianji xiaobian')}])"
        f"/parent::*[{_AUTHOR_TAGS[1]}]"
    ),
    etree.XPath(
        "(//@data-component[contains(., 'Byline')] | //@itemprop[contains(., 'author')]"
        f" | //@id[{_any_of('Author author')}] | //@class[{_any_of('Author author screenname writer Byline byline')}])"
        "/parent::*"
    ),
]


def _visible_authors(tree: etree._Element) -> tuple[str, ...]:
    # trafilatura's byline XPaths, read in place: its extract_author first deep-copies
    # the whole page to prune comment sections, which costs more than the lookup.
    raw = extract_metainfo(tree, _AUTHOR_XPATHS, len_limit=120)
    # Byline blocks often run on into the date and other labels ("By Ann Lee
    # Published: Nov 30, 2026"); only the part before them names people.
    raw = trim_byline(raw) if raw else None
    names = normalize_authors(None, raw) if raw else None
    return tuple(a for a in (n.strip() for n in (names or "").split(";")) if a and not is_calendar_name(a))


_CLOCK = re.compile(r"(?<!\d)\d{1,2}:\d{2}(?!\d)")


def _stamp_blocks(tree: etree._Element) -> tuple[str, ...]:
    """Joined text of the small blocks holding a clock time: stamps split over elements.

    From each text node with a time, up to three levels of its small ancestors
    (80 characters at most): "<em>2026</em> <em>11</em>/<em>30</em> <span>17:32</span>".
    """
    blocks: list[str] = []
    for el in tree.iter(etree.Element):
        if el.tag in _NON_TEXT:
            continue
        for text, start in ((el.text, el), (el.tail, el.getparent())):
            if not text or start is None or not _CLOCK.search(text):
                continue
            best, node = None, start
            for _ in range(3):
                joined = " ".join(" ".join(node.itertext()).split())
                if len(joined) > 80:
                    break
                best, node = joined, node.getparent()
                if node is None:
                    break
            if best and best not in blocks:
                blocks.append(best)
    return tuple(blocks)


def _shows_day(day: str, lines: tuple[str, ...]) -> bool:
    year = day[:4]
    return any(year in line and re.search(rf"{year}\D0?1\D0?1(?!\d)|0?1\D0?1\D{year}", line) for line in lines)


def _reject(page_type: PageType, rejection: Rejection, reasons: tuple[str, ...], encoding: str) -> ExtractionResult:
    return ExtractionResult(None, page_type, reasons, rejection, encoding)


def extract_page(
    body: bytes,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    fetched_at: str | None = None,
    hints: Hints | None = None,
    options: ExtractOptions = ExtractOptions(),
) -> ExtractionResult:
    """Extract the article in ``body`` (the page bytes as received) fetched from ``url``."""
    if not body.strip():
        return _reject(PageType.ERROR, Rejection.EMPTY, ("empty response body",), "utf-8")
    if not _looks_like_html(body, headers):
        return _reject(PageType.ERROR, Rejection.NOT_HTML, ("response is not HTML",), "utf-8")
    text, encoding = decode_body(body, headers)
    tree = _parse(text)
    if tree is None:
        return _reject(PageType.ERROR, Rejection.NOT_HTML, ("HTML could not be parsed",), encoding)

    rules = options.rules
    notes: tuple[str, ...] = ()
    if rules is not None and rules.drop:
        notes += _drop_nodes(tree, rules)
    meta = read_metadata(tree, url)
    if rules is not None:
        meta, used = _apply_meta_rules(tree, meta, rules)
        notes += tuple(f"outlet rule: {name}" for name in used)
    signals = page_signals(tree, meta.title)
    page_lines = _page_lines(tree)
    published = meta.published or _page_date(tree, url, page_lines)
    if published and len(published) == 10:
        # A bare day (structured or found) gains the time the page shows on that day;
        # stamps split over elements are looked for only when a clock time is shown.
        refined = with_visible_time(published, page_lines)
        if refined == published and any(_CLOCK.search(line) for line in page_lines):
            refined = with_visible_time(published, (), _stamp_blocks(tree))
        published = refined

    site_names = tuple(n for n in (meta.site_name, *host_labels(url)) if n)
    headlines = tuple(dict.fromkeys(" ".join(h.split()).casefold() for h in meta.headline_candidates))
    ctx = text_rules.PageContext(page_lines, headlines, site_names, options, _toc_lines(tree))
    # Bylines in the visible markup ("By ..." blocks, rel=author, 作者：), read before
    # the markup rules prune them away.
    authors = meta.authors or _visible_authors(tree) or find_byline(page_lines)
    paragraphs, text_removed, dom_removed = _body(tree, text, url, options, ctx, meta.title)
    body_text = "\n\n".join(paragraphs)

    title_is_spam = bool(meta.title) and text_rules.is_keyword_run(meta.title, options)
    spam_chars = sum(len(p) for p in text_removed.get("drop_separator_runs", ()))
    page_type, rejection, reasons = classify(
        signals, len(body_text), linked_share(paragraphs, signals), _min_chars(body_text, options), spam_chars, title_is_spam,
        prose=bool(paragraphs) and all(text_rules.ends_sentence(p) for p in paragraphs),
    )
    removed = {**dom_removed, **{k: len(v) for k, v in text_removed.items()}}
    if removed.pop(_RULE_BODY, 0):
        notes += ("outlet rule: body",)
    reasons = reasons + tuple(f"removed {n} by {rule}" for rule, n in sorted(removed.items()))
    if rejection is not None:
        return ExtractionResult(None, page_type, reasons, rejection, encoding)

    credit = find_credit(paragraphs, page_lines)
    if credit.dateline:
        reasons += (f"dateline: {credit.dateline}",)
    if published is None and credit.date_text:
        published, why = _dateline_published(credit.date_text, url, page_lines)
        reasons += (why,)
    if rules is not None:
        published = rules.localise(published)
    reasons += notes
    language = detect_language(body_text)
    # Only a date from structured data stands against feed evidence.
    strong = meta.published is not None
    settled = reconcile(meta.title, meta.headline_candidates, published, strong, language, hints)
    canonical = meta.canonical_url or url
    article = Article(
        id=article_id(canonical),
        url=url,
        canonical_url=canonical,
        title=settled.title,
        text=body_text,
        language=language,
        published=settled.published,
        extractor=EXTRACTOR,
        fetched_at=fetched_at,
        authors=authors,
        modified=rules.localise(meta.modified) if rules is not None else meta.modified,
        description=meta.description,
        site_name=meta.site_name,
        # A news sitemap's keywords stand in when the page declares no tags.
        tags=meta.tags or tuple(k.strip() for k in (hints.keywords if hints else ()) if k.strip()),
        source_credit=credit.source,
        topics=match_topics(options.topics, settled.title, body_text),
        cluster=cluster_key(body_text),
        disagreements=settled.disagreements,
    )
    return ExtractionResult(article, page_type, reasons, None, encoding)


def _page_date(tree: etree._Element, url: str, page_lines: tuple[str, ...]) -> str | None:
    """Publication date when structured data gives none: htmldate, then visible stamps."""
    # Markup-only htmldate: its extensive text search costs ~10x a whole extraction;
    # the visible-stamp scan covers the same ground cheaply.
    found = iso_date(
        find_date(tree, url=url, original_date=True, extensive_search=False,
                  min_date=datetime(1995, 1, 1), max_date=_FAR_FUTURE)
    ) or first_visible_date(page_lines, _FAR_FUTURE)
    # A bare "1 January" the page does not show is a year-only guess (from a
    # namespace URL or a copyright line), not a publication date.
    if found and found.endswith("-01-01") and not _shows_day(found, page_lines):
        return None
    return found


def _dateline_published(
    month_day_year: tuple[int, int, int | None], url: str, page_lines: tuple[str, ...]
) -> tuple[str | None, str]:
    """The day a dateline names, with its year from the page itself, and why."""
    month, day, year = month_day_year
    if year is not None:
        return dateline_date(month_day_year), "date: from the dateline"
    year = url_year(url, month)
    if year is not None:
        return dateline_date(month_day_year, year), "date: dateline day, year from the URL's date path"
    year = stated_year(month, day, page_lines)
    if year is not None:
        return dateline_date(month_day_year, year), "date: dateline day, year from a full stamp on the page"
    return None, "date: unknown; the dateline states no year and the page gives none (fetch time is never used)"


# ----------------------------------------------------------------- per-outlet rules


def _drop_nodes(tree: etree._Element, rules: SiteRules) -> tuple[str, ...]:
    """Remove the nodes the outlet's ``drop`` selectors name (every selector applies)."""
    count = 0
    for selector in rules.drop:
        for el in SiteRules(drop=(selector,)).select(tree, "drop"):
            if el.getparent() is not None and el.tag not in ("html", "body"):
                remove_element(el)
                count += 1
    return (f"outlet rule: drop removed {count}",) if count else ()


def _rule_text(el: etree._Element) -> str:
    return " ".join(" ".join(el.itertext()).split())


def _apply_meta_rules(tree: etree._Element, meta: PageMeta, rules: SiteRules) -> tuple[PageMeta, tuple[str, ...]]:
    """Title, date and authors from the outlet's selectors where they match."""
    changes: dict[str, object] = {}
    for el in rules.select(tree, "title"):
        title = clean_title(_rule_text(el))
        if title:
            changes["title"] = title
            changes["headline_candidates"] = (title, *(h for h in meta.headline_candidates if h != title))
            break
    for el in rules.select(tree, "date"):
        values = [el.get(a) for a in ("datetime", "content", "data-published", "title")] + [_rule_text(el)]
        found = next((d for d in (date_in_text(v) for v in values if v) if d), None)
        if found:
            changes["published"] = found
            break
    names = [n for el in rules.select(tree, "authors") for n in split_names(_BY_LABEL.sub("", _rule_text(el)))]
    if names:
        changes["authors"] = tuple(dict.fromkeys(names))
    return (replace(meta, **changes) if changes else meta), tuple(changes.keys() - {"headline_candidates"})


# "By", "Written by", "Text von" in front of the names an authors selector finds.
_BY_LABEL = re.compile(r"^\s*(?:[^\W\d_]+\s+){0,2}?(?:by|von|par|por|di)\s+", re.I)
_RULE_BODY = "outlet rule: body"  # marks a body taken from the outlet's selector
_RULE_BLOCKS = frozenset({
    "p", "div", "section", "article", "li", "ul", "ol", "blockquote", "h2", "h3", "h4", "h5", "h6",
    "table", "tr", "pre", "figure", "header", "footer", "dl", "dt", "dd",
})
_RULE_SKIP = _NON_TEXT | {"figcaption", "button", "form", "iframe", "nav", "aside", "noscript"}


def _rule_paragraphs(elements: list[etree._Element]) -> list[str]:
    """The text of the outlet's body containers as paragraphs: one per block or <br>."""
    def kind(el: etree._Element) -> str:
        if not isinstance(el.tag, str) or el.tag in _RULE_SKIP:
            return "skip"
        return "break" if el.tag == "br" else "block" if el.tag in _RULE_BLOCKS else "inline"

    return _walk_paragraphs(elements, kind)


def _body(
    tree: etree._Element,
    html: str,
    url: str,
    options: ExtractOptions,
    ctx: text_rules.PageContext,
    title: str | None,
) -> tuple[list[str], dict[str, list[str]], dict[str, int]]:
    """Paragraphs of the main text, what the paragraph rules and the markup rules removed."""
    headline = mark_headline(tree, title)  # before the markup rules can remove it
    appended = remove_appended_articles(tree, headline.headline) if headline is not None else 0
    chosen = options.rules.select(tree, "body") if options.rules is not None else []
    dom_removed = dom_rules.apply_rules(tree, options)
    if appended:
        dom_removed["remove_appended_articles"] = appended
    if chosen:
        # The outlet's body selector replaces trafilatura's choice of main block; the
        # noise rules still run inside it. Nothing usable left: the general rules decide.
        kept = [el for el in chosen if el.getroottree().getroot() is tree]
        paragraphs, text_removed = text_rules.apply_rules(_rule_paragraphs(kept), ctx)
        if len("\n\n".join(paragraphs)) >= _min_chars("\n\n".join(paragraphs), options):
            return paragraphs, text_removed, {**dom_removed, _RULE_BODY: len(kept)}
    paragraphs, text_removed = _main_text(tree, url, options, ctx, headline)
    text = "\n\n".join(paragraphs)
    if len(text) < 2 * _min_chars(text, options) and dom_removed:
        # The markup rules can take too much on unusual templates (articles in
        # hidden tabs, whole pages under a widget class); try once without them,
        # but never with hidden text, link farms or the outlet's dropped nodes back.
        pristine = _parse(html)
        if pristine is not None:
            if options.rules is not None and options.rules.drop:
                _drop_nodes(pristine, options.rules)
            dom_rules.apply_rules(pristine, options, dom_rules.SPAM_RULES)
            retry = _main_text(pristine, url, options, ctx, mark_headline(pristine, title))
            if len("\n\n".join(retry[0])) > len(text):
                return retry[0], retry[1], {"markup rules undone: too little text left": 1}
    if len(text) < _min_chars(text, options):
        # Too little in the DOM: a page that renders its article from a script's
        # stream holds the body there as HTML (the header and footer being markup).
        carried = streamed_html(html)
        streamed = _parse(f"<html><body><article>{carried}</article></body></html>") if carried else None
        if streamed is not None:
            dom_rules.apply_rules(streamed, options)
            found = _main_text(streamed, url, options, ctx, None)
            if len("\n\n".join(found[0])) > len(text):
                return found[0], found[1], {"body from the page's script stream": 1}
    return paragraphs, text_removed, dom_removed


def _min_chars(text: str, options: ExtractOptions) -> int:
    # CJK text carries about three times the information per character.
    cjk = len(_CJK_CHARS.findall(text, 0, 2000))
    return options.min_text_chars // 3 if cjk > len(text[:2000]) / 3 else options.min_text_chars


_CJK_CHARS = re.compile("[\u3040-\u9fff\uac00-\ud7af]")

