"""Markup-level noise rules, applied to the parsed page before the main block is chosen.

Each rule is a small named function that removes elements from the tree and returns
how many it removed. Signals are markup, not wording: hidden elements, widget class
names, link density.
"""

from __future__ import annotations

import re
from typing import Callable

from lxml import etree

from extract.options import ExtractOptions

__all__ = ["RULES", "SPAM_RULES", "apply_rules", "remove_element"]

_HIDDEN_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:px|pt|em|rem)?\s*(?:;|$)"
    r"|(?:left|top|text-indent)\s*:\s*-\d{3,}|opacity\s*:\s*0(?:\.0+)?\s*(?:;|$)"
    r"|(?<![-\w])height\s*:\s*0(?:px)?\s*;[^\"]*overflow\s*:\s*hidden",
    re.I,
)
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
_KEEP_TAGS = frozenset({"html", "body", "article", "main"})


def _text_len(el: etree._Element) -> int:
    return len(etree.tostring(el, method="text", encoding=str, with_tail=False).strip())


def remove_element(el: etree._Element) -> None:
    """Remove ``el`` from its tree, keeping its tail text in the parent."""
    parent = el.getparent()
    if parent is None:
        return
    # Keep the tail: it is text of the parent that merely follows the element.
    if el.tail and el.tail.strip():
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


# Three paragraphs are an article's only with this much text between them: a hidden
# tool-tip or log-in box of four one-line <p> ("save this article: members only") is not.
_MIN_HELD_CHARS = 400


def _holds_main_text(el: etree._Element, page_chars: int) -> bool:
    """True for containers holding a large share of the page's text.

    Sites hide the article until a script runs, or put a widget-like class on the
    article wrapper; removing such a container would remove the article itself.
    """
    chars = _text_len(el)
    return chars > 0.2 * page_chars or (chars >= _MIN_HELD_CHARS and len(el.findall(".//p")) >= 3)


def _page_chars(tree: etree._Element) -> int:
    body = tree.find("body")
    return _text_len(body if body is not None else tree)


_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_MAX_STYLE = 100_000
_SIMPLE_SELECTOR = re.compile(r"^\s*[a-z0-9]*([.#])([\w-]+)\s*$", re.I)
# In a stylesheet only these hide for good; opacity and offsets are animated.
_CSS_HIDING = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_CSS_HIDING_LOWER = re.compile(_CSS_HIDING.pattern)
_CSS_SHOWN = re.compile(r"display\s*:\s*(?!none)[a-z]", re.I)


def _hiding_at(css: str) -> list[int]:
    """Where ``_CSS_HIDING`` matches in ``css``, in one scan.

    A case-insensitive scan of tens of kilobytes of CSS costs several times a plain
    one over a lower-cased copy, which finds the same places whenever lower-casing
    keeps every position (the same length) and no dotless i or long s stands in for
    an "i" or "s" (``re.I`` matches those, ``str.lower`` leaves them).
    """
    low = css.lower()
    if len(low) == len(css) and "\u0131" not in css and "\u017f" not in css:
        return [m.start() for m in _CSS_HIDING_LOWER.finditer(low)]
    return [m.start() for m in _CSS_HIDING.finditer(css)]


def _css_rules(css: str, starts: list[int]) -> list[tuple[str, int]]:
    """(selector list, brace depth) of each rule with a declaration at one of ``starts``.

    Pages inline megabytes of CSS: only the matches are located (one scan), and each
    one's selector is read back to the opening brace, with the depth counted on the way.
    """
    found = []
    depth, last = 0, 0
    for at in starts:
        depth += css.count("{", last, at) - css.count("}", last, at)
        last = at
        open_at = css.rfind("{", 0, at)
        if open_at < 0 or css.find("}", open_at, at) >= 0:
            continue  # not inside a declaration block
        start = max(css.rfind("}", 0, open_at), css.rfind("{", 0, open_at), css.rfind(";", 0, open_at)) + 1
        found.append((css[start:open_at], depth))
    return found


