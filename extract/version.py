"""Who made an article: re-extraction compares this to decide what to redo."""

from extract.article import ExtractorInfo

__all__ = ["EXTRACTOR"]

# Bump on every change that alters extraction output.
EXTRACTOR = ExtractorInfo(name="newsarchive", version="0.3.5")
