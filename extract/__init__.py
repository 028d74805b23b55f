"""Extraction: page bytes + URL (+ hints, options) -> an article or a classified rejection.

Pure and picklable end to end; see docs/DESIGN.md, section "Extraction".
"""

from extract.options import ExtractOptions, Hints, Topic
from extract.pipeline import extract_page
from extract.result import ExtractionResult
from extract.version import EXTRACTOR

__all__ = ["EXTRACTOR", "ExtractOptions", "ExtractionResult", "Hints", "Topic", "extract_page"]
