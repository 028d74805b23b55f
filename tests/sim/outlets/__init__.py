"""The simulated outlets, one module each, registered by outlet name."""

from __future__ import annotations

from tests.sim.outlets.ria import Ria
from tests.sim.outlets.tass_en import TassEnglish
from tests.sim.outlets.xinhua_en import XinhuaEnglish
from tests.sim.site import Site

__all__ = ["SITES", "NEVER_SEEN"]

# The outlet that config/outlets.yaml does not know: its spec comes from the simulator.
NEVER_SEEN = "harbour-herald"

SITES: dict[str, type[Site]] = {
    site.name: site
    for site in (XinhuaEnglish, Ria, TassEnglish)
}
