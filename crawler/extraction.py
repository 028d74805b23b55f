"""Extraction in worker processes: the crawl's and re-extraction's pool.

Extraction dominates a crawl's CPU and is pure and picklable (``extract.extract_page``),
so it runs in a process pool while the reactor keeps downloading.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from extract import ExtractionResult, extract_page
from crawler.logs import quiet_libraries
from extract.language import detect_language

__all__ = ["extract_job", "start_pool"]


def start_pool(workers: int) -> ProcessPoolExecutor:
    """``workers`` extraction processes, started and warmed up now."""
    # forkserver: never fork a process that runs the reactor and its threads. The server
    # imports the extractor once; each worker then loads its language model while the
    # spider is still reading feeds and sitemaps.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["extract.pipeline"])
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_warm_up)
    for _ in range(workers):  # a submit starts a worker: start them now, not at the first article
        pool.submit(int)
    return pool


def extract_job(body: bytes, url: str, kwargs: dict[str, Any]) -> ExtractionResult:
    """``extract_page`` with its keyword arguments as one picklable dict."""
    return extract_page(body, url, **kwargs)


def _warm_up() -> None:
    quiet_libraries()
    detect_language("A sentence long enough for the language model to load and answer.")
