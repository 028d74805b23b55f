"""Evaluation harness: run newsarchive and bare trafilatura over a gold corpus and tally.

This is the one module of ``extract`` that reads files (the corpus and the fixture
pages); ``extract_page`` itself never does. Used by ``newsarchive eval``
and the quality gate, so both report the same numbers.
"""

from __future__ import annotations

import gzip
import json
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import trafilatura

from extract.pipeline import extract_page
from extract.options import Hints
from extract.scoring import Tally, body_score, same_day, same_names, same_title
from extract.spamgen import inject_spam

__all__ = [
    "CorpusPage",
    "Output",
    "Report",
    "RUNNERS",
    "evaluate",
    "format_reports",
    "is_corpus",
    "language_group",
    "leaked_noise",
    "leaked_spam",
    "load_corpus",
    "load_fixtures",
    "load_spam_pages",
]


FIXTURES_SOURCE = "fixtures"
SPAM_SOURCE = "spam"
_BUILT = (FIXTURES_SOURCE, SPAM_SOURCE)  # built pages: own rows, outside the corpus figures


@dataclass(frozen=True)
class CorpusPage:
    """One page with its gold answer; ``noise`` lists lines that must not be output."""

    id: str
    source: str
    language: str
    url: str
    body: bytes
    gold: str | None
    title: str | None = None
    published: str | None = None
    authors: tuple[str, ...] | None = None
    headers: dict[str, str] | None = None
    hints: Hints | None = None
    noise: tuple[str, ...] = ()


@dataclass(frozen=True)
class Output:
    text: str
    title: str | None
    published: str | None
    language: str | None
    authors: tuple[str, ...] = ()


BENCHMARK_SOURCE = "zyte-aeb"


def is_corpus(root: Path) -> bool:
    """Whether ``root`` holds a corpus ``load_corpus`` reads (either layout)."""
    return (root / "gold.jsonl").is_file() or _is_benchmark(root)


def _is_benchmark(root: Path) -> bool:
    return (root / "ground-truth.json").is_file() and (root / "html").is_dir()


def load_corpus(root: Path) -> list[CorpusPage]:
    """Pages of a corpus laid out as the shared corpus README describes.

    A checkout of Zyte's article-extraction benchmark (``ground-truth.json`` beside
    ``html/<id>.html.gz``: 181 English news and blog pages, where the best published
    body figures were measured) is read too, as one source scored by the same rules.
    """
    if not (root / "gold.jsonl").is_file() and _is_benchmark(root):
        return _load_benchmark(root)
    pages = []
    with open(root / "gold.jsonl", encoding="utf-8") as lines:
        for line in lines:
            rec = json.loads(line)
            pages.append(
                CorpusPage(
                    id=rec["id"],
                    source=rec["source"],
                    language=rec["language"],
                    url=rec.get("url") or f"https://corpus.invalid/{rec['id']}",
                    body=gzip.decompress((root / rec["file"]).read_bytes()),
                    gold=rec["body"],
                    title=rec.get("title"),
                    published=rec.get("published"),
                    authors=_gold_authors(rec),
                )
            )
    return pages


def _load_benchmark(root: Path) -> list[CorpusPage]:
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    return [
        CorpusPage(
            id=f"{BENCHMARK_SOURCE}/{key}",
            source=BENCHMARK_SOURCE,
            # Mostly English, a few not, none labelled: unknown, so no language check.
            language="und",
            url=item.get("url") or f"https://corpus.invalid/{key}",
            # Saved by the benchmark as UTF-8; the bytes go in as a crawl would give them.
            body=gzip.decompress((root / "html" / f"{key}.html.gz").read_bytes()),
            gold=item.get("articleBody") or "",
        )
        for key, item in truth.items()
    ]


def _gold_authors(rec: dict) -> tuple[str, ...] | None:
    # chinese-wced separates names with spaces, the other sources with commas.
    raw = rec.get("author")
    if not raw:
        return None
    parts = raw.split() if rec["source"] == "chinese-wced" else raw.split(",")
    return tuple(p.strip() for p in parts if p.strip())


