"""Page furniture named by class or id, date stamps, typed comments and embedded social posts."""

from __future__ import annotations

import re

from lxml import etree

from extract.dom_helpers import (
    _INLINE,
    _KEEP_TAGS,
    _page_chars,
    _remove_unless_main,
    _text_len,
    remove_element,
)
from extract.options import ExtractOptions

__all__ = ["remove_widgets"]


# The classes the platforms' embed scripts look for: a post quoted by markup, with
# its own author, date and link, is someone else's text beside the article.
_EMBED_TOKENS = frozenset({"twitter-tweet", "instagram-media", "tiktok-embed"})
# Class/id tokens that name page furniture rather than content. Matched as whole
# tokens between non-alphanumerics, so "shared" or "adapt" do not hit.
_WIDGET_TOKENS = frozenset(
    """share sharing social sharebar print fontsize font-size textsize comment comments
    newsletter subscribe subscription related recommended recommend advert advertisement
    ads ad adsbygoogle sponsor sponsored promo breadcrumb breadcrumbs copyright disclaimer
    captcha popup modal cookie cookies toolbar util""".split()
) | _EMBED_TOKENS
_EMBEDDED_POST = re.compile(r"(?<![a-z0-9-])(?:" + "|".join(map(re.escape, sorted(_EMBED_TOKENS))) + r")(?![a-z0-9])")
_WIDGET_NAME = re.compile(
    r"(?<![a-z0-9])(?:" + "|".join(re.escape(t) for t in sorted(_WIDGET_TOKENS, key=len, reverse=True)) + r")(?![a-z0-9])"
)
# A sidebar named as a whole class or id ("sidebar", "l-sidebar"); not the layout
# grids built around one ("sidebar-grid__content" holds the article).
_SIDEBAR = re.compile(r"(?:^|\s)(?:[a-z0-9]+-)?sidebar(?:\s|$)")


def remove_widgets(tree: etree._Element, options: ExtractOptions) -> int:
    """Share, print, font-size, comment, newsletter and ad blocks, named by class or id,
    and embedded social posts (``<blockquote class="twitter-tweet">``, Instagram, TikTok).

    Before its script runs, an embedded post is a blockquote of its text and a credit
    line (``— Name (@handle) May 11, 2024``); a tweet of three paragraphs is still one
    post, so only its share of the page guards it, not the paragraph count. A post the
    story quotes stays (``_quoted_in_story``), and so does a widget-named wrapper around it.
    """
    # The attribute values, not the elements: a string per attribute is cheap, an
    # element proxy is not, and only the few matching elements need one.
    widgets: dict[etree._Element, None] = {}
    posts: dict[etree._Element, None] = {}
    for value in _CLASS_OR_ID(tree):
        lowered = value.lower()
        if _WIDGET_NAME.search(lowered) or ("sidebar" in lowered and _SIDEBAR.search(lowered)):
            (posts if _EMBEDDED_POST.search(lowered) else widgets)[value.getparent()] = None
    total = _page_chars(tree)
    removed = 0
    quoted: set[etree._Element] = set()
    if posts:
        wrapped = {el: _wrappers(el) for el in posts}
        holders = {a for found in wrapped.values() for a in found}
        quoted = {a for el, found in wrapped.items() if _quoted_in_story(found, holders) for a in found}
    for el in posts:
        if (el.tag not in _KEEP_TAGS and el.getparent() is not None and el not in quoted
                and not (quoted and any(a in quoted for a in el.iterancestors()))
                and _text_len(el) <= 0.2 * total):
            remove_element(el)
            removed += 1
    # The page's date stamp as the template prints it ("Monday, 22 January 2018 at 0:13"),
    # marked up as the schema.org date: metadata, read separately, not a line of text.
    for el in _DATE_PROPS(tree):
        if el not in widgets and 0 < _text_len(el) <= _MAX_STAMP_CHARS:
            widgets[el] = None
    # A reader's comment typed as such (schema.org Comment microdata) is never the
    # article, however many paragraphs it has; only its share of the page guards it.
    for el in _COMMENT_ITEMS(tree):
        if el.tag not in ("html", "body") and _attached(el) and _text_len(el) <= 0.2 * total:
            remove_element(el)
            removed += 1
    kept = [el for el in widgets if el not in posts and el not in quoted
            and el.tag not in _KEEP_TAGS and not _in_sentence(el) and _attached(el)]
    return removed + _remove_unless_main(kept, total)


