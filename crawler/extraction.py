"""Extraction in worker processes: the crawl's and re-extraction's pool.

Extraction is pure and picklable (``extract.extract_page``), so it runs in worker
processes (``crawler.workers``) while the reactor keeps downloading. A crawl's job
(``article_job``) also finishes the article there: provenance, identity, the digest
change detection compares, and the JSON with its WARC record, built ahead so the crawl
process only writes them.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from typing import Any, Callable

from archive.warc import BuiltRecord
from crawler.digests import article_digest
from crawler.identity import own_identity
from crawler.logs import quiet_libraries
from crawler.workers import start_pool as _start
from extract import ExtractionResult, extract_page
from extract.article import Article, WarcRef
from extract.language import detect_language

__all__ = ["Extracted", "Provenance", "article_job", "extract_job", "start_pool", "warm_up"]


def start_pool(workers: int) -> ProcessPoolExecutor:
    """``workers`` extraction processes, started and warmed up now."""
    return _start(workers, warm_up)


def extract_job(body: bytes, url: str, kwargs: dict[str, Any]) -> ExtractionResult:
    """``extract_page`` with its keyword arguments as one picklable dict."""
    return extract_page(body, url, **kwargs)


@dataclass(frozen=True)
class Provenance:
    """Where a page's article came from, and which domains may set its id (``own_identity``)."""

    warc: WarcRef
    fetched_at: str
    outlet: str | None
    scope: tuple[str, ...] | None


@dataclass(frozen=True)
class Extracted:
    """``result.article`` (when there is one) carries its provenance and own id; ``digest``
    is its ``article_digest``; ``record`` its JSON and WARC record, to append if it is new."""

    result: ExtractionResult
    digest: str | None = None
    record: tuple[bytes, BuiltRecord] | None = None

    @property
    def article(self) -> Article | None:
        return self.result.article


def article_job(body: bytes, url: str, kwargs: dict[str, Any], provenance: Provenance,
                build_record: Callable[[Article], tuple[bytes, BuiltRecord]]) -> Extracted:
    """Extract a crawled page and finish its article (``build_record``: ``ArchiveSession.article_builder``)."""
    result = extract_page(body, url, **kwargs)
    if result.article is None:
        return Extracted(result)
    article = own_identity(
        result.article.with_provenance(warc=provenance.warc, fetched_at=provenance.fetched_at,
                                       outlet=provenance.outlet),
        provenance.scope,
    )
    return Extracted(replace(result, article=article), article_digest(article), build_record(article))


def warm_up() -> None:
    """Each worker loads its language model while the spider still reads feeds and sitemaps."""
    quiet_libraries()
    detect_language("A sentence long enough for the language model to load and answer.")
