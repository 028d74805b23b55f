"""Page metadata from structured markup: JSON-LD, OpenGraph, <meta>, <link>, headings.

Runs on the untouched tree, before any noise removal. Visible-text evidence
(datelines, source credits) is in ``credits.py``; the feed/sitemap check in ``hints.py``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from lxml import etree

from extract.dates import iso_date

__all__ = ["PageMeta", "clean_title", "host_labels", "read_metadata", "split_names", "strip_bracket_prefix"]

_ARTICLE_TYPES = {
    "newsarticle", "article", "reportagenewsarticle", "blogposting", "analysisnewsarticle",
    "opinionnewsarticle", "backgroundnewsarticle", "liveblogposting", "posting",
    "socialmediaposting", "scholarlyarticle", "techarticle", "report", "webpage",
}
_PUBLISHED_META = (
    "article:published_time", "og:published_time", "datepublished", "publishdate", "publish-date",
    "pubdate", "publication_date", "sailthru.date", "parsely-pub-date", "dc.date.issued",
    "dcterms.issued", "dc.date", "dcterms.created", "date", "article.published", "og:article:published_time",
)
_MODIFIED_META = ("article:modified_time", "og:updated_time", "datemodified", "dcterms.modified", "last-modified")
# Han/kana/Hangul, and the closing marks a CJK headline can end with before a separator.
_CJK_CHAR = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_CJK_END = _CJK_CHAR + ")）」』》】”？！?!"
# Spaced separators; bars and underscores anywhere; and hyphens or en dashes glued
# between CJK words ("<headline>-新华网", "<headline>--人民网"), which CJK titles use
# for lack of spaces. Two characters of CJK text are required on each side (the left
# one may be a closing bracket, quote, ? or !) so that abbreviations joined by a
# hyphen inside a headline ("한-미", "中-俄") stay whole, and
# the em dash is left out: "——" is Chinese in-headline punctuation. Latin text
# ("U.S.-China") never matches.
_TITLE_SEPARATORS = re.compile(
    rf"\s+[|\-–—:·»/]\s+|\s*[|｜_]\s*|(?<=[{_CJK_CHAR}][{_CJK_END}])[-‐‑–－]+(?=[{_CJK_CHAR}]{{2}})"
)


@dataclass(frozen=True)
class PageMeta:
    title: str | None
    headline_candidates: tuple[str, ...]
    authors: tuple[str, ...]
    published: str | None
    modified: str | None
    description: str | None
    site_name: str | None
    canonical_url: str | None
    tags: tuple[str, ...]
    markup_language: str | None


def _norm(text: str | None) -> str:
    return " ".join((text or "").split())


def _metas(tree: etree._Element) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        value = meta.get("content")
        if key and value and value.strip():
            found.setdefault(key, []).append(value.strip())
    return found


def _jsonld(tree: etree._Element) -> list[dict]:
    objects: list[dict] = []

    def walk(node: object) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            objects.append(node)
            if "@graph" in node:
                walk(node["@graph"])

    for script in tree.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        try:
            walk(json.loads(script.text))
        except (ValueError, RecursionError):
            continue  # broken JSON-LD is common; other evidence remains
    return objects


def _types(obj: dict) -> set[str]:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {str(k).lower() for k in kinds if k}


def _names(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return _names(value.get("name"))
    if isinstance(value, list):
        return [n for item in value for n in _names(item)]
    return []


def split_names(raw: str) -> list[str]:
    if re.match(r"\s*(?:https?:|www\.|/)", raw):
        return []  # a profile URL, not a name
    parts = re.split(r"\s*(?:;|,|\band\b|\bund\b|&|、|/)\s*", raw)
    return [p for p in (_norm(x) for x in parts) if p and not p.startswith("http") and len(p) <= 60]


def clean_title(raw: str | None, site_names: tuple[str, ...] = ()) -> str | None:
    """A <title> or og:title without the outlet's name (and section) around it."""
    title = _norm(raw)
    if not title:
        return None
    parts = [p for p in _TITLE_SEPARATORS.split(title) if p.strip()]
    if len(parts) == 1:
        return title
    names = [n.lower() for n in site_names if n]
    def is_site(part: str) -> bool:
        low = part.lower().strip()
        return any(n in low or low in n for n in names) or bool(re.fullmatch(r"[\w.-]+\.[a-z]{2,}", low))
    # Drop leading/trailing segments that name the site (or are dates), keep the rest.
    while len(parts) > 1 and (is_site(parts[-1]) or iso_date(parts[-1]) or re.fullmatch(r"[\d.\s/-]+", parts[-1])):
        parts.pop()
    while len(parts) > 1 and is_site(parts[0]):
        parts.pop(0)
    # With the site name unknown, a short last piece after a long headline is the
    # outlet ("Headline - Daily Planet").
    while len(parts) > 1 and len(parts[-1].split()) <= 3 and len(" ".join(parts[:-1])) >= 3 * len(parts[-1]):
        parts.pop()
    return title[title.index(parts[0]) : title.rindex(parts[-1]) + len(parts[-1])].strip()


