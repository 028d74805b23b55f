"""Turn page bytes into text, trusting the bytes over what the page or server claims.

Order of evidence: a byte-order mark; then valid UTF-8 (legacy multi-byte text is
practically never valid UTF-8, while UTF-8 pages often carry stale ``gb2312`` or
``iso-8859-1`` declarations); then each declared charset (HTTP header, ``<meta>``,
XML declaration) whose strict decode succeeds; then statistical detection.
"""

from __future__ import annotations

import codecs
import re
from typing import Mapping

from charset_normalizer import from_bytes

__all__ = ["decode_body", "declared_charsets", "normalise_charset"]

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Declarations that name a subset of what pages really contain: decoding with the
# superset avoids replacement characters and never changes correctly declared text.
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "big5": "big5hkscs",
    "shift_jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "euc-kr": "cp949",
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "tis-620": "cp874",
}

_MULTIBYTE = frozenset(
    {"gb18030", "big5hkscs", "cp932", "euc_jp", "iso2022_jp", "cp949", "euc_kr", "big5", "shift_jis"}
)

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def normalise_charset(label: str) -> str | None:
    """Python codec name for a charset label, widened to its superset; None if unknown."""
    label = label.strip().lower()
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return _SUPERSETS.get(label) or _SUPERSETS.get(name.replace("_", "-")) or _SUPERSETS.get(name) or name


def declared_charsets(body: bytes, headers: Mapping[str, str] | None = None) -> list[str]:
    """Charsets the header and the page claim, in order of appearance, normalised."""
    labels: list[str] = []
    for key, value in (headers or {}).items():
        if key.lower() == "content-type":
            labels += _HEADER_CHARSET.findall(value)
    head = body[:4096]
    labels += [m.decode("ascii", "replace") for m in _XML_DECL.findall(head)]
    labels += [m.decode("ascii", "replace") for m in _META_CHARSET.findall(body[:65536])]
    found: list[str] = []
    for label in labels:
        name = normalise_charset(label)
        if name and name not in found:
            found.append(name)
    return found


def decode_body(body: bytes, headers: Mapping[str, str] | None = None) -> tuple[str, str]:
    """Decode page bytes; returns the text and the codec name it was decoded with."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body.decode(name, errors="replace"), name
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    for name in declared_charsets(body, headers):
        if name in ("utf-8", "utf-16", "utf-32"):
            continue  # already disproved (utf-8) or impossible without a BOM
        try:
            text = body.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
        if name in _MULTIBYTE:
            return text, name
        # Almost any bytes decode "successfully" in a single-byte charset, so such a
        # declaration only wins when detection finds no multi-byte reading.
        detected = _detect(body)
        if detected and detected[1] in _MULTIBYTE:
            return detected
        return text, name
    for name in declared_charsets(body, headers):
        # A few stray bytes (a truncated character, a pasted fragment) should not
        # throw away an otherwise correct declaration.
        text = body.decode(name, errors="replace")
        if text.count("\ufffd") <= max(2, len(text) // 2000):
            return text, name
    detected = _detect(body)
    if detected is None or detected[1] not in _MULTIBYTE:
        # Detection is thrown by a few corrupt bytes in otherwise clean GBK (or
        # Shift_JIS, Big5) text and answers with some single-byte codec; a
        # multi-byte reading that fails only on those few bytes is the better one.
        nearly = _nearly_multibyte(body)
        if nearly is not None:
            return nearly
    return detected or (body.decode("utf-8", errors="replace"), "utf-8")


def _nearly_multibyte(body: bytes) -> tuple[str, str] | None:
    high = sum(1 for b in body[:65536] if b >= 0x80)
    if high < 200:
        return None
    for name in ("gb18030", "cp932", "big5hkscs"):
        text = body.decode(name, errors="replace")
        if text.count("\ufffd") <= max(2, len(text) // 2000):
            return text, name
    return None


def _detect(body: bytes) -> tuple[str, str] | None:
    best = from_bytes(body).best()
    if best is None:
        return None
    name = normalise_charset(best.encoding) or best.encoding
    return body.decode(name, errors="replace"), name
