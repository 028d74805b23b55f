"""Extraction: page bytes + URL (+ hints, options) -> an article or a classified rejection.

Pure and picklable end to end; see docs/DESIGN.md, section "Extraction".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from extract.options import ExtractOptions, Hints, SiteRules, Topic
from extract.result import ExtractionResult
from extract.version import EXTRACTOR

if TYPE_CHECKING:
    from extract.pipeline import extract_page

__all__ = ["EXTRACTOR", "ExtractOptions", "ExtractionResult", "Hints", "SiteRules", "Topic", "extract_page"]


def __getattr__(name: str) -> Any:
    # The pipeline pulls in trafilatura, lxml and the language model (most of a second);
    # readers of the record types (the archive, the CLI's help) should not pay for it.
    if name == "extract_page":
        from extract.pipeline import extract_page

        return extract_page
    raise AttributeError(f"module 'extract' has no attribute {name!r}")
