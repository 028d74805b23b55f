"""A crawl of three simulated outlets that all carry one syndicated wire story.

Shared by the replay, WACZ and report tests: each outlet publishes a new article whose
body is the same wire copy (under the outlet's own headline), then the real
`newsarchive crawl` archives every outlet.
"""

from __future__ import annotations

from pathlib import Path

from tests.cli import newsarchive
from tests.sim import OutletSimulator

OUTLETS = ("xinhua-en", "tass-en", "global-times")
FAST = ("-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "NEWSARCHIVE_RETRY_BACKOFF_BASE=0.1")

# Vocabulary of its own, so its syndication key is shared by these copies and no other story.
WIRE = (
    "Glaciologists aboard the icebreaker Polarstern reported on Thursday that the Thwaites ice shelf "
    "calved a fragment roughly the size of Luxembourg, the largest breakaway recorded since satellite "
    "monitoring of the Amundsen Sea began.",
    "The expedition's chief scientist, Ingrid Haldorsen, said meltwater lenses beneath the shelf had "
    "widened faster than any model predicted, loosening the grounding line across a sixty kilometre front.",
    "Sonar transects collected during November showed warm circumpolar deep water intruding through a "
    "trough previously thought to be blocked by a submarine ridge of volcanic basalt.",
    "Oceanographers cautioned that a single calving event does not by itself raise sea levels, because "
    "floating ice already displaces its weight, but the retreat could speed the glaciers feeding the shelf.",
    "Haldorsen's team plans to deploy autonomous gliders and borehole thermistors in January, weather "
    "permitting, to measure how quickly the exposed cliff face erodes under tidal flexing.",
    "Insurers and coastal planners in the Netherlands, Bangladesh and Florida follow such measurements "
    "closely, since projections of dike heights and mangrove buffers depend on the pace of Antarctic loss.",
)


def syndicate(sim: OutletSimulator) -> dict[str, str]:
    """Publish the wire story on every outlet of ``OUTLETS``; returns outlet -> article URL."""
    urls = {}
    for name in OUTLETS:
        url = sim.add_article(name)
        sim.article(url).paragraphs = WIRE
        sim.update_article(name, url)  # rebuilds the outlet's pages (adds an update note)
        urls[name] = url
    return urls


def crawl(sim: OutletSimulator, root: Path) -> Path:
    """Crawl ``OUTLETS`` into ``root/archive`` (home in ``root/home``); returns the archive."""
    config = sim.write_config(root / "sim.yaml")
    archive = root / "archive"
    proc = newsarchive("crawl", *OUTLETS, "--config", str(config), "--archive", str(archive), *FAST,
                       env={"NEWSARCHIVE_HOME": str(root / "home")}, timeout=240)
    # Exit 1 only for the simulator's deliberate 404s.
    assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr, proc.stderr
    return archive