def _style_hidden_names(tree: etree._Element) -> tuple[frozenset[str], frozenset[str]]:
    """Classes and ids that the page's own <style> rules hide (``.x{display:none}``).

    Only simple selectors at the top level count (inside @media what is hidden depends
    on the screen); a class that some rule shows again (``.d-md-block{display:block}``)
    makes its element visible.
    """
    # Injected hiding rules come in small blocks; stylesheet bundles of hundreds of
    # kilobytes inlined by site builders are layout, and scanning them costs most.
    css = " ".join(el.text for el in tree.iter("style") if el.text and len(el.text) <= _MAX_STYLE)
    if not _CSS_HIDING.search(css):
        return frozenset(), frozenset()
    if "/*" in css:
        css = _CSS_COMMENT.sub(" ", css)
    hidden: dict[str, set[str]] = {".": set(), "#": set()}
    for selectors, depth in _css_rules(css, _hiding_at(css)):
        if depth == 1:
            for m in map(_SIMPLE_SELECTOR.match, selectors.split(",")):
                if m:
                    hidden[m.group(1)].add(m.group(2))
    return (frozenset(c for c in hidden["."] if not _shown_again(css, "." + c)),
            frozenset(i for i in hidden["#"] if not _shown_again(css, "#" + i)))


def _shown_again(css: str, selector: str) -> bool:
    """True when a rule naming ``selector`` in its selector list sets a visible display."""
    at = css.find(selector)
    while at >= 0:
        end = at + len(selector)
        if end < len(css) and not (css[end].isalnum() or css[end] in "-_\\"):
            open_at = css.find("{", end)
            between = css[end:open_at].strip() if open_at >= 0 else "x"
            if not between or between.startswith(","):
                close_at = css.find("}", open_at)
                if _CSS_SHOWN.search(css, open_at, close_at if close_at >= 0 else len(css)):
                    return True
        at = css.find(selector, end)
    return False


def _hidden_by(el: etree._Element, classes: frozenset[str], ids: frozenset[str]) -> bool:
    if el.get("hidden") is not None or _HIDDEN_STYLE.search(el.get("style") or ""):
        return True
    if (el.get("aria-hidden") or "").strip().lower() == "true" and not _prose_paragraph(el):
        return True
    tokens = (el.get("class") or "").split()
    # Utility frameworks pair a hiding class with a responsive one that shows the
    # element on other screens ("hidden md:block"): the stylesheet decides, not us.
    if classes and not classes.isdisjoint(tokens) and not any(":" in t for t in tokens):
        return True
    return el.get("id") in ids


def _prose_paragraph(el: etree._Element) -> bool:
    """A paragraph of sentences: metered sites mark their own article text aria-hidden
    until the paywall script runs, so such a paragraph is the article, not spam."""
    if el.tag != "p":
        return False
    text = " ".join("".join(el.itertext()).split())
    return len(text.split()) >= 8 and bool(re.search(r"[.!?。！？]['\"’”»)]?(?:\s|$)", text))


def remove_hidden(tree: etree._Element, options: ExtractOptions) -> int:
    """Elements a reader never sees: hidden-text spam and off-screen link farms.

    Hidden inline (display:none, off-screen, zero size, ``hidden``, ``aria-hidden``) or
    by a class or id the page's own <style> hides.
    """
    total = _page_chars(tree)
    classes, ids = _style_hidden_names(tree)
    # Let libxml2 pick the candidates: a Python proxy per element is what costs. Asked
    # from the attributes' side (the elements carrying such an attribute, in document
    # order), libxml2 tests only the attributes there are, not each test on each element.
    tests = ["//@hidden", "//@style", "//@aria-hidden"]
    # A substring test is the cheap prefilter; _hidden_by checks whole class tokens.
    class_tests = [f"contains(., '{c}')" for c in sorted(classes) if "'" not in c]
    id_tests = [f".='{i}'" for i in sorted(ids) if "'" not in i]
    if class_tests:
        tests.append(f"//@class[{' or '.join(class_tests)}]")
    if id_tests:
        tests.append(f"//@id[{' or '.join(id_tests)}]")
    hits = [el for el in tree.xpath(f"({' | '.join(tests)})/..")
            if el.tag not in _KEEP_TAGS and _hidden_by(el, classes, ids)]
    return _remove_unless_main(hits, total)


