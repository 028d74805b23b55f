"""``make demo`` (``python -m bench.demo``): crawl the bundled outlet simulator end to end.

What it does, all on 127.0.0.1 (nothing leaves the machine):

1. starts ``tests.sim.OutletSimulator`` in this process: the seven shipped outlets
   (Xinhua EN/ZH, china.org.cn, Zee News, RIA, TASS, Global Times) with their feeds,
   sitemaps, section pages, robots.txt, encodings and page noise, plus one outlet that
   config/outlets.yaml has never seen, defined only by YAML;
2. writes an outlets config pointing every outlet at its simulator port (a temp file),
   with the README's example topic (``nato``) as a tag on every outlet;
3. runs ``newsarchive crawl --all --config <file>`` as a subprocess (each crawl needs its
   own Twisted reactor) into ``./archive``, with the live progress line and stats table.
   Politeness delays are turned off (``--polite`` keeps them): they exist for real
   outlets, and a loopback crawl with them takes minutes. robots.txt is still obeyed;
4. prints ``newsarchive ls`` and a summary per outlet: articles the simulator expects,
   how many were archived, non-articles or robots-forbidden URLs that slipped through;
   with ``--recrawl``, crawls again to show that an unchanged site archives nothing new;
5. stops the simulator.

``--all`` is used only when every configured outlet is simulated, so a crawl can never
reach a real site; otherwise the simulated outlets are named one by one.
Exit status: 0 when every outlet archived exactly its expected articles, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import yaml

from tests.sim import OutletSimulator

__all__ = ["main", "Row", "summarize", "render", "crawl_targets", "with_topics"]

REPO = Path(__file__).resolve().parents[1]
FAST = ("-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False")


@dataclass(frozen=True)
class Row:
    outlet: str
    expected: int
    archived: int               # expected articles found in the archive
    wrong: int                  # non-articles, forbidden or stale URLs archived as articles
    forbidden_requests: int     # robots-disallowed URLs the crawler asked for
    requests: int

    @property
    def ok(self) -> bool:
        return self.archived == self.expected and not self.wrong and not self.forbidden_requests


# The README's --topic examples (report, export) then find the demo's coverage of NATO.
DEMO_TOPICS = {"nato": "NATO|北约|НАТО"}


def with_topics(config: Path) -> Path:
    """The simulator's config with the README's example topic on every outlet, as a tag
    (``require_topic: false``: every article is still kept)."""
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    for outlet in data["outlets"]:
        outlet["topics"] = dict(DEMO_TOPICS)
        outlet["require_topic"] = False
    config.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return config


def crawl_targets(sim: OutletSimulator, shipped_config: Path = REPO / "config" / "outlets.yaml") -> list[str]:
    """``['--all']`` when every configured outlet is simulated, else the simulated names."""
    shipped = {o["name"] for o in yaml.safe_load(shipped_config.read_text(encoding="utf-8"))["outlets"]}
    return ["--all"] if shipped <= set(sim.names) else list(sim.names)


def summarize(sim: OutletSimulator, archived_urls: Iterable[str]) -> list[Row]:
    got = set(archived_urls)
    rows = []
    for name in sim.names:
        expected = sim.expected_articles(name)
        forbidden = sim.disallowed(name)
        base = sim.base_url(name)
        requested = sim.requests(name)
        rows.append(Row(
            outlet=name,
            expected=len(expected),
            archived=len(expected & got),
            wrong=len(got & (sim.non_articles(name) | forbidden | sim.too_old(name))),
            forbidden_requests=sum(1 for r in requested if base + r.path in forbidden),
            requests=len(requested),
        ))
    return rows


def render(rows: Sequence[Row]) -> str:
    lines = [f"{'outlet':16} {'expected':>8} {'archived':>8} {'wrong':>5} {'forbidden':>9} {'requests':>8}  result"]
    for r in rows:
        lines.append(f"{r.outlet:16} {r.expected:8} {r.archived:8} {r.wrong:5} {r.forbidden_requests:9} "
                     f"{r.requests:8}  {'ok' if r.ok else 'MISMATCH'}")
    return "\n".join(lines)


def _newsarchive(args: Sequence[str], *, capture: bool = False) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.run([sys.executable, "-m", "crawler.cli", *args], env=env, text=True,
                          capture_output=capture)


def _archived_urls(archive: str) -> list[str]:
    listing = _newsarchive(["ls", "--archive", archive, "--json"], capture=True)
    if listing.returncode != 0:
        print(listing.stderr, file=sys.stderr)
        return []
    return [json.loads(line)["url"] for line in listing.stdout.splitlines() if line.strip()]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.demo", description=__doc__.split("\n\n")[0])
    parser.add_argument("--archive", default="./archive",
                        help="archive folder or s3://bucket/prefix (default: ./archive)")
    parser.add_argument("--polite", action="store_true", help="keep download delays and AutoThrottle")
    parser.add_argument("--recrawl", action="store_true", help="crawl a second time to show incrementality")
    args = parser.parse_args(argv)

    with OutletSimulator() as sim, tempfile.TemporaryDirectory(prefix="newsarchive-demo-") as tmp:
        config = with_topics(sim.write_config(Path(tmp) / "outlets.yaml"))
        print("Simulated outlets on 127.0.0.1:")
        for name in sim.names:
            print(f"  {name:16} {sim.base_url(name)}")
        crawl = ["crawl", *crawl_targets(sim), "--config", str(config), "--archive", args.archive,
                 *(() if args.polite else FAST)]
        print(f"\n$ newsarchive {' '.join(crawl)}", flush=True)
        status = _newsarchive(crawl).returncode
        if status not in (0, 1):   # 1 = finished with errors: the simulator serves deliberate 404s
            print(f"crawl failed (exit {status}); see the messages above", file=sys.stderr)
            return 1
        if args.recrawl:
            before = len(_archived_urls(args.archive))
            print(f"\n$ newsarchive {' '.join(crawl)}   # again: nothing changed", flush=True)
            _newsarchive(crawl)
            print(f"second crawl archived {len(_archived_urls(args.archive)) - before} new article(s)")
        print(f"\n$ newsarchive ls --archive {args.archive}", flush=True)
        _newsarchive(["ls", "--archive", args.archive])
        rows = summarize(sim, _archived_urls(args.archive))
    print("\nSummary (this run's simulator):")
    print(render(rows))
    return 0 if all(r.ok for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
