"""Seeded SEO-spam injection into real pages, for the tests and ``newsarchive eval``.

Hacked and spider-pool pages wrap a real story in injected spam. The corpus has real
stories but little spam, so this module adds it the ways such pages do: a link farm
as one paragraph of anchors inside the article container (bars or spaces between the
links, with or without a label), a bracketed keyword run glued to the front of
``<title>``, hidden blocks (inline ``display:none``, a class hidden by a ``<style>``
rule, ``hidden``, ``aria-hidden``) and spider-pool runs of place names. Keywords are
made up from a seeded random source, so no detector can pass by knowing the words.

Not used by ``extract_page``; pure like the rest of the package (bytes in, bytes out).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import lxml.html
from lxml import etree

from extract.decode import decode_body

__all__ = ["Injected", "inject_spam"]

_KINDS = ("link_farm", "title_prefix", "hidden", "place_run")
_HIDING = ("inline", "style_class", "hidden_attr", "aria_hidden")
_FARM_SEPARATORS = (" | ", "|", " ", "  ", "｜", " · ", " / ")
_RUN_SEPARATORS = (" ", " | ", "｜")


@dataclass(frozen=True)
class Injected:
    """A page with spam injected; ``strings`` must not reach the title or the text.

    ``clean`` is the same page serialised the same way without the spam, so the body
    kept can be compared like for like. ``tokens`` are the single keywords.
    """

    body: bytes
    clean: bytes
    strings: tuple[str, ...]
    tokens: tuple[str, ...]
    kinds: tuple[str, ...]


def _han(rng: random.Random, lo: int = 2, hi: int = 4) -> str:
    # GB2312 level-1 characters: common Han, encodable in GBK pages too.
    return "".join(bytes([rng.randint(0xB0, 0xD7), rng.randint(0xA1, 0xFE)]).decode("gb2312", "ignore") or "中"
                   for _ in range(rng.randint(lo, hi)))


def _latin(rng: random.Random) -> str:
    syllables = ("ka", "zo", "vex", "tri", "lum", "qua", "dor", "pix", "sel", "mon", "rak", "tiv", "zen", "bro")
    return "".join(rng.choice(syllables) for _ in range(rng.randint(2, 3))).capitalize()


def _keyword(rng: random.Random, script: str) -> str:
    return _han(rng) if script == "han" else _latin(rng)


def _container_paragraphs(tree: etree._Element, gold: str | None) -> list[etree._Element]:
    """Paragraphs of the article itself (their text is in the gold), else any long ones."""
    paras = [p for p in tree.iter("p") if len(" ".join("".join(p.itertext()).split())) >= 30]
    if gold:
        flat = " ".join(gold.split())
        own = [p for p in paras if " ".join("".join(p.itertext()).split())[:30] in flat]
        if own:
            return own
    return paras


def _place(rng: random.Random, anchor: etree._Element, new: etree._Element) -> None:
    where = rng.choice(("before", "after", "first", "last"))
    parent = anchor.getparent()
    if where == "before":
        anchor.addprevious(new)
    elif where == "after":
        anchor.addnext(new)
    elif where == "first":
        parent.insert(0, new)
    else:
        parent.append(new)
    new.tail = "\n"


def inject_spam(body: bytes, seed: int, gold: str | None = None, kinds: tuple[str, ...] = _KINDS) -> Injected | None:
    """``body`` with spam of ``kinds`` injected at seeded places; None if it has no paragraphs."""
    rng = random.Random(seed)
    text, encoding = decode_body(body, None)
    parser = lxml.html.HTMLParser(encoding="utf-8")
    tree = lxml.html.document_fromstring(text.encode("utf-8", "surrogatepass"), parser=parser)
    targets = _container_paragraphs(tree, gold)
    if not targets:
        return None
    clean = _serialise(tree, encoding)
    script = "han" if sum("\u4e00" <= ch <= "\u9fff" for ch in text[:20000]) > 200 else rng.choice(("han", "latin"))
    strings: list[str] = []
    tokens: list[str] = []
    for kind in kinds:
        if kind == "link_farm":
            words = [_keyword(rng, script) for _ in range(rng.randint(6, 12))]
            el = etree.Element("p")
            if rng.random() < 0.5:
                el.text = _keyword(rng, script) + rng.choice(("：", ": ", ":"))
            sep = rng.choice(_FARM_SEPARATORS)
            for i, word in enumerate(words):
                a = etree.SubElement(el, "a", href=f"http://{_latin(rng).lower()}.top/{i}")
                a.text = word
                a.tail = sep if i < len(words) - 1 else ""
            _place(rng, rng.choice(targets), el)
            strings.append(sep.join(words).strip())
            tokens += words
        elif kind == "title_prefix":
            title = tree.find(".//title")
            if title is None or not (title.text or "").strip():
                continue
            words = [_keyword(rng, script) for _ in range(rng.randint(3, 5))]
            prefix = "【" + rng.choice(("-", "_", "｜", "，")).join(words) + "】"
            title.text = prefix + title.text.strip()
            strings.append(prefix)
            tokens += words
        elif kind == "hidden":
            words = [_keyword(rng, script) for _ in range(rng.randint(8, 16))]
            run = rng.choice((" ", ",", "、", " ")).join(words)
            how = rng.choice(_HIDING)
            el = etree.Element(rng.choice(("div", "p", "span")))
            el.text = run
            if how == "inline":
                el.set("style", rng.choice(("display:none", "display: none;", "visibility:hidden")))
            elif how == "hidden_attr":
                el.set("hidden", "")
            elif how == "aria_hidden":
                el.set("aria-hidden", "true")
            else:
                cls = _latin(rng).lower()
                el.set("class", cls)
                style = etree.Element("style")
                style.text = f".{cls}{{display:none}}"
                head = tree.find("head")
                (head if head is not None else tree).append(style)
            _place(rng, rng.choice(targets), el)
            strings.append(run)
            tokens += words
        elif kind == "place_run":
            words = [_han(rng, 2, 3) for _ in range(rng.randint(10, 24))]
            el = etree.Element("p")
            el.text = rng.choice(_RUN_SEPARATORS).join(words)
            _place(rng, rng.choice(targets), el)
            strings.append(el.text)
            tokens += words
    return Injected(_serialise(tree, encoding), clean, tuple(strings), tuple(dict.fromkeys(tokens)), tuple(kinds))


def _serialise(tree: etree._Element, encoding: str) -> bytes:
    html = lxml.html.tostring(tree, encoding=str, doctype="<!DOCTYPE html>")
    try:
        return html.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return html.encode("utf-8")