def _remove_unless_main(hits: list[etree._Element], total: int) -> int:
    """Remove ``hits`` (in document order) unless one holds the page's main text.

    A hit inside one already removed is gone with it and is not measured again.
    """
    removed: set[etree._Element] = set()
    for el in hits:
        if removed and any(a in removed for a in el.iterancestors()):
            continue
        if not _holds_main_text(el, total):
            remove_element(el)
            removed.add(el)
    return len(removed)


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
_INLINE = frozenset({"a", "span", "em", "i", "b", "strong", "abbr", "cite", "mark", "sup", "time"})


def _in_sentence(el: etree._Element) -> bool:
    """An inline element with the words of its paragraph on both sides: a link to a
    note or a pop-up gloss inside a sentence is part of the sentence, whatever its class."""
    parent = el.getparent()
    if el.tag not in _INLINE or parent is None or parent.tag != "p" or not (el.tail or "").strip():
        return False
    prev = el.getprevious()
    return bool(((prev.tail if prev is not None else parent.text) or "").strip())


def _text_sizes(tree: etree._Element) -> dict[etree._Element, tuple[int, int, int]]:
    """(text length, link text length, link count) of every element, in one pass.

    Children come after their parent in document order, so walking it backwards
    sums each subtree exactly once instead of re-reading it for every ancestor.
    """
    sizes: dict[etree._Element, tuple[int, int, int]] = {}
    for el in reversed(list(tree.iter(etree.Element))):
        text = len((el.text or "").strip())
        linked = links = 0
        for child in el:
            if not isinstance(child.tag, str):
                continue
            c_text, c_linked, c_links = sizes[child]
            text += c_text + len((child.tail or "").strip())
            linked += c_linked
            links += c_links
        if el.tag == "a":
            linked, links = text, links + 1
        sizes[el] = (text, linked, links)
    return sizes


# Not <p>: a paragraph of many links is the article's own list (towns, names,
# topics linked one by one); navigation and link farms come in containers.
_LIST_TAGS = frozenset({"ul", "ol", "div", "section", "aside", "nav", "table", "td", "li", "span"})


def remove_link_lists(tree: etree._Element, options: ExtractOptions) -> int:
    """Blocks that are mostly link text: navigation, related links, link farms."""
    sizes = _text_sizes(tree)
    hits = []
    stories = []
    for el, (total, linked, links) in sizes.items():
        if el.tag in _LIST_TAGS and links >= 3 and total and linked / total > options.max_link_density:
            hits.append(el)
        elif total >= _STORY_CHARS and linked < _STORY_LINKED * total and el.tag not in _NON_TEXT_TAGS:
            stories.append(el)
    # A wrapper round the whole page (menus, the story, the footer) can be mostly link
    # text when the story is short; it holds a story of its own, a block of 1,000+
    # characters nearly without links, so only the link lists inside it go.
    holding = {a for el in stories for a in el.iterancestors()}
    return _remove_outermost([el for el in hits if el not in holding])


_STORY_CHARS = 1000
_STORY_LINKED = 0.2


def _remove_outermost(hits: list[etree._Element], labels: bool = False) -> int:
    """Remove the hits that are not inside another hit (nested ones go with it).

    With ``labels``, a short title standing right before a removed block goes with it.
    """
    hit_set = set(hits)
    count = 0
    for el in hits:
        if any(a in hit_set for a in el.iterancestors()):
            continue
        if labels:
            _remove_label_of(el)
        remove_element(el)
        count += 1
    return count