# What a reader sees of an element: its text outside scripts and styles.
_SHOWN_TEXT = etree.XPath(
    ".//text()[normalize-space()][not(ancestor::script or ancestor::style or ancestor::noscript)]",
    smart_strings=False,
)
_OWN_TEXT = etree.XPath(".//text()[not(ancestor::a or ancestor::script or ancestor::style)]", smart_strings=False)
_WORD = re.compile(r"[^\W\d_]{2,}")
_IDEOGRAPHS = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
# A quoted post says something in words of its own: a sentence, not a caption under
# a photo or video ("Drake Maye 🎯 pic.twitter.com/…", "Highlights from our win ⬇️").
_MIN_POST_WORDS = 10


def _wrappers(post: etree._Element) -> list[etree._Element]:
    """The post and the ancestors that show nothing but it (``<div class="social-embed">``)."""
    found, size = [post], _text_len(post)
    for parent in post.iterancestors():
        if parent.tag in _KEEP_TAGS or _text_len(parent) != size:
            break
        found.append(parent)
    return found


def _quoted_in_story(found: list[etree._Element], holders: set) -> bool:
    """True for an embedded post the story quotes: its own sentence leads into the post.

    The story's text just before the post (empty elements such as ad slots, and the
    posts before it in a run of at most ``_MAX_POST_RUN``, passed over) ends with a
    colon: ``See tweets:``, ``Take a look at what PFF said:``; without the post that
    sentence points at nothing. A post with no such lead-in (set between paragraphs as
    an illustration, a feed or wall of posts after the story, a sidebar) is someone
    else's text beside the article. The post must also be one: credited to an
    ``@handle`` (not a "Tweet may have been deleted" shell) and saying something in
    ``_MIN_POST_WORDS`` words outside its links and credit line (not a caption to a
    photo or video).
    """
    post = found[0]
    text = " ".join(_SHOWN_TEXT(post))
    if "@" not in text:
        return False
    own = "".join(_OWN_TEXT(post))
    credit = own.rfind("\u2014")
    if credit > 0:
        own = own[:credit]
    if len(_WORD.findall(own)) + len(_IDEOGRAPHS.findall(own)) // 2 < _MIN_POST_WORDS:
        return False
    before, lead_in = _lead_in(post, holders)
    return lead_in.endswith((":", "\uff1a")) and before + 1 + _posts_after(found[-1], holders) <= _MAX_POST_RUN


# A lead-in introduces a post or a few ("See tweets:"); more in a row are a wall, a feed.
_MAX_POST_RUN = 3


def _posts_after(el: etree._Element, holders: set) -> int:
    """How many posts follow ``el`` before the next text shown (elements without text passed over)."""
    count = 0
    for nxt in el.itersiblings():
        if (el.tail or "").strip():
            break
        if nxt in holders:
            count += 1
        elif isinstance(nxt.tag, str) and _SHOWN_TEXT(nxt):
            break
        el = nxt
    return count


def _lead_in(el: etree._Element, holders: set) -> tuple[int, str]:
    """How many posts come just before ``el`` (``holders``: posts and their wrappers),
    and the text shown before them; elements without text are passed over."""
    passed = 0
    while el is not None and el.tag != "body":
        prev = el.getprevious()
        while prev is not None:
            if (prev.tail or "").strip():
                return passed, prev.tail.strip()
            if prev in holders:
                passed += 1
            elif isinstance(prev.tag, str):
                shown = _SHOWN_TEXT(prev)
                if shown:
                    return passed, shown[-1].strip()
            prev = prev.getprevious()
        el = el.getparent()
        if el is not None and (el.text or "").strip():
            return passed, el.text.strip()
    return passed, ""


# Asked from the attributes' side: libxml2 tests only the elements with an itemtype.
_COMMENT_ITEMS = etree.XPath(
    "//@itemtype[substring(., string-length(.) - 17) = 'schema.org/Comment']/.."
)


def _attached(el: etree._Element) -> bool:
    """Still in the page: not inside an element removed before."""
    return el.getparent() is not None and el.getroottree().getroot().tag == "html"


_DATE_PROPS = etree.XPath("//@itemprop[.='datePublished' or .='dateModified' or .='dateCreated']/..")
_MAX_STAMP_CHARS = 80


_CLASS_OR_ID = etree.XPath("//@class | //@id")


def _in_sentence(el: etree._Element) -> bool:
    """An inline element with the words of its paragraph on both sides: a link to a
    note or a pop-up gloss inside a sentence is part of the sentence, whatever its class."""
    parent = el.getparent()
    if el.tag not in _INLINE or parent is None or parent.tag != "p" or not (el.tail or "").strip():
        return False
    prev = el.getprevious()
    return bool(((prev.tail if prev is not None else parent.text) or "").strip())
