"""Ordered, bounded concurrent mapping: many small reads from S3 are latency-bound."""

from __future__ import annotations

from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable, Iterable, Iterator, TypeVar

__all__ = ["ordered_map"]

_In = TypeVar("_In")
_Out = TypeVar("_Out")


def ordered_map(func: Callable[[_In], _Out], items: Iterable[_In], *, workers: int = 8, window: int = 32) -> Iterator[_Out]:
    """``map(func, items)`` run on ``workers`` threads, in order, at most ``window`` ahead.

    Still streams: ``items`` is consumed only as results are taken, so a listing of a
    large bucket is never held in memory.
    """
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="archive-read") as pool:
        ahead: deque[Future[_Out]] = deque()
        for item in items:
            ahead.append(pool.submit(func, item))
            if len(ahead) >= window:
                yield ahead.popleft().result()
        while ahead:
            yield ahead.popleft().result()
