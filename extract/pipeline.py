"""``extract_page``: page bytes in, an article or a classified rejection out.

Pure by contract: no network, files, clock or process-wide caches (trafilatura's
de-duplication cache stays off), so results depend only on the arguments and the
crawler can run it in a process pool.
"""

from __future__ import annotations

from typing import Mapping

import lxml.html
import trafilatura
from lxml import etree

from extract.article import Article, PageType, Rejection, article_id
from extract.decode import decode_body
from extract.language import detect_language
from extract.options import ExtractOptions, Hints
from extract.result import ExtractionResult
from extract.version import EXTRACTOR

__all__ = ["extract_page"]

_HTML_HINT = (b"<html", b"<body", b"<div", b"<p", b"<head", b"<!doctype html", b"<article")


def _looks_like_html(body: bytes, headers: Mapping[str, str] | None) -> bool:
    for key, value in (headers or {}).items():
        if key.lower() == "content-type" and value.strip():
            mime = value.split(";")[0].strip().lower()
            if mime not in ("text/html", "application/xhtml+xml", "text/plain", ""):
                return False
    head = body[:4096].lower()
    return any(hint in head for hint in _HTML_HINT)


def _parse(text: str) -> etree._Element | None:
    # Parse from UTF-8 bytes with an explicit encoding: lxml refuses str input that
    # carries an XML encoding declaration, and must not re-sniff a <meta charset>.
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    try:
        return lxml.html.document_fromstring(text.encode("utf-8", "surrogatepass"), parser=parser)
    except (etree.ParserError, ValueError):
        return None


def _paragraphs(body: etree._Element) -> list[str]:
    """Trafilatura's output tree as paragraphs: one per block, list item or table row."""
    out: list[str] = []
    for block in body:
        if block.tag == "list":
            units = list(block.iter("item"))
        elif block.tag == "table":
            units = list(block.iter("row"))
        else:
            units = [block]
        for unit in units:
            text = " ".join("".join(unit.itertext()).split())
            if text:
                out.append(text)
    return out


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
    doc = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=True,
        include_comments=options.include_comments,
        include_tables=options.include_tables,
        deduplicate=False,
    )
    if doc is None or doc.body is None:
        return _reject(PageType.INDEX, Rejection.EMPTY, ("no main text block found",), encoding)
    paragraphs = _paragraphs(doc.body)
    if paragraphs and doc.title and paragraphs[0] == " ".join(doc.title.split()):
        paragraphs = paragraphs[1:]
    body_text = "\n\n".join(paragraphs)
    if len(body_text) < options.min_text_chars:
        return _reject(
            PageType.INDEX, Rejection.TOO_SHORT, (f"body has {len(body_text)} characters",), encoding
        )
    canonical = doc.url or url
    article = Article(
        id=article_id(canonical),
        url=url,
        canonical_url=canonical,
        title=doc.title,
        text=body_text,
        language=detect_language(body_text),
        published=doc.date,
        extractor=EXTRACTOR,
        fetched_at=fetched_at,
        authors=tuple(a.strip() for a in (doc.author or "").split(";") if a.strip()),
        description=doc.description,
        site_name=doc.sitename,
        tags=tuple(doc.tags or ()),
    )
    return ExtractionResult(article, PageType.ARTICLE, ("main text found",), None, encoding)