_MAX_LABEL_CHARS = 40
_LABEL_TAGS = frozenset({"h2", "h3", "h4", "h5", "h6", "p", "div", "span", "strong", "b"})


def _remove_label_of(el: etree._Element) -> None:
    """Remove the title of a removed widget: "Related news", "DON'T MISS", "Top stories".

    The element right before it, with no loose text between them, holding only a
    short line (up to five words, no link, no sentence stop) and nothing else.
    """
    label = el.getprevious()
    if label is None or label.tag not in _LABEL_TAGS or (label.tail or "").strip():
        return
    if label.find(".//a") is not None or label.find(".//img") is not None:
        return
    text = _visible_text(label)
    cjk = len(_CJK_CHAR.findall(text))
    if 0 < len(text) <= _MAX_LABEL_CHARS and len(text.split()) + cjk // 2 <= 5 and not _SENTENCE_STOP.search(text):
        remove_element(label)


def _is_link_stack(el: etree._Element) -> bool:
    """A paragraph of three or more linked headlines, one per line (``<br>`` between),
    with at most a short tag beside each ("[VIDEO]"): a "don't miss" box set as text."""
    links = el.findall(".//a")
    if len(links) < 3 or len(el.findall(".//br")) < len(links) - 1:
        return False
    outside = _text_outside_links(el)
    return len(" ".join(outside.split())) <= 15 * len(links) and all(_text_len(a) >= 15 for a in links)


