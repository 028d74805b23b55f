"""Feed and sitemap evidence: confirm or correct title and date, record disagreements."""

from __future__ import annotations

from dataclasses import dataclass

from extract.article import Disagreement
from extract.dates import day_of, iso_date
from extract.options import Hints

__all__ = ["Reconciled", "reconcile"]


@dataclass(frozen=True)
class Reconciled:
    title: str | None
    published: str | None
    disagreements: tuple[Disagreement, ...]


def _key(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def reconcile(
    title: str | None,
    title_candidates: tuple[str, ...],
    published: str | None,
    published_strong: bool,
    language: str | None,
    hints: Hints | None,
) -> Reconciled:
    """Apply the evidence of ``hints`` to what the page yielded.

    Title: a feed title that matches one of the page's own headline candidates
    selects it; otherwise the page's pick stands (the feed may be abridged) unless
    the page had none. Date: a missing page date, or one found only by heuristics,
    yields to the feed's; a date from the page's structured data stands. Where the feed
    gives a time on the same day, its precision is taken. Language is never overridden
    (it is detected from the text) but a mismatch is recorded.
    """
    if hints is None:
        return Reconciled(title, published, ())
    notes: list[Disagreement] = []
    src = hints.source
    if hints.title and _key(hints.title) != _key(title):
        match = next((c for c in title_candidates if _key(c) == _key(hints.title)), None)
        chosen = match or title or " ".join(hints.title.split())
        notes.append(Disagreement("title", title, hints.title, src, chosen))
        title = chosen
    hint_date = iso_date(hints.published)
    if hint_date:
        if published is None:
            notes.append(Disagreement("published", None, hint_date, src, hint_date))
            published = hint_date
        elif day_of(hint_date) != day_of(published):
            chosen = published if published_strong else hint_date
            notes.append(Disagreement("published", published, hint_date, src, chosen))
            published = chosen
        elif len(hint_date) > len(published):
            published = hint_date
    if hints.language and language and hints.language.split("-")[0].lower() != language:
        notes.append(Disagreement("language", language, hints.language, src, language))
    return Reconciled(title, published, tuple(notes))