def load_fixtures(root: Path) -> list[CorpusPage]:
    """Fixture pages (``<name>.html`` with ``<name>.json`` beside it) as corpus pages."""
    pages = []
    for html in sorted(root.glob("*.html")):
        spec = json.loads(html.with_suffix(".json").read_text(encoding="utf-8"))
        expect = spec["expect"]
        hints = Hints(**{k: tuple(v) if k == "keywords" else v for k, v in spec["hints"].items()}) if spec.get("hints") else None
        pages.append(
            CorpusPage(
                id=f"fixtures/{html.stem}",
                source=FIXTURES_SOURCE,
                language=expect.get("language") or "und",
                url=spec["url"],
                body=html.read_bytes(),
                gold=expect.get("text"),
                title=expect.get("title"),
                published=expect.get("published"),
                headers=spec.get("headers"),
                hints=hints,
                noise=tuple(spec.get("noise", ())),
            )
        )
    return pages + load_spam_pages(root)


def load_spam_pages(root: Path) -> list[CorpusPage]:
    """Real pages with seeded spam injected, as ``spam.json`` in a fixtures folder asks.

    ``{"corpus": "../corpus_subset", "seeds": [11, 29]}``: every page of that corpus
    (relative to ``root``) once per seed; the injected strings are the page's noise,
    which must reach neither the text nor the title.
    """
    spec_path = root / "spam.json"
    if not spec_path.exists():
        return []
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    pages = []
    for page in load_corpus((root / spec["corpus"]).resolve()):
        for seed in spec["seeds"]:
            injected = inject_spam(page.body, seed, page.gold)
            if injected is None:
                continue
            pages.append(CorpusPage(
                id=f"spam/{page.id}/{seed}", source=SPAM_SOURCE, language=page.language, url=page.url,
                body=injected.body, gold=page.gold, title=page.title, noise=injected.strings,
            ))
    return pages


def _newsarchive(page: CorpusPage) -> Output:
    result = extract_page(page.body, page.url, headers=page.headers, hints=page.hints)
    art = result.article
    if art is None:
        return Output("", None, None, None)
    return Output(art.text, art.title, art.published, art.language, art.authors)


_HTML_LANG = re.compile(rb"""<html[^>]*?\slang\s*=\s*["']?([a-zA-Z]{2,3})\b""", re.I)


def _trafilatura(page: CorpusPage) -> Output:
    # Body: exactly the library's defaults. Metadata: its own metadata extractor;
    # trafilatura does not detect language, so the baseline is the <html lang> tag.
    text = trafilatura.extract(page.body, url=page.url) or ""
    meta = trafilatura.extract_metadata(page.body, default_url=page.url)
    match = _HTML_LANG.search(page.body[:20000])
    lang = match.group(1).decode("ascii").lower() if match else None
    if meta is None:
        return Output(text, None, None, lang)
    authors = tuple(a.strip() for a in (meta.author or "").split(";") if a.strip())
    return Output(text, meta.title, meta.date, lang, authors)


RUNNERS: dict[str, Callable[[CorpusPage], Output]] = {
    "newsarchive": _newsarchive,
    "trafilatura": _trafilatura,
}

_GROUPS = {
    "en": "en",
    "de": "de",
    "zh": "zh",
    "ja": "ja-ko",
    "ko": "ja-ko",
    **dict.fromkeys(("ar", "fa", "ur", "ru", "hi", "th", "my"), "non-latin-other"),
    "und": "unlabelled",
}


def language_group(code: str) -> str:
    """Coarse group for per-group floors: en, de, zh, ja-ko, non-latin-other, latin-other (unlabelled: und)."""
    return _GROUPS.get(code, "latin-other")


def _norm(text: str) -> str:
    return " ".join(text.split())


_SPAM_TOKENS = re.compile(r"[^\s|｜,、·/【】_\-，]+")


def leaked_spam(text: str, title: str | None, injected: Iterable[str]) -> list[str]:
    """Injected strings found in the title or text, whole or half of their keywords."""
    flat, title = _norm(text), _norm(title or "")
    leaked = []
    for line in injected:
        tokens = _SPAM_TOKENS.findall(line)
        found = sum(1 for t in tokens if t in flat or t in title)
        if _norm(line) in flat or _norm(line) in title or (tokens and found >= len(tokens) / 2):
            leaked.append(line)
    return leaked


def leaked_noise(output: str, noise: Iterable[str]) -> list[str]:
    """Noise lines present in ``output``; short lines count only as a whole paragraph."""
    paragraphs = {_norm(p) for p in re.split(r"\n\s*\n", output)}
    flat = _norm(output)
    leaked = []
    for line in noise:
        line = _norm(line)
        if line and (line in paragraphs or (len(line) >= 12 and line in flat)):
            leaked.append(line)
    return leaked