_BRACKET_PREFIX = re.compile(r"^\s*(?:【([^】]{1,80})】|\[([^\]]{1,80})\]|［([^］]{1,80})］|〖([^〗]{1,80})〗)\s*")


def strip_bracket_prefix(title: str | None, evidence: list[str] | tuple[str, ...]) -> str | None:
    """``title`` without a leading bracketed run that none of ``evidence`` contains.

    ``evidence`` is text the page states as its own (headings, og:title, the body);
    a label the headline itself carries ("【独家】" in the <h1> too) stays.
    """
    if not title:
        return title
    match = _BRACKET_PREFIX.match(title)
    if not match or match.end() >= len(title):
        return title
    inner = next(g for g in match.groups() if g).strip().casefold()
    if any(inner in " ".join(e.split()).casefold() for e in evidence):
        return title
    return title[match.end():].strip() or title


def host_labels(url: str) -> tuple[str, ...]:
    """Distinctive labels of the URL's host ("zeenews" of www.zeenews.india.com)."""
    host = urlsplit(url).hostname or ""
    labels = [l for l in host.split(".") if l not in ("www", "m", "com", "org", "net", "co", "cn", "uk", "de", "news")]
    return tuple(l for l in labels if len(l) >= 3)


def _canonical(tree: etree._Element, url: str, metas: dict[str, list[str]]) -> str | None:
    candidates = [link.get("href") for link in tree.iter("link") if (link.get("rel") or "").lower() == "canonical"]
    candidates += metas.get("og:url", [])
    page_path = urlsplit(url).path.rstrip("/")
    for cand in candidates:
        if not cand:
            continue
        absolute = urljoin(url, cand.strip())
        parts = urlsplit(absolute)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            continue
        # Templates that point og:url/canonical at the home page would merge every
        # article into one id; only accept a canonical as deep as an article URL.
        if parts.path.rstrip("/") in ("", "/index.html", "/index.htm", "/index.shtml") and page_path:
            continue
        return absolute
    return None


