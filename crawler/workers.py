"""The crawl's worker processes: CPU work handed off the reactor's process.

Extraction dominates a crawl's CPU and is a pure function of bytes, so it runs in a
process pool while the reactor keeps downloading (``crawler.extraction``). A pool whose
worker died is replaced, once, however many calls were in flight.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import select
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable, TypeVar

__all__ = ["ProcessWorkers", "run_here", "start_pool"]

logger = logging.getLogger(__name__)

T = TypeVar("T")

# One forkserver per process: it imports the work once, and every worker forked from it
# starts with it loaded (the extractor, and what finishes an article: ``article_job``).
_PRELOAD = ["extract.pipeline", "crawler.extraction"]


def start_pool(workers: int, warm_up: Callable[[], None]) -> ProcessPoolExecutor:
    """``workers`` processes, started now and each running ``warm_up`` first."""
    # forkserver: never fork a process that runs the reactor and its threads.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker,
                               initargs=(os.getpid(), warm_up))
    for _ in range(workers):  # a submit starts a worker: start them now, not at the first call
        pool.submit(int)
    return pool


def _start_worker(crawl: int, warm_up: Callable[[], None]) -> None:
    _exit_with(crawl)
    warm_up()


def _exit_with(crawl: int) -> None:
    """End this worker when the crawl process ends, however it ends.

    A worker holds both ends of its pool's pipes, so when the crawl process is killed
    (``kill -9``, the OOM killer) nothing ever tells it: it would wait, or block writing
    a result nobody reads, for good, holding its memory.
    """
    try:
        handle = os.pidfd_open(crawl)
    except ProcessLookupError:
        os._exit(0)
    except (AttributeError, OSError):  # no pidfd here (not Linux 5.3+): nothing to watch with
        return

    def watch() -> None:
        select.select([handle], [], [])  # readable once the process has exited
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-crawl", daemon=True).start()


class ProcessWorkers:
    """``count`` worker processes for one kind of work (``kind`` names it in logs);
    with ``count`` 0, calls run in this process."""

    def __init__(self, kind: str, count: int, warm_up: Callable[[], None]) -> None:
        self._kind = kind
        self._count = count
        self._warm_up = warm_up
        self._pool = start_pool(count, warm_up) if count > 0 else None

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        pool = self._pool
        if pool is None:
            return await run_here(fn, *args)
        try:
            return await asyncio.wrap_future(pool.submit(fn, *args))
        except BrokenProcessPool:
            # A worker died (OOM killer, a crash in a C extension): a broken pool fails
            # every later call, so start a new one (once, however many calls were in
            # flight) and give this call one more try.
            if self._pool is pool:
                logger.warning("%s worker died; starting new workers", self._kind)
                pool.shutdown(wait=False, cancel_futures=True)
                self._pool = start_pool(self._count, self._warm_up)
            assert self._pool is not None
            return await asyncio.wrap_future(self._pool.submit(fn, *args))

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


async def run_here(fn: Callable[..., T], *args: Any) -> T:
    """What a component without worker processes awaits in their place."""
    return fn(*args)