@dataclass
class Report:
    """All tallies of one extractor over one run."""

    name: str
    overall: Tally = field(default_factory=Tally)
    by_source: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_language: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_group: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    noise_lines: int = 0
    noise_leaked: list[str] = field(default_factory=list)
    spam_pages: int = 0
    spam_strings: int = 0
    spam_leaked: list[str] = field(default_factory=list)
    seconds: float = 0.0
    runs: int = 0  # pages run, built ones included (for the time per page)
    failures: list[str] = field(default_factory=list)  # per-page metadata misses, for debugging

    def add(self, page: CorpusPage, out: Output) -> None:
        # Fixture pages are built, not sampled: they get their own row and the noise
        # count, and stay out of the corpus figures.
        tallies: tuple[Tally, ...] = (self.by_source[page.source],)
        if page.source not in _BUILT:
            tallies += (
                self.overall,
                self.by_language[page.language],
                self.by_group[language_group(page.language)],
            )
        score = body_score(out.text, page.gold) if page.gold is not None else None
        checks = {"language": out.language == page.language} if page.language != "und" else {}
        if page.title:
            checks["title"] = same_title(out.title, page.title)
        if page.published:
            checks["date"] = same_day(out.published, page.published)
        if page.authors:
            checks["author"] = same_names(out.authors, page.authors)
        for tally in tallies:
            if score is not None:
                tally.add_body(score)
            for name, ok in checks.items():
                tally.add_meta(name, ok)
        self.failures += [f"{page.id}: {name}" for name, ok in checks.items() if not ok]
        if page.noise and page.source == SPAM_SOURCE:
            self.spam_pages += 1
            self.spam_strings += len(page.noise)
            leaks = [f"{page.id}: {line}" for line in leaked_spam(out.text, out.title, page.noise)]
            self.spam_leaked += leaks
            self.failures += [f"{leak} (injected spam leaked)" for leak in leaks]
        elif page.noise:
            self.noise_lines += len(page.noise)
            self.noise_leaked += [f"{page.id}: {line}" for line in leaked_noise(out.text, page.noise)]


def evaluate(pages: list[CorpusPage], runners: Iterable[str] = RUNNERS) -> list[Report]:
    """Run each named extractor over the same pages in the same process."""
    reports = []
    for name in runners:
        report = Report(name)
        run = RUNNERS[name]
        for page in pages:
            start = time.perf_counter()
            out = run(page)
            report.seconds += time.perf_counter() - start
            report.runs += 1
            report.add(page, out)
        reports.append(report)
    return reports


def _row(label: str, tallies: list[Tally]) -> str:
    cells = []
    for t in tallies:
        acc = [t.accuracy(n) for n in ("title", "date", "language", "author")]
        acc_s = " ".join("  -  " if a is None else f"{a:5.2f}" for a in acc)
        cells.append(f"{t.precision:5.3f} {t.recall:5.3f} {t.f1:5.3f} {t.empty:3d} {acc_s}")
    return f"{label:<22}{tallies[0].pages:4d}  " + "  |  ".join(cells)


def format_reports(reports: list[Report]) -> str:
    """A plain-text table: one row per group, one block of columns per extractor."""
    names = "  |  ".join(f"{r.name:<45}" for r in reports)
    cols = "  |  ".join("P     R     F1    emp title date  lang  auth " for _ in reports)
    lines = [f"{'':<22}{'':4}  {names}", f"{'group':<22}{'n':>4}  {cols}"]
    lines.append(_row("overall", [r.overall for r in reports]))
    for title, attr in (("source", "by_source"), ("language group", "by_group"), ("language", "by_language")):
        lines.append(f"-- by {title}")
        keys = sorted(getattr(reports[0], attr), key=lambda k: (-getattr(reports[0], attr)[k].pages, k))
        for key in keys:
            lines.append(_row(key, [getattr(r, attr)[key] for r in reports]))
    lines.append("-- noise lines leaked (fixtures with labelled noise)")
    for r in reports:
        lines.append(f"{r.name:<22}{len(r.noise_leaked)} of {r.noise_lines}")
    if any(r.spam_pages for r in reports):
        lines.append("-- injected spam leaked into title or text (real pages, seeded spam; extract.spamgen)")
        for r in reports:
            pages = len({line.rsplit(": ", 1)[0] for line in r.spam_leaked})
            lines.append(f"{r.name:<22}{len(r.spam_leaked)} of {r.spam_strings} strings, on {pages} of {r.spam_pages} pages")
    lines.append("-- time per page")
    for r in reports:
        n = max(r.runs, 1)
        lines.append(f"{r.name:<22}{1000 * r.seconds / n:.1f} ms")
    return "\n".join(lines)
