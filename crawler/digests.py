"""The two digests change detection compares: a payload's, and an article's content."""

from __future__ import annotations

import base64
import hashlib
import json

from extract.article import Article

__all__ = ["article_digest", "payload_digest"]

# What identifies an article's content; provenance (warc, fetched_at) changes every fetch.
_VOLATILE = {"warc", "fetched_at", "extractor", "disagreements"}


def payload_digest(body: bytes) -> str:
    """WARC payload digest (SHA-1, base32) of a body as received."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def article_digest(article: Article) -> str:
    """Digest of what an article says, so an unchanged re-extraction is not rewritten."""
    data = {k: v for k, v in article.to_dict().items() if k not in _VOLATILE}
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
