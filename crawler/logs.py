"""Log levels of the libraries the extractor calls.

Their warnings are about their own choices on a page ("discarding data"); the page type
and reasons of our record say what happened, once. ``-v`` shows them again.
"""

from __future__ import annotations

import logging

__all__ = ["LIBRARY_LOGGERS", "quiet_libraries"]

LIBRARY_LOGGERS = ("trafilatura", "htmldate", "courlan", "charset_normalizer", "justext")


def quiet_libraries(level: int = logging.ERROR) -> None:
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(level)
