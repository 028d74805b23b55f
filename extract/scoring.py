"""Scores for extraction output against gold, as the corpus README defines them.

Body: multiset overlap of 4-token shingles (tokens are ``\\w+`` runs, case kept);
precision averaged over non-empty outputs, recall over all pages, F1 the harmonic
mean of the two averages. Metadata: title after whitespace normalisation, date as a
calendar day, language code, authors as a set of names.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

__all__ = ["BodyScore", "Tally", "body_score", "same_day", "same_names", "same_title", "shingles"]

_TOKEN = re.compile(r"\w+")
_DAY = re.compile(r"(\d{4})\D(\d{1,2})\D(\d{1,2})")


def shingles(text: str, size: int = 4) -> Counter[tuple[str, ...]]:
    """Multiset of ``size``-token shingles; a shorter text is one shingle of all its tokens."""
    tokens = _TOKEN.findall(text)
    if not tokens:
        return Counter()
    if len(tokens) < size:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1))


@dataclass(frozen=True)
class BodyScore:
    """Per-page body score; precision is None for an empty output (left out of its mean)."""

    precision: float | None
    recall: float


def body_score(output: str, gold: str) -> BodyScore:
    out, ref = shingles(output), shingles(gold)
    if not out:
        return BodyScore(None, 0.0 if ref else 1.0)
    tp = sum((out & ref).values())
    precision = tp / sum(out.values())
    recall = tp / sum(ref.values()) if ref else 1.0
    return BodyScore(precision, recall)


def same_title(output: str | None, gold: str) -> bool:
    return output is not None and " ".join(output.split()) == " ".join(gold.split())


def same_names(output: tuple[str, ...], gold: tuple[str, ...]) -> bool:
    """Authors compared as sets of names (case and spacing ignored)."""
    def key(names: tuple[str, ...]) -> set[str]:
        return {" ".join(n.split()).casefold() for n in names}

    return bool(output) and key(output) == key(gold)


def _day(value: str) -> tuple[int, int, int] | None:
    match = _DAY.search(value)
    return tuple(int(g) for g in match.groups()) if match else None  # type: ignore[return-value]


def same_day(output: str | None, gold: str) -> bool:
    return output is not None and _day(output) is not None and _day(output) == _day(gold)


@dataclass
class Tally:
    """Running totals for one group of pages (overall, one source, one language)."""

    pages: int = 0
    empty: int = 0
    precisions: list[float] = field(default_factory=list)
    recall_sum: float = 0.0
    meta: Counter[str] = field(default_factory=Counter)  # "<field>_ok" / "<field>_n"

    def add_body(self, score: BodyScore) -> None:
        self.pages += 1
        self.recall_sum += score.recall
        if score.precision is None:
            self.empty += 1
        else:
            self.precisions.append(score.precision)

    def add_meta(self, name: str, correct: bool) -> None:
        self.meta[name + "_n"] += 1
        self.meta[name + "_ok"] += int(correct)

    @property
    def precision(self) -> float:
        return sum(self.precisions) / len(self.precisions) if self.precisions else 0.0

    @property
    def recall(self) -> float:
        return self.recall_sum / self.pages if self.pages else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def accuracy(self, name: str) -> float | None:
        n = self.meta[name + "_n"]
        return self.meta[name + "_ok"] / n if n else None
