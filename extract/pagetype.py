"""What kind of page this is, with the evidence, so non-articles are counted, not archived.

Signals are markup and structure (widget scripts, status numbers in headings, link
counts, structured data), which hold across languages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from extract.article import PageType, Rejection

__all__ = ["PageSignals", "classify", "linked_share", "page_signals"]

# Names in class, id and script src values that mark a challenge, a consent wall or a
# paywall. Plain substrings: a substring test per name scans the page's tens of
# kilobytes of names several times quicker than one regex alternation of them.
_CAPTCHA = ("captcha", "recaptcha", "hcaptcha", "cf-challenge", "cf_chl", "challenge-form", "turnstile",
            "px-captcha", "bot-detect")
_CONSENT = ("consent", "gdpr", "cookie-wall", "cookiewall", "privacy-wall", "sp_message", "didomi", "onetrust")
_CMP = re.compile(r"\bcmp\b")  # a consent-management platform; "cmp" inside a word is not one
_PAYWALL = ("paywall", "piano", "subscriber-only", "premium-content", "regwall", "meter-wall", "tp-modal")
_ERROR_STATUS = re.compile(r"(?<!\d)(?:400|401|403|404|410|429|500|502|503)(?!\d)")
_ARTICLE_TYPES = re.compile(r'"@type"\s*:\s*\[?\s*"(?:News|Reportage|Analysis|Opinion|Background)?Article"|"BlogPosting"', re.I)


@dataclass(frozen=True)
class PageSignals:
    captcha: bool
    consent: bool
    paywall_markup: bool
    not_free: bool
    error_heading: bool
    article_markup: bool
    headline_links: int
    link_texts: frozenset[str]  # whitespace-normalised texts of links of 3+ words


# Plain strings: lxml's default "smart" results carry a parent link each, which is
# most of the cost on large pages.
_ATTRS = etree.XPath("//@class | //@id | //script/@src", smart_strings=False)
_TEXT_LINKS = etree.XPath("//a[string-length(normalize-space(.)) >= 5]")


def page_signals(tree: etree._Element, title: str | None) -> PageSignals:
    """Markup evidence from the untouched page tree."""
    # Lower-cased once: case-insensitive alternations cost most on big pages.
    names = " ".join(_ATTRS(tree)).lower()
    ld_json = " ".join(s.text or "" for s in tree.xpath("//script[@type='application/ld+json']"))
    headings = [title or ""] + ["".join(h.itertext()) for h in tree.iter("h1")][:2]
    og_type = next((m.get("content", "") for m in tree.iter("meta") if m.get("property") == "og:type"), "")
    # Links shorter than five characters count for neither signal below; libxml2 skips them.
    anchors = [" ".join("".join(a.itertext()).split()) for a in _TEXT_LINKS(tree)]
    headline_links = sum(1 for t in anchors if len(t.split()) >= 5 or len(t) >= 16)
    return PageSignals(
        captcha=any(name in names for name in _CAPTCHA),
        consent=any(name in names for name in _CONSENT) or ("cmp" in names and bool(_CMP.search(names))),
        paywall_markup=any(name in names for name in _PAYWALL),
        not_free=bool(re.search(r'"isAccessibleForFree"\s*:\s*"?false', ld_json, re.I)),
        error_heading=any(_ERROR_STATUS.search(h) for h in headings if len(h) < 120),
        article_markup=og_type.lower() == "article" or bool(_ARTICLE_TYPES.search(ld_json)),
        headline_links=headline_links,
        link_texts=frozenset(t for t in anchors if len(t.split()) >= 3 or len(t) >= 10),
    )


def linked_share(paragraphs: list[str], signals: PageSignals) -> float:
    """Share of the body that is the text of some link on the page (teaser lists)."""
    total = sum(len(p) for p in paragraphs)
    linked = sum(len(p) for p in paragraphs if p in signals.link_texts)
    return linked / total if total else 0.0


def classify(
    signals: PageSignals,
    body_chars: int,
    body_linked: float,
    min_chars: int,
    spam_chars: int,
    title_is_spam: bool,
    prose: bool = False,
) -> tuple[PageType, Rejection | None, tuple[str, ...]]:
    """Page type, rejection (None for articles) and the reasons, from the evidence.

    ``prose``: every paragraph of the body ends a sentence.
    """
    short = body_chars < min_chars
    if title_is_spam or (spam_chars > body_chars and spam_chars > 200):
        reasons = ["title is a keyword run"] if title_is_spam else []
        if spam_chars > body_chars:
            reasons.append(f"{spam_chars} chars of keyword/link-farm runs vs {body_chars} of body")
        return PageType.SPAM, Rejection.SPAM, tuple(reasons)
    if short and signals.error_heading:
        return PageType.ERROR, Rejection.ERROR_PAGE, ("error status in title or heading", f"body {body_chars} chars")
    if short and signals.captcha:
        return PageType.BLOCKED, Rejection.BLOCKED, ("captcha/bot-check markup", f"body {body_chars} chars")
    if short and (signals.consent or signals.paywall_markup or signals.not_free):
        why = [n for n, on in (("consent-wall markup", signals.consent), ("paywall markup", signals.paywall_markup),
                               ("isAccessibleForFree=false", signals.not_free)) if on]
        return PageType.PAYWALL, Rejection.PAYWALL, (*why, f"body {body_chars} chars")
    if short:
        if signals.headline_links >= 10 and not signals.article_markup:
            return PageType.INDEX, Rejection.NOT_ARTICLE, (f"{signals.headline_links} headline links", f"body {body_chars} chars")
        # A page that declares itself an article and whose short body is whole sentences
        # is a brief or a photo story (a standfirst over a gallery): half the floor will do.
        # Walls, challenges and error pages were told apart above, on the full floor.
        if not (signals.article_markup and prose and body_chars >= min_chars // 2):
            return PageType.INDEX, Rejection.TOO_SHORT, (f"body {body_chars} chars < {min_chars}",)
    if body_linked >= 0.5 and signals.headline_links >= 8:
        return PageType.INDEX, Rejection.NOT_ARTICLE, (
            f"{body_linked:.0%} of the main text is link text",
            f"{signals.headline_links} headline links",
        )
    reasons = ["article markup"] if signals.article_markup else []
    reasons.append(f"body {body_chars} chars" + (" of whole sentences, a brief" if short else ""))
    if signals.paywall_markup or signals.not_free:
        reasons.append("paywall markup present but body is long enough")
    return PageType.ARTICLE, None, tuple(reasons)
