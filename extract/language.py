"""Language of the article text, detected from the text itself.

Markup (``<html lang>``, ``og:locale``) is often a site-wide template default and
wrong for the page, so it is never taken on its own.
"""

from __future__ import annotations

import py3langid

__all__ = ["detect_language"]

# py3langid labels Norwegian Bokmål ``nb``; archives and the corpus use ``no``.
_ALIASES = {"nb": "no", "nn": "no"}


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of ``text``, or None when there is too little text to tell."""
    sample = text[:1200]  # enough for a stable answer; cost grows with length
    if len(sample.strip()) < 20:
        return None
    code, _score = py3langid.classify(sample)
    return _ALIASES.get(code, code)