def read_metadata(tree: etree._Element, url: str) -> PageMeta:
    """Everything structured markup says about the page, normalised."""
    metas = _metas(tree)
    objects = _jsonld(tree)
    articles = [o for o in objects if _types(o) & _ARTICLE_TYPES]
    articles.sort(key=lambda o: "webpage" in _types(o))  # prefer real article types

    def first_meta(*keys: str) -> str | None:
        for key in keys:
            for value in metas.get(key, ()):
                return value
        return None

    def first_ld(key: str) -> object:
        for obj in articles:
            if obj.get(key):
                return obj[key]
        return None

    site_name = first_meta("og:site_name", "application-name")
    if not site_name:
        for obj in objects:
            if _types(obj) & {"organization", "newsmediaorganization"} or obj.get("publisher"):
                names = _names(obj.get("publisher")) or (_names(obj) if _types(obj) & {"newsmediaorganization"} else [])
                if names:
                    site_name = names[0]
                    break
    site_names = tuple(n for n in (site_name, *host_labels(url)) if n)

    h1s = [_norm("".join(h.itertext())) for h in tree.iter("h1")]
    h1s = [h for h in h1s if 5 <= len(h) <= 300]
    headline = first_ld("headline")
    og_title = first_meta("og:title", "twitter:title")
    title_tag = next((_norm("".join(t.itertext())) for t in tree.iter("title")), None)
    # A bracketed run glued to the front of <title> that no heading repeats is injected
    # keyword spam ("【A-B-C】Real headline"); the page's own headings stand without it.
    headings = [*h1s, *(c for c in (headline if isinstance(headline, str) else None, og_title) if c)]
    title_tag = strip_bracket_prefix(title_tag, headings)
    candidates = [c for c in (_norm(headline) if isinstance(headline, str) else None, og_title, title_tag) if c]
    cleaned = [clean_title(c, site_names) for c in candidates]
    title = None
    # An <h1> confirmed by the document's own title markup is the headline.
    # A much shorter <h1> inside the title is the site's or section's name, not it.
    # An <h1> that wraps a title candidate in more words carries a kicker
    # ("Syria: <headline>"): the candidate is the headline.
    for h in h1s:
        if site_name and h.casefold() == site_name.casefold():
            continue
        for c in cleaned + candidates:
            if c and (h == c or (h in c and len(h) >= 0.6 * len(c))):
                title = h
            elif c and c in h and len(c) >= 0.6 * len(h):
                title = c
            else:
                continue
            break
        if title:
            break
    if title is None:
        title = next((c for c in cleaned if c), None)
    if title and site_name and title.lower() == site_name.lower():
        title = None  # the only "title" is the outlet's name: an untitled post

    published = None
    for value in (first_ld("datePublished"), first_meta(*_PUBLISHED_META), first_ld("dateCreated")):
        published = iso_date(value) if isinstance(value, str) else None
        if published:
            break
    if not published:
        for node in tree.iter("time"):
            published = iso_date(node.get("datetime"))
            if published:
                break
    modified = next(
        (iso_date(v) for v in (first_ld("dateModified"), first_meta(*_MODIFIED_META)) if isinstance(v, str) and iso_date(v)),
        None,
    )

    authors = [n for raw in _names(first_ld("author")) for n in split_names(raw)]
    if not authors:
        authors = [n for raw in metas.get("author", []) + metas.get("article:author", []) for n in split_names(raw)]
    tags: list[str] = list(metas.get("article:tag", []))
    keywords = first_ld("keywords")
    if isinstance(keywords, list):
        tags += [str(k) for k in keywords]
    elif isinstance(keywords, str):
        tags += keywords.split(",")
    if not tags:
        tags += (first_meta("keywords", "news_keywords") or "").split(",")
    tags = list(dict.fromkeys(t for t in (_norm(x) for x in tags) if t and len(t) <= 60))[:30]

    description = first_meta("og:description", "description", "twitter:description")
    if not description and isinstance(first_ld("description"), str):
        description = first_ld("description")  # type: ignore[assignment]
    html = tree if tree.tag == "html" else tree.getroottree().getroot()
    lang = (html.get("lang") or html.get("xml:lang") or "").split("-")[0].lower() or None

    return PageMeta(
        title=title,
        headline_candidates=tuple(dict.fromkeys(h1s[:3] + [c for c in cleaned if c])),
        authors=tuple(dict.fromkeys(authors)),
        published=published,
        modified=modified,
        description=_norm(description) or None,
        site_name=_norm(site_name) or None,
        canonical_url=_canonical(tree, url, metas),
        tags=tuple(tags),
        markup_language=lang,
    )
