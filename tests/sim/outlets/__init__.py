"""The simulated outlets, one module each, registered by outlet name."""

from __future__ import annotations

from tests.sim.outlets.china_org import ChinaOrg
from tests.sim.outlets.global_times import GlobalTimes
from tests.sim.outlets.harbour_herald import HarbourHerald
from tests.sim.outlets.ria import Ria
from tests.sim.outlets.tass_en import TassEnglish
from tests.sim.outlets.xinhua_en import XinhuaEnglish
from tests.sim.outlets.xinhua_zh import XinhuaChinese
from tests.sim.outlets.zee_news import ZeeNews
from tests.sim.site import Site

__all__ = ["SITES", "NEVER_SEEN"]

# The outlet config/outlets.yaml does not know: its spec comes from the simulator.
NEVER_SEEN = HarbourHerald.name

SITES: dict[str, type[Site]] = {
    site.name: site
    for site in (XinhuaEnglish, XinhuaChinese, ChinaOrg, ZeeNews, Ria, TassEnglish, GlobalTimes,
                 HarbourHerald)
}
