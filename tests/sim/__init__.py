"""Outlet simulator: realistic copies of the shipped outlets (and one never seen) on
127.0.0.1, for crawl tests, the demo and benchmarks. See ``OutletSimulator``."""

from tests.sim.server import Request
from tests.sim.simulator import OutletSimulator, UnknownOutlet
from tests.sim.site import SimArticle

__all__ = ["OutletSimulator", "Request", "SimArticle", "UnknownOutlet"]
