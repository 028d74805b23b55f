"""Article markup a page carries only inside a script: React Server Components streams.

Next.js App Router pages may render the article on the client from a stream pushed
by inline scripts (``self.__next_f.push([1, "..."])``); the DOM then holds the header
and footer but no body. The stream's text rows (``24:T1b7b,<p>...``: an id, ``T``,
the byte length in hex, a comma, then the text) carry the body as HTML. Used only when
the visible markup yields too little text.
"""

from __future__ import annotations

import json
import re

__all__ = ["streamed_html"]

# The string argument of one push: a JSON string literal.
_PUSH = re.compile(r'self\.__next_f\.push\(\[1,\s*("(?:[^"\\]|\\.)*")\]\)')
_TEXT_ROW = re.compile(rb"(?:^|\n)[0-9a-z]+:T([0-9a-f]{1,8}),")
_PARAGRAPH = re.compile(rb"<p[\s>]")


def streamed_html(html: str) -> str | None:
    """The HTML text rows of the page's RSC stream holding paragraphs, joined; None if none."""
    if "self.__next_f.push" not in html:
        return None
    pushed = []
    for match in _PUSH.finditer(html):
        try:
            pushed.append(json.loads(match.group(1)))
        except ValueError:
            continue
    # Row lengths count UTF-8 bytes, so the stream is read as bytes.
    stream = "".join(pushed).encode("utf-8", "surrogatepass")
    rows = []
    for row in _TEXT_ROW.finditer(stream):
        text = stream[row.end(): row.end() + int(row.group(1), 16)]
        if _PARAGRAPH.search(text):
            rows.append(text.decode("utf-8", "replace"))
    return "\n".join(rows) or None
