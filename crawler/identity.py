"""Identity no page can take over: which canonical URL may set an article's id."""

from __future__ import annotations

import dataclasses
from urllib.parse import urlsplit

from crawler.urls import host_matches
from extract.article import Article, Disagreement, article_id

__all__ = ["CANONICAL_CLAIM", "own_identity"]

# Disagreement.source of a canonical URL the crawl did not accept.
CANONICAL_CLAIM = "scope"


def own_identity(article: Article, domains: tuple[str, ...] | None) -> Article:
    """The article with an id that no other site can take over.

    A page's canonical URL (``<link rel=canonical>``, ``og:url``) sets its id only when it
    is on ``domains`` (the outlet's; None: the fetched host, for an ad-hoc fetch). Another
    host's canonical (a syndicated copy, or a hostile page) is kept as a claim in
    ``disagreements`` (field ``canonical_url``, source ``scope``); the copy keeps its own
    id and URL, and the cluster key still links it to the original.
    """
    claimed = article.canonical_url
    if not claimed or claimed == article.url:
        return article
    if domains is None:
        parts = urlsplit(article.url)
        # An explicit port belongs to the host (two sites on one address); a default one
        # does not, so an http page may name its https canonical.
        domains = ((parts.hostname or "") + (f":{parts.port}" if parts.port else ""),)
    if host_matches(claimed, domains):
        return article
    claim = Disagreement(field="canonical_url", page=claimed, evidence=article.url, source=CANONICAL_CLAIM,
                         chosen=article.url)
    return dataclasses.replace(article, id=article_id(article.url), canonical_url=article.url,
                               disagreements=article.disagreements + (claim,))
