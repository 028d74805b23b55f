"""Near-duplicate key shared by syndicated copies of one story.

The key is a bottom-k MinHash sketch: the 4 smallest 64-bit hashes over the body's
5-token shingles (the first 600 of them), hashed together. Two texts share it only if
their 4 smallest shingle hashes are the same, which happens with probability about
the Jaccard similarity of their shingle sets to the 4th power: copies of a wire story
that differ by a dateline, a trailing credit or a changed word (J 0.95-1) mostly share
it, while stories that only share a boilerplate paragraph left in the body (a footer,
a disclaimer: J 0.1-0.3) practically never do. A single smallest hash (``mh1-``) merged
them with probability J itself, so a paragraph every article of an outlet carries put a
tenth of the outlet in one "story". The first and last few tokens are left out because
that is where outlets edit wire copy (datelines, credits). CJK text has no spaces, so
each Han/kana/Hangul character is a token.
"""

from __future__ import annotations

import heapq
import re
import zlib

__all__ = ["cluster_key"]

_TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]|[^\W_]+")
_SHINGLE = 5
_MAX_SHINGLES = 600
_EDGE = 12  # tokens ignored at each end when the text is long enough to spare them
_SKETCH = 4  # smallest hashes that must agree


def cluster_key(text: str) -> str | None:
    """``mh2-`` + 16 hex digits, or None when the text is too short to fingerprint."""
    tokens = _TOKEN.findall(text.lower())
    if len(tokens) >= 8 * _EDGE:
        tokens = tokens[_EDGE:-_EDGE]
    if len(tokens) < _SHINGLE * 2:
        return None
    # The first _MAX_SHINGLES shingles are plenty to estimate similarity and keep the
    # cost flat for very long pages.
    count = min(len(tokens) - _SHINGLE + 1, _MAX_SHINGLES)
    hashes = {_hash64(" ".join(tokens[i : i + _SHINGLE]).encode("utf-8")) for i in range(count)}
    sketch = b"".join(value.to_bytes(8, "big") for value in heapq.nsmallest(_SKETCH, hashes))
    return f"mh2-{_hash64(sketch):016x}"


def _hash64(data: bytes) -> int:
    # CRC-32 of the bytes and of the reversed bytes: 64 bits that are stable across
    # processes and Python versions (unlike hash()) and several times cheaper than a
    # cryptographic digest. (A second seed would not do: CRC is affine in its seed.)
    return (zlib.crc32(data) << 32) | zlib.crc32(data[::-1])