# Where a link may stand as a paragraph of its own: between the blocks of a text container.
_LINK_BLOCK_PARENTS = frozenset({"div", "section", "article", "main", "body"})
_PARAGRAPH_BLOCKS = frozenset({"p", "div", "figure", "blockquote", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table"})


def _is_block_link(a: etree._Element) -> bool:
    """A link set as a block between the article's paragraphs: an inline "read more" card.

    ``<p>...</p><a href="/other-story"><span>Also on X</span><span>Headline</span></a><p>``:
    a paragraph would hold words of its own; a link that is the whole block, with a
    paragraph on each side and no loose text around it, points the reader elsewhere.
    Its text reads as a headline (three or more words, no sentence stop).
    """
    parent = a.getparent()
    if parent is None or parent.tag not in _LINK_BLOCK_PARENTS:
        return False
    href = (a.get("href") or "").strip()
    if not href or href.startswith(("#", "javascript:")):
        return False
    prev, nxt = a.getprevious(), a.getnext()
    if prev is None or nxt is None or prev.tag not in _PARAGRAPH_BLOCKS or nxt.tag not in _PARAGRAPH_BLOCKS:
        return False
    if (prev.tail or "").strip() or (a.tail or "").strip() or not any(c.tag == "p" for c in (prev, nxt)):
        return False
    # Its words are a headline, not a sentence: a "click to tweet" box links the
    # article's own sentence to a share page, and that sentence is the article's.
    text = " ".join(" ".join(a.itertext()).split())
    return len(text.split()) >= 3 and len(text) <= 300 and not _SENTENCE_STOP.search(text)


_SENTENCE_STOP = re.compile(r"[.!?。！？…][\"'’”»)]*(?:\s|$)")


_CLOSES_SENTENCE = re.compile(r"[.!?。！？…][\"'’”»)]*\s*$")


def remove_link_paragraphs(tree: etree._Element, options: ExtractOptions) -> int:
    """Short paragraphs or list items that are mostly one or two links: "read also" teasers."""
    hits = []
    for el in tree.iter("p", "li", "h3", "h4"):
        links = el.findall(".//a")
        if not 0 < len(links) <= 2:
            continue
        total = _text_len(el)
        if 0 < total <= 200 and sum(_text_len(a) for a in links) / total > options.max_link_density:
            hits.append(el)
    for el in tree.iter("p"):
        if _is_link_stack(el):
            hits.append(el)
    for a in tree.iter("a"):
        if _is_block_link(a):
            hits.append(a)
    # An item of a list whose other items are mostly prose is the article's list (a
    # digest of linked headlines, each followed by its sentence); a "read also" list is
    # all links.
    hit_set = set(hits)
    keep = set()
    for el in hits:
        parent = el.getparent()
        after = _text_outside_links(el).strip()
        if el.tag == "li" and parent is not None and len(after) >= 20 and _CLOSES_SENTENCE.search(after):
            items = [c for c in parent if c.tag == "li"]
            if len(items) >= 3 and sum(1 for c in items if c in hit_set) < 0.5 * len(items):
                keep.add(el)
        elif el.tag == "p" and _beside_quote(el):
            keep.add(el)
    hits = [el for el in hits if el not in keep]
    stacks = {el for el in hits if el.tag == "p" and _is_link_stack(el)}
    parents = {el.getparent(): None for el in hits if el.getparent() is not None}
    for el in hits:
        if el in stacks:
            _remove_label_of(el)  # a "don't miss" box's title; not a one-link line's
        remove_element(el)
    # A list left empty by its links' removal ("related news" over two linked
    # headings) was a widget: its title goes with it.
    for parent in parents:
        emptied = None
        while parent is not None and parent.tag not in _KEEP_TAGS and _text_len(parent) == 0:
            emptied, parent = parent, parent.getparent()
        if emptied is not None and emptied.getparent() is not None:
            _remove_label_of(emptied)
    return len(hits)


def _beside_quote(el: etree._Element) -> bool:
    """A linked name (up to three words) right above or below a block quote is the
    quote's source, "[<a>The Verge</a>]"; a "read also" headline link is longer."""
    return any(sib is not None and sib.tag == "blockquote" for sib in (el.getprevious(), el.getnext())) and all(
        len(" ".join(a.itertext()).split()) <= 3 for a in el.iter("a"))


# Blocks that end a link's line of text: a link alone in one of them is a headline.
_LINE_BLOCKS = frozenset({
    "p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "dd", "dt", "section", "article",
    "header", "footer", "figure", "figcaption", "blockquote", "ul", "ol", "table", "tr", "body",
})
_CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_MAX_CARD_CHARS = 500  # a headline, a kicker, a date and a sentence or two of summary
_CARD_LEVELS = 6  # how far above a headline link its card may start


def _line_text(block: etree._Element) -> str:
    """Text of ``block`` outside its nested blocks: the line its inline content forms."""
    parts = [block.text or ""]

    def walk(node: etree._Element) -> None:
        for child in node:
            if isinstance(child.tag, str) and child.tag not in _LINE_BLOCKS:
                parts.append(child.text or "")
                walk(child)
            parts.append(child.tail or "")

    walk(block)
    return " ".join("".join(parts).split())


def _headline_link(a: etree._Element) -> bool:
    """A link that reads as a headline: three or more words, most of its line, its end.

    Links inside sentences share their line with the sentence; a teaser's headline
    stands alone in its heading or block (a kicker or a screen-reader copy before it).
    """
    text = " ".join("".join(a.itertext()).split())
    cjk = len(_CJK_CHAR.findall(text))
    if not 3 <= len(text.split()) + cjk // 3 or len(text) > 200:
        return False
    block = next((b for b in a.iterancestors() if b.tag in _LINE_BLOCKS), None)
    if block is None:
        return False
    # It ends its line: a link inside a sentence has the rest of the sentence after it.
    line = _line_text(block)
    return len(text) >= 0.5 * len(line) and line.endswith(text)


def remove_teaser_cards(tree: etree._Element, options: ExtractOptions) -> int:
    """Three or more sibling cards, each a headline link to another page and a short summary.

    "More stories" streams and related-article rails: their summaries are prose, so the
    block's link density stays low, but every card is built the same way around its own
    headline link. A card is small (a teaser, not a post); links inside sentences, and
    lists of short names, are not headlines.
    """
    # container -> card -> (href, headline link)
    items: dict[etree._Element, dict[etree._Element, tuple[str, etree._Element]]] = {}
    chains: list[list[etree._Element]] = []
    for a in tree.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:")) or not _headline_link(a):
            continue
        chain, node = [], a
        for _ in range(_CARD_LEVELS):
            parent = node.getparent()
            if parent is not None and parent.tag in ("td", "th"):
                # A table of one row lays out a thumbnail beside its headline: the
                # card is around the table. Table rows are records (a filmography,
                # results), not cards.
                table = next((t for t in parent.iterancestors("table")), None)
                if table is None or len(table.xpath(".//tr")) != 1:
                    break
                node, parent = table, table.getparent()
            # Table rows are records (a filmography, results), not cards.
            if parent is None or parent.tag in _KEEP_TAGS or parent.tag in _TABLE_TAGS:
                break
            items.setdefault(parent, {}).setdefault(node, (href, a))
            chain.append(parent)
            node = parent
        chains.append(chain)
    checked: dict[etree._Element, bool] = {}
    hits: dict[etree._Element, None] = {}
    for chain in chains:
        # The lowest container holding three cards with different targets is the list.
        for container in chain:
            cards = items[container]
            if len(cards) < 3 or len({href for href, _ in cards.values()}) < 3:
                continue
            for card, (_, link) in cards.items():
                if card not in checked:
                    checked[card] = _is_card(card, link)
                if checked[card]:
                    hits[card] = None
            break
    return _remove_outermost(list(hits), labels=True)


_TABLE_TAGS = frozenset({"table", "tbody", "thead", "tfoot", "tr", "td", "th"})


# A teaser's summary is the post's opening cut short: "... um plano paralelo para …".
_TRUNCATED = re.compile(r"(?:…|\.\.\.|\[(?:…|\.\.\.)\])\s*$")
_EXCERPT_CARD_TAGS = frozenset({"article", "div", "li", "section"})
_MAX_EXCERPT_CARD_CHARS = 1000
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


def _visible_text(el: etree._Element) -> str:
    """Text of ``el`` without its scripts and styles, whitespace-normalised."""
    parts = [el.text or ""]

    def walk(node: etree._Element) -> None:
        for child in node:
            if isinstance(child.tag, str) and child.tag not in _NON_TEXT_TAGS:
                parts.append(child.text or "")
                walk(child)
            parts.append(child.tail or "")

    walk(el)
    return " ".join(" ".join(parts).split())


def remove_excerpt_cards(tree: etree._Element, options: ExtractOptions) -> int:
    """A row of post excerpts cut short with an ellipsis: "you may also like" blocks.

    Three or more sibling containers of one kind (articles, divs, list items), each
    teaser-sized, at least three of them and half of all ending in "…" or "[...]": a
    blog's related posts show each post's opening, truncated, whether or not a headline
    link leads it. A paragraph is never a card (prose ends in an ellipsis too). A short
    heading right before the row ("You may also like...") goes with it.
    """
    # Sibling groups first; each member's text is read by libxml2 (scripts included,
    # an upper bound): a Python walk of every container costs far more.
    groups: dict[tuple[etree._Element, str], list[etree._Element]] = {}
    for el in tree.iter(*_EXCERPT_CARD_TAGS):
        parent = el.getparent()
        if parent is not None and parent.tag != "html":
            groups.setdefault((parent, el.tag), []).append(el)
    rows = []
    for key, siblings in groups.items():
        if len(siblings) < 3:
            continue
        ends = 0
        for el in siblings:
            raw = etree.tostring(el, method="text", encoding=str, with_tail=False)
            if len(raw) <= 4 * _MAX_EXCERPT_CARD_CHARS and _TRUNCATED.search(raw):
                ends += 1
        if ends >= 3:
            rows.append(key)
    hits: list[etree._Element] = []
    for parent, tag in rows:
        siblings = groups[(parent, tag)]
        cards, cut = [], 0
        for el in siblings:
            text = _visible_text(el)
            if not 0 < len(text) <= _MAX_EXCERPT_CARD_CHARS:
                continue
            cards.append(el)
            cut += bool(_TRUNCATED.search(text))
        if cut < 3 or cut < 0.5 * len(cards):
            continue
        hits.extend(cards)
        head = cards[0].getprevious()
        if head is not None and head.tag in _HEADING_TAGS and len(_visible_text(head).split()) <= 8:
            hits.append(head)
    return _remove_outermost(hits)


def _is_card(card: etree._Element, link: etree._Element) -> bool:
    """Teaser-sized, its headline on a line of its own, and led by it: at most a
    kicker, source or date before it.

    A feature list ending each entry with "Learn more about X" links its last line,
    not its headline.
    """
    if card.tag in ("ul", "ol", "dl"):
        return False  # a list of entries, not one entry
    size = _text_len(card)
    if not 0 < size <= _MAX_CARD_CHARS:
        return False
    # A card sets its headline on a line of its own (a heading or block); a link
    # filling the single line of a list item is a reference or a plain link list.
    line = next((b for b in link.iterancestors() if b.tag in _LINE_BLOCKS), None)
    if line is None or line is card or card not in line.iterancestors():
        return False
    before = 0
    for node in card.iter():
        if node is link:
            return before <= _MAX_KICKER_CHARS
        if isinstance(node.tag, str) and node.tag not in _NON_TEXT_TAGS:
            before += len((node.text or "").strip())
        if node is not card:
            before += len((node.tail or "").strip()) if link not in node.iterancestors() else 0
    return False


_MAX_KICKER_CHARS = 40
_NON_TEXT_TAGS = frozenset({"script", "style", "noscript", "template"})


# What may stand between the links of a link farm: whitespace and bars, bullets or
# slashes. Not commas or 、: a sentence listing linked names is the article's own.
_FARM_GLUE = re.compile(r"^[\s|｜/·•・\-–—_]*$")
# A short label in front: "友情链接：", "Partner sites:", "相关搜索".
_FARM_LABEL = re.compile(r"^\s*[^\s|｜:：]{1,12}(?:\s[^\s|｜:：]{1,12}){0,2}\s*[:：]")
_FARM_TAGS = frozenset({"p", "div", "span", "td", "li", "center", "font", "section", "dd", "blockquote", "strong", "b"})
_FARM_BLOCKS = frozenset({"p", "div", "ul", "ol", "li", "table", "section", "article", "h1", "h2", "h3", "br"})


def _text_outside_links(el: etree._Element) -> str:
    """Text of ``el`` that is not inside one of its links: labels, glue, wrappers."""
    parts = [el.text or ""]

    def walk(node: etree._Element) -> None:
        for child in node:
            if child.tag != "a":
                parts.append(child.text or "")
                walk(child)
            parts.append(child.tail or "")

    walk(el)
    return " ".join(parts)


def remove_link_farms(tree: etree._Element, options: ExtractOptions) -> int:
    """A paragraph that is nothing but links: anchors separated by bars or spaces.

    Injected link farms sit as one paragraph anywhere in the article container, with
    or without a label in front (``友情链接：A | B | C``). Nothing joins the links but
    separators, so it says nothing; a sentence that links names has words between them.
    """
    hits = []
    # Candidates are the anchors' parents and grandparents (links wrapped in a span).
    candidates: dict[etree._Element, None] = {}
    for a in tree.iter("a"):
        for el in (a.getparent(), a.getparent().getparent() if a.getparent() is not None else None):
            if el is not None and el.tag in _FARM_TAGS:
                candidates[el] = None
    for el in candidates:
        anchors = el.findall(".//a")
        if len(anchors) < 4 or any(c.tag in _FARM_BLOCKS for c in el.iterdescendants()):
            continue
        if _FARM_GLUE.match(_FARM_LABEL.sub(" ", _text_outside_links(el), count=1)):
            hits.append(el)
    # A name inside a sentence that carries a pop-up of links ("Rep. <span>Name<span
    # class=popup>links...</span></span> (D-Minn.)"): the pop-up goes, the name stays.
    return _remove_outermost([el for el in hits if not _between_words(el)])


def _between_words(el: etree._Element) -> bool:
    """An inline element with words right before and after it, at any depth of its paragraph."""
    if el.tag not in _INLINE or not (el.tail or "").strip():
        return False
    prev, parent = el.getprevious(), el.getparent()
    return bool(((prev.tail if prev is not None else parent.text if parent is not None else "") or "").strip())


# rel="tag" (a microformat; WordPress and most blog engines mark every tag and category
# link so): a block of them is the post's filing, not its text.
_TAG_LINKS = etree.XPath("//@rel[contains(concat(' ', normalize-space(.), ' '), ' tag ')]/parent::a")
_TAG_GLUE = re.compile(r"[\s,;|/·•#]+")
_MAX_TAG_LABEL = 30  # "Tags", "Tagged with:", "Posted in", "Categorias:"
_TAG_LEVELS = 3


def _tag_label(el: etree._Element, tags: set[etree._Element]) -> str:
    """Text of ``el`` outside its tag links, scripts and styles, separators removed."""
    parts = [el.text or ""]

    def walk(node: etree._Element) -> None:
        for child in node:
            if isinstance(child.tag, str) and child not in tags and child.tag not in _NON_TEXT_TAGS:
                parts.append(child.text or "")
                walk(child)
            parts.append(child.tail or "")

    walk(el)
    return _TAG_GLUE.sub(" ", " ".join(parts)).strip()


def remove_tag_lists(tree: etree._Element, options: ExtractOptions) -> int:
    """Tag and category lists: blocks of ``rel="tag"`` links and at most a short label.

    The links name the post's tags (``Tags: <a rel=tag>stock car</a>, <a rel=tag>...``);
    the block is lifted to the largest of up to three ancestors that still holds nothing
    else (a list of one tag per item, with its "Tags:" heading). A tag linked inside a
    sentence has the sentence's words around it and stays.
    """
    tags = set(_TAG_LINKS(tree))
    if not tags:
        return 0
    hits: dict[etree._Element, None] = {}
    for a in tags:
        block = a.getparent()
        if block is None or block.tag in _KEEP_TAGS or len(_tag_label(block, tags)) > _MAX_TAG_LABEL:
            continue
        for _ in range(_TAG_LEVELS):
            parent = block.getparent()
            if parent is None or parent.tag in _KEEP_TAGS or len(_tag_label(parent, tags)) > _MAX_TAG_LABEL:
                break
            block = parent
        hits[block] = None
    return _remove_unless_main(list(hits), _page_chars(tree))


def remove_form_fields(tree: etree._Element, options: ExtractOptions) -> int:
    """Text areas and select boxes: a form's values or a template stored as text.

    Their text is never the article (sites park gallery markup in a hidden-looking
    ``<textarea>`` for scripts to expand), and read as text it is escaped HTML.
    """
    hits = list(tree.iter("textarea", "select"))
    for el in hits:
        remove_element(el)
    return len(hits)


RULES: tuple[Callable[[etree._Element, ExtractOptions], int], ...] = (
    remove_form_fields,
    remove_hidden,
    remove_link_farms,
    remove_tag_lists,
    remove_widgets,
    remove_link_lists,
    remove_teaser_cards,
    remove_excerpt_cards,
    remove_link_paragraphs,
)


# Spam removers: kept even when the other rules are undone for taking too much.
SPAM_RULES = (remove_hidden, remove_link_farms)


def apply_rules(tree: etree._Element, options: ExtractOptions, rules=RULES) -> dict[str, int]:
    """Run ``rules`` (every rule) on ``tree`` in place; returns how many elements each removed."""
    removed = {}
    for rule in rules:
        n = rule(tree, options)
        if n:
            removed[rule.__name__] = n
    return removed
